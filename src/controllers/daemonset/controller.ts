/**
 * The DaemonSet controller: a thin loop around planDaemonSet and computeDaemonSetStatus.
 * DaemonSet, pod, node and ControllerRevision events enqueue DaemonSet keys; a sync re-reads
 * the caches. Pods are created with generateName, so creates and deletes are tracked as
 * expectations and nothing is planned on a cache that has not caught up with them.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { deepEqual } from '../../api/validation/access.js';
import { applyPodChanges } from '../shared/pod-changes.js';
import type { Informer } from '../../client/informer.js';
import { keyOf } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { controllerUidIndexName } from '../statefulset/controller.js';
import { type ControllerRevision, planRevisions, revisionsToPrune } from '../shared/history.js';
import { controllerOf, controllerRef, controllerUidIndex } from '../shared/pod-state.js';
import { startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { Expectations } from '../shared/expectations.js';
import { computeDaemonSetStatus, type DaemonSetInputs, type DaemonSetPlan, planDaemonSet } from './plan.js';
import { newDaemonPod, revisionHashLabel } from './pod.js';

export interface DaemonSetControllerConfig {
  workers?: number;
}

export const fieldManager = 'daemonset-controller';

function resource(group: string, plural: string): ResourceInfo {
  const info = findResource(group, plural);
  if (!info) throw new Error(`unknown resource ${group}/${plural}`);
  return info;
}

const podsInfo = resource('', 'pods');
const daemonSetsInfo = resource('apps', 'daemonsets');
const revisionsInfo = resource('apps', 'controllerrevisions');

interface SyncContext {
  deps: ControllerDeps;
  daemonSets: Informer;
  pods: Informer;
  nodes: Informer;
  revisions: Informer<ControllerRevision>;
  expectations: Expectations;
}

/** The parts of a node that change where daemon pods belong. */
function placementFacts(node: KubeObject): unknown {
  const spec = isRecord(node.spec) ? node.spec : {};
  const status = isRecord(node.status) ? node.status : {};
  const ready = Array.isArray(status.conditions) ? status.conditions.find((c) => isRecord(c) && c.type === 'Ready') : undefined;
  return [node.metadata.labels, spec.taints, spec.unschedulable, isRecord(ready) ? ready.status : undefined];
}

export function startDaemonSetController(config: DaemonSetControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'daemonset' });
  const ctx: SyncContext = {
    deps,
    daemonSets: deps.informers.informer('apps', 'daemonsets'),
    pods: deps.informers.informer('', 'pods'),
    nodes: deps.informers.informer('', 'nodes'),
    revisions: deps.informers.informer<ControllerRevision>('apps', 'controllerrevisions'),
    expectations: new Expectations(deps.clock),
  };
  ctx.pods.cache.addIndex(controllerUidIndexName, controllerUidIndex);
  ctx.revisions.cache.addIndex(controllerUidIndexName, controllerUidIndex);
  const queue = new WorkQueue();
  registerHandlers(ctx, queue);

  return startQueueLoop({
    queue,
    informers: [ctx.daemonSets, ctx.pods, ctx.nodes, ctx.revisions],
    workers: config.workers ?? 2,
    sync: (key) => syncDaemonSet(ctx, key),
    onError: (key, err) => log.warn({ key, err: String(err) }, 'sync failed; retrying'),
    stopWaitsForSync: true,
  });
}

function registerHandlers(ctx: SyncContext, queue: WorkQueue): void {
  const ownerKey = (obj: KubeObject): string | undefined => {
    const ref = controllerOf(obj);
    return ref?.kind === 'DaemonSet' && obj.metadata.namespace ? `${obj.metadata.namespace}/${ref.name}` : undefined;
  };
  const enqueueAll = (): void => {
    for (const ds of ctx.daemonSets.cache.list()) queue.add(keyOf(ds));
  };
  ctx.daemonSets.addHandlers({
    onAdd: (ds) => queue.add(keyOf(ds)),
    onUpdate: (_old, ds) => queue.add(keyOf(ds)),
    onDelete: (ds) => (ctx.expectations.forget(keyOf(ds)), queue.add(keyOf(ds))),
  });
  ctx.pods.addHandlers({
    onAdd: (pod) => {
      const key = ownerKey(pod);
      if (!key) return;
      ctx.expectations.creationObserved(key);
      queue.add(key);
    },
    onUpdate: (old, pod) => {
      const key = ownerKey(pod);
      if (key && pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) ctx.expectations.deletionObserved(key, pod.metadata.uid);
      for (const k of new Set([ownerKey(old), key])) if (k) queue.add(k);
    },
    onDelete: (pod) => {
      const key = ownerKey(pod);
      if (!key) return;
      ctx.expectations.deletionObserved(key, pod.metadata.uid);
      queue.add(key);
    },
  });
  ctx.nodes.addHandlers({
    onAdd: enqueueAll,
    onUpdate: (old, node) => {
      if (!deepEqual(placementFacts(old), placementFacts(node))) enqueueAll();
    },
    onDelete: enqueueAll,
  });
  ctx.revisions.addHandlers({
    onDelete: (rev) => {
      const key = ownerKey(rev);
      if (key) queue.add(key);
    },
  });
}

