/**
 * The ReplicaSet and ReplicationController controllers: one loop, two kinds. Pod and owner
 * events enqueue owner keys; a sync re-reads the owner and its candidate pods from the
 * informer caches, plans, and applies the plan.
 */
import type { Informer } from '../../client/informer.js';
import { keyOf } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { adoptPod, createPods, deletePods, ownerIdentity, releasePod, updateStatus, type Writer } from './apply.js';
import { Expectations } from './expectations.js';
import { controllerRefOf, controllerUidIndex, controllerUidIndexValues } from './ownership.js';
import { defaultBurstReplicas, planReplicaSet, statusChanged, withManageResult } from './plan.js';
import { isPodReady } from './pods.js';
import type { Pod, ReplicaSet } from './types.js';
import { replicaSetKind, replicationControllerKind, type WorkloadKind } from './workload.js';

export interface ReplicaSetControllerConfig {
  /** Keys synced at once (upstream --concurrent-replicaset-syncs, 5). */
  workers?: number;
  /** Most pods created or deleted by one sync (upstream burstReplicas, 500). */
  burstReplicas?: number;
  /** How long unobserved creations/deletions hold back the next change. */
  expectationsTimeoutMs?: number;
}

export function startReplicaSetController(config: ReplicaSetControllerConfig, deps: ControllerDeps): Controller {
  return startReplicaController(replicaSetKind, config, deps);
}

export function startReplicationControllerController(config: ReplicaSetControllerConfig, deps: ControllerDeps): Controller {
  return startReplicaController(replicationControllerKind, config, deps);
}

function startReplicaController(kind: WorkloadKind, config: ReplicaSetControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: kind.controllerName });
  const queue = new WorkQueue({ minResyncMs: 50 }) // coalesce bursts of pod events on one owner;
  const expectations = new Expectations(deps.clock, config.expectationsTimeoutMs ?? 5000);
  const pods = deps.informers.informer<Pod>('', 'pods');
  const owners = deps.informers.informer<ReplicaSet>(kind.info.group, kind.info.plural);
  pods.cache.addIndex(controllerUidIndex, controllerUidIndexValues);
  const writer: Writer = { client: deps.client, fieldManager: kind.controllerName };
  const resolver = new OwnerResolver(kind, owners);

  owners.addHandlers({
    onAdd: (rs) => queue.add(keyOf(rs)),
    onUpdate: (_old, rs) => queue.add(keyOf(rs)),
    onDelete: (rs) => {
      expectations.forget(keyOf(rs));
      queue.add(keyOf(rs));
    },
  });
  pods.addHandlers(podHandlers({ resolver, expectations, enqueue: (key, delayMs) => (delayMs ? queue.addAfter(key, delayMs) : queue.add(key)) }));

  const sync = async (key: string): Promise<void> => {
    const rs = owners.cache.get(key);
    if (!rs) {
      expectations.forget(key);
      return;
    }
    const requeueAfterMs = await syncReplicaSet({ kind, rs, key, pods, expectations, writer, burstReplicas: config.burstReplicas, now: deps.clock.now() });
    if (requeueAfterMs !== undefined) queue.addAfter(key, requeueAfterMs);
  };

  return startQueueLoop({
    queue,
    informers: [pods, owners],
    workers: config.workers ?? 5,
    sync,
    onError: (key, err) => log.warn({ key, err: errorText(err) }, 'sync failed; retrying'),
  });
}

/** Finds the owner a controllerRef names, if it is of this kind and still the same object. */
class OwnerResolver {
  constructor(
    readonly kind: WorkloadKind,
    private readonly owners: Informer<ReplicaSet>,
  ) {}

  ownerKey(pod: Pod): string | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const key = `${pod.metadata.namespace ?? ''}/${ref.name}`;
    return this.owners.cache.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  minReadySeconds(key: string): number {
    return this.owners.cache.get(key)?.spec?.minReadySeconds ?? 0;
  }

  /** Owners in the pod's namespace whose selector matches it (for orphans). */
  selecting(pod: Pod): string[] {
    return this.owners.cache
      .listNamespace(pod.metadata.namespace ?? '')
      .filter((rs) => safeMatches(this.kind, rs, pod))
      .map(keyOf);
  }
}

