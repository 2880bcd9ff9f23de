/**
 * One cluster's run of the nodes section, in phases: a few pods one at a time (latency without
 * queueing), the first pods at 10 in flight (create -> Ready), more up to the total (all
 * running, memory), and the deletion of them all. The same phases run on a simulated node
 * (reference) and on the real one.
 */
import { nowMs, percentile, progress, sleep } from './lib.js';
import { costBetween, sampleCost, type Cost } from './nodes-cost.js';
import { podNamespaces, processFacts, startNodeCluster, type NodeCluster, type NodeKind, type ProcessFacts } from './nodes-cluster.js';
import { createPods, deleteAllPods, ensureNamespace, PodWatch, readyLatencies, type PodTimes } from './nodes-pods.js';
import { podProcessMemory, type PodProcessMemory } from './nodes-procs.js';

export const CONCURRENCY = 10;
const NAMESPACE = 'bench-nodes';
const SERIAL_NAMESPACE = 'bench-nodes-serial';

export interface Scale {
  /** Pods created one at a time first (then deleted). */
  serial: number;
  /** Figure 1's pods, then Figure 2's total. */
  first: number;
  total: number;
  readyDeadlineMs: number;
  deleteDeadlineMs: number;
}

export interface Phase {
  latencies: number[];
  ready: number;
  /** First POST -> last Ready (ms). */
  spanMs: number;
  /** First POST sent -> last POST acknowledged (ms). */
  postMs: number;
  cost: Cost;
}

export interface RealFacts {
  idle: ProcessFacts;
  full: ProcessFacts;
  after: ProcessFacts;
  pods: PodProcessMemory;
  netnsAtFull: number;
  netnsLeft: number;
}

export interface Run {
  serial: Phase;
  first: Phase;
  scale: Phase & { running: number; readyAll: number };
  delete: { gone: number; spanMs: number };
  /** Real node only. */
  facts?: RealFacts;
}

const isReady = (t: PodTimes): boolean => t.readyAt !== undefined;
const isGone = (t: PodTimes): boolean => t.deletedAt !== undefined;

/** From the first POST (or `start`) to the latest `end` time of these pods (ms); NaN if none. */
function span(watch: PodWatch, names: readonly string[], end: keyof PodTimes, start?: number): number {
  const times = names.map((n) => watch.timesOf(n));
  const from = start ?? Math.min(...times.map((t) => t.postAt ?? Infinity));
  const to = Math.max(...times.map((t) => t[end] ?? -Infinity));
  return Number.isFinite(from) && Number.isFinite(to) ? to - from : Number.NaN;
}

async function waitNoNetns(prefix: string, timeoutMs: number): Promise<number> {
  const stopAt = Date.now() + timeoutMs;
  let left = (await podNamespaces(prefix)).length;
  while (left > 0 && Date.now() < stopAt) {
    await sleep(200);
    left = (await podNamespaces(prefix)).length;
  }
  return left;
}

interface Ctx {
  cluster: NodeCluster;
  scale: Scale;
}

/** Creates pods `from`..`to - 1` in `namespace` and waits until they are Ready. */
async function createPhase(ctx: Ctx, watch: PodWatch, range: { namespace: string; from: number; to: number; concurrency: number; awaitReady?: boolean }): Promise<Phase & { names: string[] }> {
  const { client, pid, nodeName } = ctx.cluster;
  const before = sampleCost(pid);
  const run = await createPods({ client, watch, nodeName, deadlineMs: ctx.scale.readyDeadlineMs, ...range });
  const ready = await watch.waitAll(run.names, isReady, ctx.scale.readyDeadlineMs);
  return { names: run.names, postMs: run.postMs, latencies: readyLatencies(watch, run.names), ready, spanMs: span(watch, run.names, 'readyAt'), cost: costBetween(before, sampleCost(pid)) };
}

/** A few pods one at a time, in a namespace of their own, deleted again before the rest. */
async function serialPhase(ctx: Ctx): Promise<Phase> {
  const { client } = ctx.cluster;
  await ensureNamespace(client, SERIAL_NAMESPACE);
  const watch = new PodWatch(client, SERIAL_NAMESPACE);
  await watch.start();
  try {
    const phase = await createPhase(ctx, watch, { namespace: SERIAL_NAMESPACE, from: 0, to: ctx.scale.serial, concurrency: 1, awaitReady: true });
    await deleteAllPods(client, SERIAL_NAMESPACE);
    await watch.waitAll(phase.names, isGone, ctx.scale.deleteDeadlineMs);
    return phase;
  } finally {
    await watch.stop();
  }
}

async function measure(ctx: Ctx): Promise<Run> {
  const { cluster, scale } = ctx;
  const { client, pid, kind } = cluster;
  const real = kind === 'real';
  await sleep(1000);
  const idle = processFacts(pid);
  const serial = await serialPhase(ctx);
  progress(`nodes (${kind}): ${serial.ready}/${scale.serial} Ready one at a time, p50 ${percentile(serial.latencies, 50).toFixed(0)} ms`);
  await ensureNamespace(client, NAMESPACE);
  const watch = new PodWatch(client, NAMESPACE);
  await watch.start();
  try {
    const first = await createPhase(ctx, watch, { namespace: NAMESPACE, from: 0, to: scale.first, concurrency: CONCURRENCY });
    progress(`nodes (${kind}): ${first.ready}/${scale.first} Ready, p50 ${percentile(first.latencies, 50).toFixed(0)} ms, p99 ${percentile(first.latencies, 99).toFixed(0)} ms`);
    const more = await createPhase(ctx, watch, { namespace: NAMESPACE, from: scale.first, to: scale.total, concurrency: CONCURRENCY });
    const all = [...first.names, ...more.names];
    await sleep(real ? 1000 : 0);
    const full = processFacts(pid);
    const atFull = real ? await podNamespaces(cluster.podNetnsPrefix) : [];
    const pods = podProcessMemory(atFull);
    const scaleRun = {
      ...more,
      readyAll: all.filter((n) => isReady(watch.timesOf(n))).length,
      running: all.filter((n) => watch.timesOf(n).runningAt !== undefined).length,
    };
    progress(`nodes (${kind}): ${scaleRun.readyAll}/${scale.total} Ready after ${(scaleRun.spanMs / 1000).toFixed(1)} s; up RSS ${full.rssMb.toFixed(0)} MB (${idle.rssMb.toFixed(0)} MB idle)`);
    const deleteStart = nowMs();
    await deleteAllPods(client, NAMESPACE);
    const gone = await watch.waitAll(all, isGone, scale.deleteDeadlineMs);
    const deleteRun = { gone, spanMs: span(watch, all, 'deletedAt', deleteStart) };
    progress(`nodes (${kind}): ${gone}/${scale.total} gone after ${(deleteRun.spanMs / 1000).toFixed(1)} s`);
    if (!real) return { serial, first, scale: scaleRun, delete: deleteRun };
    const netnsLeft = await waitNoNetns(cluster.podNetnsPrefix, 5000);
    await sleep(1000);
    return { serial, first, scale: scaleRun, delete: deleteRun, facts: { idle, full, after: processFacts(pid), pods, netnsAtFull: atFull.length, netnsLeft } };
  } finally {
    await watch.stop();
  }
}

/** Starts a cluster with one node of `kind`, runs the phases, and stops it (also on failure). */
export async function runOn(kind: NodeKind, scale: Scale): Promise<Run> {
  progress(`nodes: starting a cluster with one ${kind} node`);
  const cluster = await startNodeCluster(kind);
  try {
    return await measure({ cluster, scale });
  } finally {
    await cluster.stop();
  }
}