function specOf(ds: KubeObject): Record<string, unknown> {
  return isRecord(ds.spec) ? ds.spec : {};
}

function inputsFor(ctx: SyncContext, ds: KubeObject, hash: string): DaemonSetInputs {
  const spec = specOf(ds);
  const template = isRecord(spec.template) ? spec.template : {};
  const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {};
  const rolling = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const maxUnavailable = rolling.maxUnavailable;
  return {
    nodes: ctx.nodes.cache.list(),
    pods: ctx.pods.cache.byIndex(controllerUidIndexName, ds.metadata.uid ?? ''),
    templateSpec: isRecord(template.spec) ? template.spec : {},
    hash,
    maxUnavailable: typeof maxUnavailable === 'number' || typeof maxUnavailable === 'string' ? maxUnavailable : 1,
    onDelete: strategy.type === 'OnDelete',
    minReadySeconds: typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0,
    now: ctx.deps.clock.now(),
  };
}

async function syncDaemonSet(ctx: SyncContext, key: string): Promise<void> {
  const ds = ctx.daemonSets.cache.get(key);
  if (!ds || ds.metadata.deletionTimestamp) return;
  const status = isRecord(ds.status) ? ds.status : {};
  const owned = ctx.revisions.cache.byIndex(controllerUidIndexName, ds.metadata.uid ?? '');
  const revs = planRevisions({
    owner: ds,
    ownerRef: controllerRef(ds, 'apps/v1', 'DaemonSet'),
    revisions: owned,
    currentRevisionName: undefined,
    collisionCount: typeof status.collisionCount === 'number' ? status.collisionCount : 0,
  });
  if (revs.create) {
    await ctx.deps.client.create(revisionsInfo, ds.metadata.namespace, revs.create, { fieldManager }).catch(ignore('AlreadyExists'));
  }
  if (revs.renumber) await ctx.deps.client.update(revisionsInfo, revs.renumber, { fieldManager });
  const hash = revs.update.metadata.labels?.['controller.kubernetes.io/hash'] ?? '';
  const inputs = inputsFor(ctx, ds, hash);

  if (ctx.expectations.satisfied(key)) await applyPlan(ctx, { key, ds, plan: planDaemonSet(inputs), hash });

  const next = { ...computeDaemonSetStatus({ ...inputs, generation: ds.metadata.generation }), collisionCount: revs.collisionCount };
  if (!deepEqual({ ...status, ...next }, status)) {
    await ctx.deps.client.patch(daemonSetsInfo, ds.metadata.namespace, ds.metadata.name ?? '', 'merge', { status: next }, { subresource: 'status', fieldManager });
  }
  const live = new Set([revs.update.metadata.name ?? '']);
  for (const pod of inputs.pods) live.add(`${ds.metadata.name ?? ''}-${pod.metadata.labels?.[revisionHashLabel] ?? ''}`);
  const historyLimit = typeof specOf(ds).revisionHistoryLimit === 'number' ? (specOf(ds).revisionHistoryLimit as number) : 10;
  for (const rev of revisionsToPrune({ revisions: owned, live, historyLimit })) {
    await ctx.deps.client.delete(revisionsInfo, rev.metadata.namespace, rev.metadata.name ?? '').catch(ignore('NotFound'));
  }
}

async function applyPlan(ctx: SyncContext, args: { key: string; ds: KubeObject; plan: DaemonSetPlan; hash: string }): Promise<void> {
  const { key, ds, plan } = args;
  const spec = specOf(ds);
  const template = isRecord(spec.template) ? spec.template : {};
  await applyPodChanges({
    client: ctx.deps.client,
    expectations: ctx.expectations,
    key,
    create: plan.create.map((nodeName) => newDaemonPod({ set: ds, template, nodeName, hash: args.hash })),
    delete: plan.delete,
    fieldManager,
  });
}

function ignore(reason: 'NotFound' | 'AlreadyExists') {
  return (err: unknown): undefined => {
    if (!isStatusError(err, reason)) throw err;
    return undefined;
  };
}
