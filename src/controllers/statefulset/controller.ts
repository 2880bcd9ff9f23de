/**
 * The StatefulSet controller: a thin loop around planRevisions, planStatefulSet and
 * computeStatefulSetStatus. Events on StatefulSets, their pods and their ControllerRevisions
 * enqueue the set's key; a sync re-reads everything from the informer caches.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { deepEqual } from '../../api/validation/access.js';
import type { Informer } from '../../client/informer.js';
import { keyOf } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { type ControllerRevision, planRevisions, revisionsToPrune, revisionTemplate } from '../shared/history.js';
import { computeStatefulSetStatus, planStatefulSet, podRevision, type StatefulSetInputs, type StatefulSetPlan } from './plan.js';
import { newStatefulSetPod } from './pod.js';
import { controllerOf, controllerRef, controllerUidIndex, isPodReady } from '../shared/pod-state.js';
import { statefulSetSpec } from './spec.js';

export interface StatefulSetControllerConfig {
  workers?: number;
}

export const fieldManager = 'statefulset-controller';
/** Informer cache index of objects by the uid of their controller (shared by the workload controllers). */
export const controllerUidIndexName = 'workloads/controller-uid';

function resource(group: string, plural: string): ResourceInfo {
  const info = findResource(group, plural);
  if (!info) throw new Error(`unknown resource ${group}/${plural}`);
  return info;
}

const podsInfo = resource('', 'pods');
const setsInfo = resource('apps', 'statefulsets');
const revisionsInfo = resource('apps', 'controllerrevisions');

/** Enqueues the owning StatefulSet of a pod or revision (both owners when it changed hands). */
function ownerHandlers(queue: WorkQueue, kind: string) {
  const enqueue = (obj: KubeObject): void => {
    const ref = controllerOf(obj);
    if (ref?.kind === kind && obj.metadata.namespace) queue.add(`${obj.metadata.namespace}/${ref.name}`);
  };
  return { onAdd: enqueue, onUpdate: (old: KubeObject, obj: KubeObject) => (enqueue(old), enqueue(obj)), onDelete: enqueue };
}

export function startStatefulSetController(config: StatefulSetControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'statefulset' });
  const sets = deps.informers.informer('apps', 'statefulsets');
  const pods = deps.informers.informer('', 'pods');
  const revisions = deps.informers.informer<ControllerRevision>('apps', 'controllerrevisions');
  pods.cache.addIndex(controllerUidIndexName, controllerUidIndex);
  revisions.cache.addIndex(controllerUidIndexName, controllerUidIndex);
  const queue = new WorkQueue();
  const enqueueSet = (obj: KubeObject): void => queue.add(keyOf(obj));
  sets.addHandlers({ onAdd: enqueueSet, onUpdate: (_old, obj) => enqueueSet(obj), onDelete: enqueueSet });
  pods.addHandlers(ownerHandlers(queue, 'StatefulSet'));
  revisions.addHandlers(ownerHandlers(queue, 'StatefulSet'));

  const sync = (key: string): Promise<void> => syncStatefulSet({ key, deps, sets, pods, revisions, queue });
  return startQueueLoop({
    queue,
    informers: [sets, pods, revisions],
    workers: config.workers ?? 4,
    sync,
    onError: (key, err) => log.warn({ key, err: String(err) }, 'sync failed; retrying'),
    stopWaitsForSync: true,
  });
}

interface SyncContext {
  key: string;
  deps: ControllerDeps;
  sets: Informer;
  pods: Informer;
  revisions: Informer<ControllerRevision>;
  queue: WorkQueue;
}