function safeMatches(kind: WorkloadKind, rs: ReplicaSet, pod: Pod): boolean {
  try {
    return kind.selectorOf(rs).matches(pod.metadata.labels);
  } catch {
    return false; // an invalid selector selects nothing; the API server refuses such objects
  }
}

function podHandlers(args: { resolver: OwnerResolver; expectations: Expectations; enqueue: (key: string, delayMs?: number) => void }) {
  const { resolver, expectations, enqueue } = args;
  const onDelete = (pod: Pod): void => {
    const owner = resolver.ownerKey(pod);
    if (!owner) return;
    expectations.deletionObserved(owner, keyOf(pod));
    enqueue(owner);
  };
  return {
    onAdd(pod: Pod): void {
      if (pod.metadata.deletionTimestamp) return onDelete(pod);
      const owner = resolver.ownerKey(pod);
      if (owner) {
        expectations.creationObserved(owner);
        enqueue(owner);
      } else if (!controllerRefOf(pod)) {
        for (const key of resolver.selecting(pod)) enqueue(key);
      }
    },
    onUpdate(old: Pod, pod: Pod): void {
      const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
      if (pod.metadata.deletionTimestamp) {
        onDelete(pod);
        if (labelsChanged) onDelete(old);
        return;
      }
      const oldOwner = resolver.ownerKey(old);
      const owner = resolver.ownerKey(pod);
      if (oldOwner && oldOwner !== owner) enqueue(oldOwner);
      if (owner) {
        enqueue(owner);
        // A pod that just turned ready becomes available after minReadySeconds: look again then.
        const minReady = resolver.minReadySeconds(owner);
        if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) enqueue(owner, minReady * 1000 + 1);
        return;
      }
      if (!controllerRefOf(pod) || labelsChanged) for (const key of resolver.selecting(pod)) enqueue(key);
    },
    onDelete,
  };
}

interface SyncArgs {
  kind: WorkloadKind;
  rs: ReplicaSet;
  key: string;
  pods: Informer<Pod>;
  expectations: Expectations;
  writer: Writer;
  burstReplicas?: number;
  now: Date;
}

/** One sync of one owner; returns when to look again, if the state will change by itself. */
async function syncReplicaSet(args: SyncArgs): Promise<number | undefined> {
  const { kind, rs, key, expectations, writer, now } = args;
  const ns = rs.metadata.namespace ?? '';
  const candidates = [...args.pods.cache.byIndex(controllerUidIndex, rs.metadata.uid ?? ''), ...args.pods.cache.byIndex(controllerUidIndex, `orphan/${ns}`)];
  const manage = expectations.satisfied(key);
  const plan = planReplicaSet({ rs, pods: candidates, now, selector: kind.selectorOf(rs), manage, burstReplicas: args.burstReplicas ?? defaultBurstReplicas });
  const owner = ownerIdentity(rs, kind);
  await Promise.all([...plan.adopt.map((p) => adoptPod(writer, p, owner)), ...plan.release.map((p) => releasePod(writer, p, rs.metadata.uid ?? ''))]);

  let error: unknown;
  if (plan.create > 0) {
    expectations.expect(key, { adds: plan.create, deletes: [] });
    const result = await createPods(writer, rs, owner, plan.create);
    expectations.lowerCreations(key, plan.create - result.successes);
    error = result.error;
  } else if (plan.delete.length > 0) {
    expectations.expect(key, { adds: 0, deletes: plan.delete.map(keyOf) });
    const result = await deletePods(writer, plan.delete);
    for (const pod of result.failed) expectations.deletionObserved(key, keyOf(pod));
    error = result.error;
  }
  const status = withManageResult(plan.status, { error: error === undefined ? undefined : errorMessage(error), diff: plan.diff, now });
  if (statusChanged(rs.status, status)) await updateStatus(writer, kind.info, rs, status);
  if (error !== undefined) throw error;
  if (!manage) return expectations.msUntilTimeout(key) + 1;
  return plan.requeueAfterMs;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
