/** Files a running cluster keeps in its data directory, and how other commands read them. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ClusterStatus {
  pid: number;
  api: string;
  kubeconfig: string;
  store: string;
  dataDir: string;
  startedAt: string;
  ready: boolean;
  /** `host:port` of the loopback cluster DNS listener. */
  dns?: string;
  /** The cluster domain (`--cluster-domain`). */
  clusterDomain?: string;
  /** The host loopback address NodePorts are published on (`--node-port-address`). */
  nodePortAddress?: string;
  /**
   * Rootless: the user namespace `up` made for the sandbox (`user:[N]`). `down` stops the
   * processes still in it, which hold the sandbox's namespaces (see sandbox/rootless.ts).
   */
  userNamespace?: string;
}

export function defaultDataDir(): string {
  return join(homedir(), '.switchboard');
}

export function resolveDataDir(dir: string | undefined): string {
  return resolve(dir ?? defaultDataDir());
}

export const paths = (dir: string) => ({
  status: join(dir, 'status.json'),
  kubeconfig: join(dir, 'kubeconfig'),
  pki: join(dir, 'pki'),
  db: join(dir, 'state.db'),
  log: join(dir, 'switchboard.log'),
});

export function readStatus(dir: string): ClusterStatus | undefined {
  const file = paths(dir).status;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterStatus;
  } catch {
    return undefined; // a half-written file reads as "not running yet"
  }
}

export function writeStatus(dir: string, status: ClusterStatus): void {
  const file = paths(dir).status;
  writeFileSync(`${file}.tmp`, JSON.stringify(status, null, 2));
  rmSync(file, { force: true });
  writeFileSync(file, JSON.stringify(status, null, 2));
  rmSync(`${file}.tmp`, { force: true });
}

export function clearStatus(dir: string, pid: number): void {
  const current = readStatus(dir);
  if (current?.pid === pid) rmSync(paths(dir).status, { force: true });
}

/** True when a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process whose parent has not reaped it still answers signal 0: a zombie is gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust signal 0
  }
}