async function syncStatefulSet(ctx: SyncContext): Promise<void> {
  const set = ctx.sets.cache.get(ctx.key);
  // A set being deleted is left to the garbage collector, as upstream does.
  if (!set || set.metadata.deletionTimestamp) return;
  const uid = set.metadata.uid ?? '';
  const status = isRecord(set.status) ? set.status : {};
  const owned = ctx.revisions.cache.byIndex(controllerUidIndexName, uid);
  const revs = planRevisions({
    owner: set,
    ownerRef: controllerRef(set, 'apps/v1', 'StatefulSet'),
    revisions: owned,
    currentRevisionName: typeof status.currentRevision === 'string' ? status.currentRevision : undefined,
    collisionCount: typeof status.collisionCount === 'number' ? status.collisionCount : 0,
  });
  if (revs.create) await createRevision(ctx, revs.create);
  if (revs.renumber) await ctx.deps.client.update(revisionsInfo, revs.renumber, { fieldManager });

  const spec = statefulSetSpec(set);
  const now = ctx.deps.clock.now();
  const inputs: StatefulSetInputs = {
    spec,
    pods: ctx.pods.cache.byIndex(controllerUidIndexName, uid),
    currentRevision: revs.current.metadata.name ?? '',
    updateRevision: revs.update.metadata.name ?? '',
    now,
  };
  const plan = planStatefulSet(inputs);
  await applyPlan(ctx, set, plan, { current: revs.current, update: revs.update });

  const next = computeStatefulSetStatus({ ...inputs, generation: set.metadata.generation, collisionCount: revs.collisionCount, onDelete: spec.onDelete });
  if (!deepEqual({ ...status, ...next }, status)) {
    await ctx.deps.client.patch(setsInfo, set.metadata.namespace, set.metadata.name ?? '', 'merge', { status: next }, { subresource: 'status', fieldManager });
  }
  await pruneHistory(ctx, owned, inputs, spec.revisionHistoryLimit);
  requeueForAvailability(ctx, inputs);
}

async function createRevision(ctx: SyncContext, revision: ControllerRevision): Promise<void> {
  try {
    await ctx.deps.client.create(revisionsInfo, revision.metadata.namespace, revision, { fieldManager });
  } catch (err) {
    // Already there: the cache is behind, or (rarely) another template hashed alike, which
    // the next sync sees in the cache and resolves by probing with a higher collision count.
    if (!isStatusError(err, 'AlreadyExists')) throw err;
  }
}

async function applyPlan(
  ctx: SyncContext,
  set: KubeObject,
  plan: StatefulSetPlan,
  revisions: { current: ControllerRevision; update: ControllerRevision },
): Promise<void> {
  const serviceName = statefulSetSpec(set).serviceName;
  const creates = plan.create.map(async ({ ordinal, revision }) => {
    const rev = revisions[revision];
    const pod = newStatefulSetPod({ set, template: revisionTemplate(rev), ordinal, revisionName: rev.metadata.name ?? '', serviceName });
    try {
      await ctx.deps.client.create(podsInfo, pod.metadata.namespace, pod, { fieldManager });
    } catch (err) {
      // The name is deterministic, so a pod the cache has not shown yet makes this fail harmlessly.
      if (!isStatusError(err, 'AlreadyExists')) throw err;
    }
  });
  const deletes = plan.delete.map(async (pod) => {
    try {
      await ctx.deps.client.delete(podsInfo, pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  });
  await Promise.all([...creates, ...deletes]);
}

async function pruneHistory(ctx: SyncContext, owned: ControllerRevision[], inputs: StatefulSetInputs, historyLimit: number): Promise<void> {
  const live = new Set<string>([inputs.currentRevision, inputs.updateRevision]);
  for (const pod of inputs.pods) {
    const revision = podRevision(pod);
    if (revision) live.add(revision);
  }
  for (const revision of revisionsToPrune({ revisions: owned, live, historyLimit })) {
    try {
      await ctx.deps.client.delete(revisionsInfo, revision.metadata.namespace, revision.metadata.name ?? '');
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }
}

/** With minReadySeconds, a pod turns available without any event: look again when it does. */
function requeueForAvailability(ctx: SyncContext, inputs: StatefulSetInputs): void {
  const minReadyMs = inputs.spec.minReadySeconds * 1000;
  if (minReadyMs <= 0) return;
  let soonest = Infinity;
  for (const pod of inputs.pods) {
    if (!isPodReady(pod)) continue;
    const conditions = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
    const ready = conditions.find((c): c is Record<string, unknown> => isRecord(c) && c.type === 'Ready');
    const since = typeof ready?.lastTransitionTime === 'string' ? Date.parse(ready.lastTransitionTime) : NaN;
    const wait = since + minReadyMs - inputs.now.getTime();
    if (wait > 0 && wait < soonest) soonest = wait;
  }
  if (Number.isFinite(soonest)) ctx.queue.addAfter(ctx.key, soonest + 100);
}
