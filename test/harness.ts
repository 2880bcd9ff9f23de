/**
 * Test harness: starts a real Switchboard cluster through its CLI (`up --detach` on a free
 * port with a temporary data directory) and runs real kubectl against it. Everything a test
 * starts is stopped by pid and its directory removed, also when the test fails.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { startTestEtcd } from '../src/storage/etcd/testing.js';
import { isAlive } from '../src/cli/datadir.js';
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
  /** Starts the cluster again on the same data directory (after its process is gone). */
  restart(): Promise<Cluster>;
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

/** The stores a suite runs against: sqlite always, etcd where etcd is installed (always in CI). */
export const storeKinds = (): ('sqlite' | 'etcd')[] => {
  const etcd = hasCommand('etcd') || existsSync('/usr/bin/etcd');
  if (!etcd && process.env.CI === 'true') throw new Error('etcd (Debian etcd-server) is required in CI but is not installed');
  return etcd ? ['sqlite', 'etcd'] : ['sqlite'];
};

/** A cluster on the given store; for etcd a private etcd is started and stopped with it. */
export async function startClusterOn(store: 'sqlite' | 'etcd', extraArgs: string[] = []): Promise<Cluster> {
  if (store === 'sqlite') return startCluster(extraArgs);
  const etcd = await startTestEtcd();
  try {
    const c = await startCluster(['--store', 'etcd', '--etcd-endpoints', etcd.endpoints.join(','), ...extraArgs]);
    return { ...c, stop: async () => { await c.stop(); await etcd.stop(); } };
  } catch (err) {
    await etcd.stop();
    throw err;
  }
}

export async function startCluster(extraArgs: string[] = [], existingDataDir?: string): Promise<Cluster> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'sb-test-'));
  // Tests ask for real nodes explicitly (the default, one real node as root, is for users).
  const nodes = extraArgs.includes('--nodes') ? [] : ['--nodes', '0'];
  const up = await run(process.execPath, [cliPath, 'up', '--detach', '--quiet', '--data-dir', dataDir, '--api-port', '0', ...nodes, ...extraArgs]);
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
    async restart() {
      return startCluster(extraArgs, dataDir);
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
    if (!isAlive(pid)) return;
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

/**
 * Host loopback addresses of one test run's own (clusters of tests that run at the same time
 * must not publish on the same host address): a /24 for `--lb-pool` and an address for
 * `--node-port-address`, both in 127.100.0.0-127.199.255.255.
 */
export function ownLoopback(): { lbPool: string; nodePortAddress: string } {
  const a = 100 + Math.floor(Math.random() * 100);
  const b = Math.floor(Math.random() * 256);
  const c = Math.floor(Math.random() * 256);
  return { lbPool: `127.${a}.${b}.0/24`, nodePortAddress: `127.${a}.${(b + 1) % 256}.${1 + (c % 254)}` };
}
