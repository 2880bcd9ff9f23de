/**
 * Test harness: starts a real Switchboard cluster through its CLI (`up --detach` on a free
 * port with a temporary data directory) and runs real kubectl against it. Everything a test
 * starts is stopped by pid and its directory removed, also when the test fails.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
export const cliPath = join(repoRoot, 'dist/src/cli/main.js');

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** In CI a missing tool is a failure; elsewhere the test skips with this reason. */
export function skipUnless(name: string): string | false {
  if (hasCommand(name)) return false;
  if (process.env.CI === 'true') throw new Error(`${name} is required in CI but is not installed`);
  return `${name} is not installed`;
}

export interface Cluster {
  dataDir: string;
  kubeconfig: string;
  api: string;
  pid: number;
  kubectl(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<Result>;
  stop(): Promise<void>;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function startCluster(extraArgs: string[] = []): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-test-'));
  const up = await run(process.execPath, [cliPath, 'up', '--detach', '--quiet', '--data-dir', dataDir, '--api-port', '0', ...extraArgs]);
  if (up.code !== 0) {
    let log = '';
    try {
      log = readFileSync(join(dataDir, 'switchboard.log.out'), 'utf8');
    } catch {
      log = '(no log)';
    }
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`switchboard up failed (${up.code}): ${up.stderr}\n${log}`);
  }
  const status = JSON.parse(readFileSync(join(dataDir, 'status.json'), 'utf8')) as { pid: number; api: string; kubeconfig: string };
  const cacheDir = join(dataDir, 'kubectl-cache');
  return {
    dataDir,
    kubeconfig: status.kubeconfig,
    api: status.api,
    pid: status.pid,
    kubectl: (args, options = {}) =>
      run('kubectl', ['--kubeconfig', status.kubeconfig, '--cache-dir', cacheDir, ...args], options),
    async stop() {
      await stopPid(status.pid);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function stopPid(pid: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts a process that the caller stops by pid. */
export function startProcess(cmd: string, args: string[]) {
  return spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}
