/**
 * The control-plane benchmark: `node dist/bench/run.js [startup|writes|watch|list|controllers|dns|nodes|proxy ...] [--scale full]`.
 * Runs the named sections (all by default) one after another and prints one table of
 * figures, each beside a reference measured in the same run.
 */
import { cpus } from 'node:os';
import { benchControllers } from './controllers.js';
import { benchDns } from './dns.js';
import { benchList } from './list.js';
import { benchNodes } from './nodes.js';
import { benchProxy } from './proxy.js';
import { benchStartup } from './startup.js';
import { benchWatch } from './watch.js';
import { benchWrites } from './writes.js';
import { formatTable, progress, type Figure } from './lib.js';

const sections: Record<string, () => Promise<Figure[]>> = {
  startup: () => benchStartup(),
  writes: () => benchWrites(),
  watch: () => benchWatch(),
  list: () => benchList(),
  controllers: () => benchControllers(),
  dns: () => benchDns(),
  nodes: () => benchNodes(),
  proxy: () => benchProxy(),
};

async function main(args: string[]): Promise<number> {
  // `--scale full` is the same as BENCH_SCALE=full (read by the controllers, dns and nodes sections).
  const at = args.indexOf('--scale');
  if (at !== -1) process.env.BENCH_SCALE = args[at + 1] ?? 'default';
  const argv = at === -1 ? args : args.filter((_, i) => i !== at && i !== at + 1);
  const names = argv.length > 0 ? argv : Object.keys(sections);
  const unknown = names.filter((n) => !(n in sections));
  if (unknown.length > 0) {
    process.stderr.write(`usage: node dist/bench/run.js [${Object.keys(sections).join('|')} ...]; unknown: ${unknown.join(', ')}\n`);
    return 2;
  }
  const figures: Figure[] = [];
  let failed = 0;
  for (const name of names) {
    const section = sections[name];
    if (!section) continue;
    const started = Date.now();
    progress(`section ${name} starting`);
    try {
      figures.push(...(await section()));
    } catch (err) {
      failed++;
      progress(`section ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    progress(`section ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const cpu = cpus();
  process.stdout.write(`\nSwitchboard control-plane benchmark (node ${process.version}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'})\n\n`);
  process.stdout.write(`${formatTable(figures)}\n`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
