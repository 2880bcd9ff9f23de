/**
 * The Job controller: per sync, count finished pods (tracking.ts), plan (plan.ts), apply, and
 * delete finished Jobs whose ttlSecondsAfterFinished has passed. Job and pod events enqueue
 * Job keys. Pods are created with generateName, so creates and deletes are tracked as
 * expectations; status writes carry the resourceVersion, so a stale cache can never make a
 * pod count twice (the write fails with a conflict and the sync is retried).
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { applyPodChanges } from '../shared/pod-changes.js';
import type { KubeObject } from '../../api/types.js';
import { deepEqual } from '../../api/validation/access.js';
import type { Informer } from '../../client/informer.js';
import { keyOf, splitKey } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { Expectations } from '../shared/expectations.js';
import { controllerUidIndexName } from '../statefulset/controller.js';
import { controllerOf, controllerUidIndex } from '../shared/pod-state.js';
import { startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { planJob, ttlRemainingMs } from './plan.js';
import { hasTrackingFinalizer, newJobPod, trackingFinalizer } from './pod.js';
import { type JobStatus, jobSpec, jobStatus } from './spec.js';
import { countReleased, podsToRelease, recordFinished } from './tracking.js';

export interface JobControllerConfig {
  workers?: number;
  /** Delay before replacing a failed pod, doubled per failure (upstream: 10 s, at most 6 min). */
  podFailureBackoffMs?: number;
  podFailureBackoffMaxMs?: number;
}

export const fieldManager = 'job-controller';

function resource(group: string, plural: string): ResourceInfo {
  const info = findResource(group, plural);
  if (!info) throw new Error(`unknown resource ${group}/${plural}`);
  return info;
}

const podsInfo = resource('', 'pods');
const jobsInfo = resource('batch', 'jobs');

interface JobState {
  /** Uids counted whose finalizer removal the cache has not shown yet. */
  settled: Set<string>;
  /** The Job as last written by this controller (the cache may be behind it). */
  written?: KubeObject;
  failures: { count: number; at: number };
}

interface Context {
  deps: ControllerDeps;
  config: JobControllerConfig;
  jobs: Informer;
  pods: Informer;
  queue: WorkQueue;
  expectations: Expectations;
  state: Map<string, JobState>;
}

function stateOf(ctx: Context, key: string): JobState {
  let s = ctx.state.get(key);
  if (!s) {
    s = { settled: new Set(), failures: { count: 0, at: 0 } };
    ctx.state.set(key, s);
  }
  return s;
}

export function startJobController(config: JobControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'job' });
  const ctx: Context = {
    deps,
    config,
    jobs: deps.informers.informer('batch', 'jobs'),
    pods: deps.informers.informer('', 'pods'),
    queue: new WorkQueue(),
    expectations: new Expectations(deps.clock),
    state: new Map(),
  };
  ctx.pods.cache.addIndex(controllerUidIndexName, controllerUidIndex);
  registerHandlers(ctx);
  return startQueueLoop({
    queue: ctx.queue,
    informers: [ctx.jobs, ctx.pods],
    workers: config.workers ?? 4,
    sync: (key) => syncJob(ctx, key),
    onError: (key, err) => log.warn({ key, err: String(err) }, 'sync failed; retrying'),
    stopWaitsForSync: true,
  });
}

function registerHandlers(ctx: Context): void {
  const { queue, expectations } = ctx;
  const jobKey = (pod: KubeObject): string | undefined => {
    const ref = controllerOf(pod);
    return ref?.kind === 'Job' && pod.metadata.namespace ? `${pod.metadata.namespace}/${ref.name}` : undefined;
  };
  ctx.jobs.addHandlers({
    onAdd: (job) => queue.add(keyOf(job)),
    onUpdate: (_old, job) => queue.add(keyOf(job)),
    onDelete: (job) => {
      expectations.forget(keyOf(job));
      ctx.state.delete(keyOf(job));
      queue.add(keyOf(job));
    },
  });
  ctx.pods.addHandlers({
    onAdd: (pod) => {
      const key = jobKey(pod);
      if (!key) return;
      expectations.creationObserved(key);
      queue.add(key);
    },
    onUpdate: (old, pod) => {
      const key = jobKey(pod);
      if (!key) return;
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) expectations.deletionObserved(key, pod.metadata.uid);
      if (!hasTrackingFinalizer(pod)) ctx.state.get(key)?.settled.delete(pod.metadata.uid ?? '');
      queue.add(key);
    },
    onDelete: (pod) => {
      const key = jobKey(pod);
      if (!key) return;
      expectations.deletionObserved(key, pod.metadata.uid);
      ctx.state.get(key)?.settled.delete(pod.metadata.uid ?? '');
      queue.add(key);
    },
  });
}

/** The newer of the cached Job and the one this controller last wrote. */
function latestJob(ctx: Context, key: string, cached: KubeObject): KubeObject {
  const written = ctx.state.get(key)?.written;
  if (!written || written.metadata.uid !== cached.metadata.uid) return cached;
  return Number(written.metadata.resourceVersion) > Number(cached.metadata.resourceVersion) ? written : cached;
}

