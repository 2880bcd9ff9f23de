/**
 * The log stamper (native/log-stamper/log-stamper.c): a small C program each container's
 * output goes through, which notes when every line began. It is compiled once per data
 * directory with the host's C compiler (the machine has one: npm builds native addons with
 * it); without a compiler logs still work, but without per-line times.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../lib/log.js';

const source = fileURLToPath(new URL('../../../../native/log-stamper/log-stamper.c', import.meta.url));

/** The stamper's path under `binDir`, built when missing or older than its source; undefined when it cannot be. */
export function ensureLogStamper(binDir: string, log: Logger): string | undefined {
  const binary = join(binDir, 'log-stamper');
  if (!existsSync(source)) return existsSync(binary) ? binary : undefined;
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  mkdirSync(binDir, { recursive: true });
  const cc = spawnSync('cc', ['-O2', '-Wall', '-o', binary, source], { encoding: 'utf8' });
  if (cc.status === 0) return binary;
  log.warn({ err: cc.error?.message ?? cc.stderr.trim() }, 'could not build the log stamper (needs a C compiler: apt-get install gcc); kubectl logs --timestamps and --since use file times only');
  return undefined;
}
