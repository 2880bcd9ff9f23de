/**
 * The clusters of the nodes section, started through the CLI: one with a real node (`--nodes 1`,
 * pods as host processes in network namespaces; needs root) and one with a simulated node
 * (`--simulated-nodes 1`, nothing runs: the control plane's own floor). Also the figures read
 * from /proc about the `up` process, which holds the node agent.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findResource, type ResourceInfo } from '../src/api/resources.js';
import { isRecord } from '../src/api/types.js';
import { sandboxIdFor } from '../src/cli/up.js';
import { credentialsFromKubeconfig } from '../src/client/kubeconfig.js';
import { ApiClient } from '../src/client/rest.js';
import { listNamespaces, sandboxNames } from '../src/sandbox/network.js';
import { cliPath, makeTempDir, runNode, sleep, stopPid } from './lib.js';

export type NodeKind = 'real' | 'simulated';

export interface NodeCluster {
  kind: NodeKind;
  dataDir: string;
  /** The `up` process: API server, controllers and the node agent in one. */
  pid: number;
  client: ApiClient;
  nodeName: string;
  /** `sb<id>-p`: the names of this cluster's pod namespaces start with it. */
  podNetnsPrefix: string;
  stop(): Promise<void>;
}

const nodeInfo = findResource('', 'nodes') as ResourceInfo;

function upArgs(kind: NodeKind, dataDir: string, extra: string[]): string[] {
  const nodes = kind === 'real' ? ['--nodes', '1'] : ['--nodes', '0', '--simulated-nodes', '1'];
  return [cliPath, 'up', '--detach', '--quiet', '--data-dir', dataDir, '--api-port', '0', ...nodes, ...extra];
}

function readLog(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'switchboard.log.out'), 'utf8').slice(-2000);
  } catch (err) {
    return `(no log: ${(err as Error).message})`;
  }
}

/** `extra`: more `up` flags (e.g. `--proxy-mode userspace`). */
export async function startNodeCluster(kind: NodeKind, extra: string[] = []): Promise<NodeCluster> {
  const dataDir = makeTempDir(`nodes-${kind}`);
  const stopAll = async (pid?: number): Promise<void> => {
    // `down` stops the cluster and removes its sandbox namespaces; the pid is the fallback.
    await runNode([cliPath, 'down', '--data-dir', dataDir], 60_000);
    if (pid !== undefined) await stopPid(pid);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const up = await runNode(upArgs(kind, dataDir, extra), 120_000);
  if (up.code !== 0) {
    const log = readLog(dataDir);
    await stopAll();
    throw new Error(`switchboard up (${kind} node) failed (${up.code}): ${up.stderr}\n${log}`);
  }
  const status = JSON.parse(readFileSync(join(dataDir, 'status.json'), 'utf8')) as { pid: number; kubeconfig: string };
  const client = new ApiClient(credentialsFromKubeconfig(status.kubeconfig), 'switchboard-bench-nodes');
  const nodeName = kind === 'real' ? 'node-0' : 'sim-node-0';
  const cluster: NodeCluster = {
    kind,
    dataDir,
    pid: status.pid,
    client,
    nodeName,
    podNetnsPrefix: `${sandboxNames(sandboxIdFor(dataDir)).prefix}p`,
    async stop() {
      client.close();
      await stopAll(status.pid);
    },
  };
  try {
    await waitNodeReady(client, nodeName, 60_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

function isNodeReady(node: unknown): boolean {
  const conditions = isRecord(node) && isRecord(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions : [];
  return conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

async function waitNodeReady(client: ApiClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const node = await client.get(nodeInfo, undefined, name).catch(() => undefined);
    if (node && isNodeReady(node)) return;
    await sleep(50);
  }
  throw new Error(`node ${name} was not Ready within ${timeoutMs} ms`);
}

/** The pod namespaces of one cluster that exist now. */
export async function podNamespaces(prefix: string): Promise<string[]> {
  return (await listNamespaces()).filter((n) => n.startsWith(prefix));
}

export interface ProcessFacts {
  rssMb: number;
  fds: number;
  threads: number;
  /**
   * Processes below it, at any depth: its helpers (the spawner, socket brokers), the
   * spawner's launchers (idle ones too) and the containers, whichever started them.
   */
  children: number;
}

function statusField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** Every process's parent, from its /proc/<p>/stat (field 4). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      out.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return [...parents()].filter(([, ppid]) => ppid === pid).map(([p]) => p);
}

/** Processes below `pid` at any depth. */
export function descendantsOf(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [p, ppid] of parents()) byParent.set(ppid, [...(byParent.get(ppid) ?? []), p]);
  const out: number[] = [];
  for (let next = byParent.get(pid) ?? []; next.length > 0; next = next.flatMap((p) => byParent.get(p) ?? [])) out.push(...next);
  return out;
}

export function processFacts(pid: number): ProcessFacts {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssMb: statusField(status, 'VmRSS') / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    threads: statusField(status, 'Threads'),
    children: descendantsOf(pid).length,
  };
}