/** Upstream shows empty uncounted lists as `{}`. */
function tidy(status: JobStatus): JobStatus {
  const u = status.uncountedTerminatedPods ?? {};
  const lists: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
  if (u.succeeded?.length) lists.succeeded = u.succeeded;
  if (u.failed?.length) lists.failed = u.failed;
  return { ...status, uncountedTerminatedPods: lists };
}

async function writeStatus(ctx: Context, key: string, job: KubeObject, status: JobStatus): Promise<KubeObject> {
  const written = await ctx.deps.client.update(jobsInfo, { ...job, status: tidy(status) }, { subresource: 'status', fieldManager });
  stateOf(ctx, key).written = written;
  return written;
}

async function syncJob(ctx: Context, key: string): Promise<void> {
  const cached = ctx.jobs.cache.get(key);
  if (!cached) return releaseOrphans(ctx, key);
  let job = latestJob(ctx, key, cached);
  const pods = ctx.pods.cache.byIndex(controllerUidIndexName, job.metadata.uid ?? '');
  if (job.metadata.deletionTimestamp) {
    await releasePods(ctx, pods.filter(hasTrackingFinalizer));
    return;
  }
  const spec = jobSpec(job);
  const state = stateOf(ctx, key);

  const recorded = recordFinished({ status: jobStatus(job), pods, settled: state.settled, indexed: spec.indexed });
  if (recorded !== jobStatus(job)) job = await writeStatus(ctx, key, job, recorded);
  const released = await releasePods(ctx, podsToRelease(recorded, pods));
  for (const uid of released) state.settled.add(uid);
  const counted = countReleased({ status: recorded, pods, released });

  const now = ctx.deps.clock.now();
  const plan = planJob({
    spec,
    status: counted,
    pods,
    now,
    mayChangePods: ctx.expectations.satisfied(key),
    backoffRemainingMs: backoffRemaining(ctx, state, counted, now.getTime()),
  });
  await applyJobPodChanges(ctx, key, job, plan);
  if (!deepEqual(tidy(plan.status), jobStatus(job))) job = await writeStatus(ctx, key, job, plan.status);

  const ttl = ttlRemainingMs(spec, plan.status, now);
  if (ttl !== undefined && ttl <= 0) {
    // As the TTL-after-finished controller does: foreground, so the pods go first.
    await ctx.deps.client
      .delete(jobsInfo, job.metadata.namespace, job.metadata.name ?? '', { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata.uid } })
      .catch(ignore('NotFound'));
    return;
  }
  const after = Math.min(ttl ?? Infinity, plan.requeueAfterMs ?? Infinity);
  if (Number.isFinite(after)) ctx.queue.addAfter(key, Math.max(0, after) + 50);
}

function backoffRemaining(ctx: Context, state: JobState, status: JobStatus, now: number): number {
  const failed = (status.failed ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0);
  if (failed > state.failures.count) state.failures = { count: failed, at: now };
  if (failed === 0) return 0;
  const base = ctx.config.podFailureBackoffMs ?? 10_000;
  const max = ctx.config.podFailureBackoffMaxMs ?? 360_000;
  const delay = Math.min(max, base * 2 ** Math.min(failed - 1, 30));
  return Math.max(0, state.failures.at + delay - now);
}

async function applyJobPodChanges(ctx: Context, key: string, job: KubeObject, plan: ReturnType<typeof planJob>): Promise<void> {
  await applyPodChanges({
    client: ctx.deps.client,
    expectations: ctx.expectations,
    key,
    create: plan.create.map(({ index }) => newJobPod(job, index)),
    delete: plan.delete,
    fieldManager,
  });
}

/** Removes the tracking finalizer; returns the uids now free of it (gone pods included). */
async function releasePods(ctx: Context, pods: readonly KubeObject[]): Promise<Set<string>> {
  const released = new Set<string>();
  await Promise.all(
    pods.map(async (pod) => {
      const index = pod.metadata.finalizers?.indexOf(trackingFinalizer) ?? -1;
      if (index < 0) return;
      const path = `/metadata/finalizers/${index}`;
      const patch = [
        { op: 'test', path, value: trackingFinalizer },
        { op: 'remove', path },
      ];
      try {
        await ctx.deps.client.patch(podsInfo, pod.metadata.namespace, pod.metadata.name ?? '', 'json', patch, { fieldManager });
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
      released.add(pod.metadata.uid ?? '');
    }),
  );
  return released;
}

/** Pods of a Job that is gone still hold the finalizer; nothing will count them now. */
async function releaseOrphans(ctx: Context, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const orphans = ctx.pods.cache.listNamespace(namespace ?? '').filter((pod) => {
    const ref = controllerOf(pod);
    return ref?.kind === 'Job' && ref.name === name && hasTrackingFinalizer(pod);
  });
  await releasePods(ctx, orphans);
}

function ignore(reason: 'NotFound') {
  return (err: unknown): undefined => {
    if (!isStatusError(err, reason)) throw err;
    return undefined;
  };
}
