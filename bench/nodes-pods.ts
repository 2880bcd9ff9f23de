/**
 * Pods of the nodes section: bare pods bound straight to a node (`spec.nodeName`, so the
 * scheduler is not involved), created at a fixed concurrency; one pod watch on their
 * namespace records when each pod was first seen Running, Ready and deleted.
 */
import { findResource, type ResourceInfo } from '../src/api/resources.js';
import { isRecord, type KubeObject } from '../src/api/types.js';
import type { ApiClient } from '../src/client/rest.js';
import { Client, nowMs, runPool, sleep } from './lib.js';

const podInfo = findResource('', 'pods') as ResourceInfo;
const namespaceInfo = findResource('', 'namespaces') as ResourceInfo;

/** The image the pods run: agnhost's `pause` (the built-in test image), unless BENCH_NODES_IMAGE=busybox. */
export function podContainer(): Record<string, unknown> {
  if (process.env.BENCH_NODES_IMAGE === 'busybox') return { name: 'c', image: 'busybox', command: ['sleep', '3600'] };
  return { name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['pause'] };
}

export function podName(i: number): string {
  return `p-${String(i).padStart(4, '0')}`;
}

export interface PodTimes {
  /** POST sent and acknowledged (benchmark clock, ms). */
  postAt?: number;
  ackAt?: number;
  runningAt?: number;
  readyAt?: number;
  deletedAt?: number;
}

function isReady(pod: KubeObject): boolean {
  const conditions = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
  return conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

function isRunning(pod: KubeObject): boolean {
  return isRecord(pod.status) && pod.status.phase === 'Running';
}

/** One watch on a namespace's pods, re-opened from the last resourceVersion if it ends. */
export class PodWatch {
  readonly times = new Map<string, PodTimes>();
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private loop?: Promise<void>;

  constructor(
    private readonly client: ApiClient,
    private readonly namespace: string,
  ) {}

  timesOf(name: string): PodTimes {
    let t = this.times.get(name);
    if (!t) {
      t = {};
      this.times.set(name, t);
    }
    return t;
  }

  async start(): Promise<void> {
    const list = await this.client.list(podInfo, this.namespace);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.client.watch(podInfo, this.namespace, { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, signal: this.abort.signal }, (e) => {
          const at = nowMs();
          if (e.object.metadata.resourceVersion) this.resourceVersion = e.object.metadata.resourceVersion;
          const name = e.object.metadata.name;
          if (e.type === 'BOOKMARK' || e.type === 'ERROR' || !name) return;
          const t = this.timesOf(name);
          if (e.type === 'DELETED') t.deletedAt ??= at;
          else {
            if (isRunning(e.object)) t.runningAt ??= at;
            if (isReady(e.object)) t.readyAt ??= at;
          }
        });
      } catch {
        if (!this.abort.signal.aborted) await sleep(100);
      }
    }
  }

  /** Waits until `done(name)` holds for every name, or the deadline; returns how many held. */
  async waitAll(names: readonly string[], done: (t: PodTimes) => boolean, deadlineMs: number): Promise<number> {
    const stopAt = Date.now() + deadlineMs;
    const count = (): number => names.filter((n) => done(this.timesOf(n))).length;
    while (count() < names.length && Date.now() < stopAt) await sleep(20);
    return count();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
  }
}

export async function ensureNamespace(client: ApiClient, name: string): Promise<void> {
  await client.create(namespaceInfo, undefined, { metadata: { name } }).catch((err: unknown) => {
    if (!(isRecord(err) && err.reason === 'AlreadyExists')) throw err;
  });
}

export interface CreateRun {
  names: string[];
  /** First POST sent to last POST acknowledged. */
  postMs: number;
  created: number;
}

export interface CreateOptions {
  client: ApiClient;
  watch: PodWatch;
  namespace: string;
  nodeName: string;
  from: number;
  to: number;
  concurrency: number;
  deadlineMs: number;
  /** Each task also waits until its pod is seen Ready (so 1 in flight means one pod at a time). */
  awaitReady?: boolean;
}

/** Creates pods `from`..`to - 1` on `nodeName`, `concurrency` in flight, recording each POST's ack. */
export async function createPods(options: CreateOptions): Promise<CreateRun> {
  const names = Array.from({ length: options.to - options.from }, (_, i) => podName(options.from + i));
  const started = nowMs();
  const created = await runPool({
    count: names.length,
    concurrency: options.concurrency,
    deadlineMs: options.deadlineMs,
    task: async (i) => {
      const name = names[i] as string;
      const t = options.watch.timesOf(name);
      t.postAt = nowMs();
      await options.client.create(podInfo, options.namespace, {
        metadata: { name, namespace: options.namespace, labels: { app: 'bench-nodes' } },
        spec: { nodeName: options.nodeName, containers: [podContainer()] },
      });
      t.ackAt = nowMs();
      if (options.awaitReady) await options.watch.waitAll([name], (p) => p.readyAt !== undefined, options.deadlineMs);
    },
  });
  return { names, postMs: nowMs() - started, created };
}

/** Milliseconds from each pod's POST ack to its first Ready sighting (pods seen Ready only). */
export function readyLatencies(watch: PodWatch, names: readonly string[]): number[] {
  const out: number[] = [];
  for (const n of names) {
    const t = watch.timesOf(n);
    if (t.ackAt !== undefined && t.readyAt !== undefined) out.push(Math.max(0, t.readyAt - t.ackAt));
  }
  return out;
}

/** DELETE on the namespace's pod collection, with the default grace period (30 s). */
export async function deleteAllPods(client: ApiClient, namespace: string): Promise<void> {
  // ApiClient has no deletecollection; the bench's raw client sends it with the same credentials.
  const raw = new Client(client.creds, 1);
  try {
    await raw.expect('DELETE', `/api/v1/namespaces/${namespace}/pods`, [200]);
  } finally {
    raw.close();
  }
}
