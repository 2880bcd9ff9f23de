// `pause`: keeps the container running until it is signalled.
import { parseFlags, requireNoArgs } from './flags.js';
import type { Host } from './host.js';

/** agnhost's exit statuses: SIGINT -> 1, SIGTERM -> 2. */
export const pauseExitCodes = { SIGINT: 1, SIGTERM: 2 } as const;

export async function runPause(argv: string[], host: Host): Promise<void> {
  requireNoArgs(parseFlags(argv, {}).args, 'pause');
  // Handlers first: whoever reads "Paused" may signal at once.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    host.onSignal(signal, () => host.exit(pauseExitCodes[signal]));
  }
  host.out('Paused\n');
  setInterval(() => undefined, 1 << 30);
}
