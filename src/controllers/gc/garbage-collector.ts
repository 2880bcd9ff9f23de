/**
 * The garbage collector: deletes objects whose owners are all gone, runs foreground deletion
 * (owner waits for its blocking dependents) and orphaning (dependents lose the reference).
 * Level-triggered: handlers enqueue the objects an event may concern; `sync` rebuilds the
 * item's view from the caches (and the server, before declaring an owner gone) and applies
 * `planItem`.
 */
import { isStatusError } from '../../api/status.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { keyOf } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { OwnerGraph, isDeletingDependents, itemKey, locateOwner, parseItemKey, type ItemRef } from './graph.js';
import { planItem, foregroundFinalizer, orphanFinalizer, type GcAction, type ItemView, type OwnerState } from './plan.js';

export interface GarbageCollectorConfig {
  workers?: number;
}

const fieldManager = 'garbage-collector';

export function startGarbageCollector(config: GarbageCollectorConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'garbage-collector' });
  const graph = new OwnerGraph(deps.informers);
  const queue = new WorkQueue();
  const concerns = (obj: KubeObject): boolean =>
    (obj.metadata.ownerReferences?.length ?? 0) > 0 ||
    (!!obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).some((f) => f === foregroundFinalizer || f === orphanFinalizer));
  // An owner waiting on its dependents must hear when one of them changes or goes.
  const enqueueWaitingOwners = (obj: KubeObject): void => {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const owner = graph.cachedOwner(obj, ref);
      if (owner?.obj.metadata.deletionTimestamp) queue.add(owner.key);
    }
  };
  for (const informer of graph.all()) {
    const key = (obj: KubeObject): string => itemKey(informer.info, keyOf(obj));
    informer.addHandlers({
      onAdd: (obj) => {
        if (concerns(obj)) queue.add(key(obj));
      },
      onUpdate: (old, obj) => {
        if (concerns(obj)) queue.add(key(obj));
        enqueueWaitingOwners(old);
        enqueueWaitingOwners(obj);
      },
      onDelete: (obj) => {
        for (const d of graph.dependentsOf(obj.metadata.uid ?? '')) queue.add(d.key);
        enqueueWaitingOwners(obj);
      },
    });
  }
  const collector = new Collector(graph, deps, queue);
  return startQueueLoop({
    queue,
    informers: graph.all(),
    workers: config.workers ?? 4,
    sync: (key) => collector.sync(key),
    onError: (key, err) => log.warn({ key, err: errorText(err) }, 'garbage collection failed; retrying'),
    stopWaitsForSync: true,
  });
}

class Collector {
  constructor(
    private readonly graph: OwnerGraph,
    private readonly deps: ControllerDeps,
    private readonly queue: WorkQueue,
  ) {}

  async sync(key: string): Promise<void> {
    const ref = parseItemKey(key);
    const obj = ref && this.graph.get(ref);
    if (!ref || !obj) return;
    const view = await this.view(obj);
    for (const action of planItem(view)) await this.apply(ref, obj, action);
  }

  private async view(obj: KubeObject): Promise<ItemView> {
    const uid = obj.metadata.uid ?? '';
    const owners = await Promise.all((obj.metadata.ownerReferences ?? []).map(async (ref) => ({ ref, state: await this.ownerState(obj, ref) })));
    const dependents = this.graph.dependentsOf(uid).map(({ key, obj: d }) => ({
      key,
      blocksOwner: (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true),
      deletingDependents: isDeletingDependents(d),
    }));
    return { uid, beingDeleted: !!obj.metadata.deletionTimestamp, finalizers: obj.metadata.finalizers ?? [], owners, dependents };
  }

  /** The cache may lag the server: an owner missing from it is confirmed gone by a live read. */
  private async ownerState(dependent: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const loc = locateOwner(dependent, ref);
    if (!loc) return 'unknown';
    if (loc.invalid) return 'dangling';
    let owner = this.graph.cachedOwner(dependent, ref)?.obj;
    if (!owner) {
      try {
        owner = await this.deps.client.get(loc.info, loc.namespace, loc.name);
      } catch (err) {
        if (isStatusError(err, 'NotFound')) return 'dangling';
        throw err;
      }
    }
    if (owner.metadata.uid !== ref.uid) return 'dangling';
    return isDeletingDependents(owner) ? 'waiting' : 'solid';
  }

  private async apply(ref: ItemRef, obj: KubeObject, action: GcAction): Promise<void> {
    switch (action.type) {
      case 'removeOwnerRefs':
        return this.patchOwnerRefs(ref, obj, (refs) => refs.filter((r) => !action.uids.includes(r.uid)));
      case 'unblockOwnerRefs':
        return this.patchOwnerRefs(ref, obj, (refs) =>
          refs.map((r) => (action.uids.includes(r.uid) ? { ...r, blockOwnerDeletion: false } : r)),
        );
      case 'delete':
        // A uid precondition that fails means the name now holds another object: not ours to delete.
        return ignoreGone(
          this.deps.client.delete(ref.info, ref.namespace, ref.name, { propagationPolicy: action.policy, preconditions: { uid: obj.metadata.uid } }),
          true,
        );
      case 'orphanDependents':
        return this.orphan(obj.metadata.uid ?? '', action.keys);
      case 'removeFinalizer': {
        const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== action.finalizer);
        const patch = { metadata: { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, finalizers: finalizers.length ? finalizers : null } };
        return ignoreGone(this.deps.client.patch(ref.info, ref.namespace, ref.name, 'merge', patch, { fieldManager }));
      }
      case 'attemptDependents':
        for (const key of action.keys) this.queue.add(key);
        return;
    }
  }

  /** Rewrites ownerReferences with optimistic concurrency: a 409 retries the whole sync. */
  private async patchOwnerRefs(ref: ItemRef, obj: KubeObject, change: (refs: OwnerReference[]) => OwnerReference[]): Promise<void> {
    const refs = change(obj.metadata.ownerReferences ?? []);
    const patch = { metadata: { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } };
    await ignoreGone(this.deps.client.patch(ref.info, ref.namespace, ref.name, 'merge', patch, { fieldManager }));
  }

  private async orphan(ownerUid: string, keys: string[]): Promise<void> {
    for (const key of keys) {
      const ref = parseItemKey(key);
      const dependent = ref && this.graph.get(ref);
      if (!ref || !dependent) continue;
      await this.patchOwnerRefs(ref, dependent, (refs) => refs.filter((r) => r.uid !== ownerUid));
    }
  }
}

/** The object went (or was replaced) meanwhile: nothing left to do for it. */
async function ignoreGone(write: Promise<unknown>, replacedIsGone = false): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return;
    if (replacedIsGone && isStatusError(err, 'Conflict')) return;
    throw err;
  }
}
