/**
 * The node lifecycle controller: watches nodes, their Leases in kube-node-lease and their
 * pods; every monitor period (and on changes) it applies `planNodeLifecycle` to each node.
 * Heartbeats are timed by when this controller observes them (a renewTime or status
 * lastHeartbeatTime that changed), as Kubernetes does, so node clocks do not matter.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { splitKey } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { rfc3339 } from '../../lib/clock.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { planNodeLifecycle, readyCondition, type NodeLifecyclePlan } from './plan.js';

export interface NodeLifecycleConfig {
  /** How long a node may stay silent before it is Unknown (default 40 s). */
  gracePeriodMs?: number;
  /** Longest wait before pods leave an unreachable / not-ready node (default 300 s). */
  evictionTimeoutMs?: number;
  /** How often every node is checked (default 5 s). */
  monitorPeriodMs?: number;
  workers?: number;
}

const nodesInfo = findResource('', 'nodes') as ResourceInfo;
const podsInfo = findResource('', 'pods') as ResourceInfo;
const leaseNamespace = 'kube-node-lease';
const podsByNode = 'nodelifecycle/node';
const fieldManager = 'node-lifecycle-controller';

const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

export function startNodeLifecycleController(config: NodeLifecycleConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'node-lifecycle' });
  const nodes = deps.informers.informer('', 'nodes');
  const leases = deps.informers.informer('coordination.k8s.io', 'leases');
  const pods = deps.informers.informer('', 'pods');
  pods.cache.addIndex(podsByNode, (p) => {
    const node = record(p.spec).nodeName;
    return typeof node === 'string' && node ? [node] : [];
  });
  const queue = new WorkQueue();
  const heartbeats = new Heartbeats(() => deps.clock.now().getTime());

  const onNode = (node: KubeObject): void => {
    const name = node.metadata.name ?? '';
    heartbeats.observe(`node/${name}`, name, String(readyCondition(node)?.lastHeartbeatTime ?? ''));
    queue.add(name);
  };
  nodes.addHandlers({ onAdd: onNode, onUpdate: (_o, n) => onNode(n), onDelete: (n) => heartbeats.forget(n.metadata.name ?? '') });
  const onLease = (lease: KubeObject): void => {
    if (lease.metadata.namespace !== leaseNamespace) return;
    const name = lease.metadata.name ?? '';
    heartbeats.observe(`lease/${name}`, name, String(record(lease.spec).renewTime ?? ''));
    queue.add(name);
  };
  leases.addHandlers({ onAdd: onLease, onUpdate: (_o, l) => onLease(l) });

  const sync = async (name: string): Promise<void> => {
    const node = nodes.cache.get(name);
    if (!node) return;
    const plan = planNodeLifecycle({
      node,
      pods: pods.cache.byIndex(podsByNode, name),
      lastHeartbeatMs: heartbeats.last(name),
      nowMs: deps.clock.now().getTime(),
      gracePeriodMs: config.gracePeriodMs ?? 40_000,
      evictionTimeoutMs: config.evictionTimeoutMs ?? 300_000,
    });
    await apply(deps, node, plan, (key) => pods.cache.get(key));
  };

  let timer: NodeJS.Timeout | undefined;
  const loop = startQueueLoop({
    queue,
    informers: [nodes, leases, pods],
    workers: config.workers ?? 2,
    sync,
    onError: (key, err) => log.warn({ node: key, err: errorText(err) }, 'node lifecycle sync failed; retrying'),
    // Every node is looked at each monitor period, heartbeat or not.
    onSynced: () => {
      timer = setInterval(() => {
        for (const name of nodes.cache.keys()) queue.add(name);
      }, config.monitorPeriodMs ?? 5000);
      timer.unref();
    },
    stopWaitsForSync: true,
  });
  return {
    ready: loop.ready,
    async stop() {
      const stopped = loop.stop();
      await loop.ready;
      clearInterval(timer);
      await stopped;
    },
  };
}

/** When each node was last heard from: the time a heartbeat value was first seen to change. */
class Heartbeats {
  private readonly values = new Map<string, string>();
  private readonly lastMs = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  observe(source: string, node: string, value: string): void {
    if (this.values.get(source) === value && this.lastMs.has(node)) return;
    this.values.set(source, value);
    this.lastMs.set(node, this.now());
  }

  /** A node never heard from counts from when it was first seen (now, at worst). */
  last(node: string): number {
    let t = this.lastMs.get(node);
    if (t === undefined) {
      t = this.now();
      this.lastMs.set(node, t);
    }
    return t;
  }

  forget(node: string): void {
    this.lastMs.delete(node);
    this.values.delete(`node/${node}`);
    this.values.delete(`lease/${node}`);
  }
}

async function apply(deps: ControllerDeps, node: KubeObject, plan: NodeLifecyclePlan, podOf: (key: string) => KubeObject | undefined): Promise<void> {
  const name = node.metadata.name ?? '';
  const now = rfc3339(deps.clock.now());
  if (plan.markUnknown) {
    const status = { conditions: unknownConditions(node, now) };
    await ignoreNotFound(deps.client.patch(nodesInfo, undefined, name, 'merge', { metadata: { resourceVersion: node.metadata.resourceVersion }, status }, { subresource: 'status', fieldManager }));
  }
  if (plan.taints) {
    const patch = { metadata: { resourceVersion: plan.markUnknown ? undefined : node.metadata.resourceVersion }, spec: { taints: plan.taints.length ? plan.taints : null } };
    await ignoreNotFound(deps.client.patch(nodesInfo, undefined, name, 'merge', patch, { fieldManager }));
  }
  for (const key of plan.podsNotReady) {
    const pod = podOf(key);
    if (pod) await markPodNotReady(deps, pod, now);
  }
  for (const key of plan.evict) {
    const { namespace, name: podName } = splitKey(key);
    const pod = podOf(key);
    try {
      await deps.client.delete(podsInfo, namespace, podName, { preconditions: { uid: pod?.metadata.uid } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }
}

/** Every condition the node reported turns Unknown; Ready is added if it never reported one. */
function unknownConditions(node: KubeObject, now: string): Record<string, unknown>[] {
  const current = (Array.isArray(record(node.status).conditions) ? (record(node.status).conditions as unknown[]) : []).filter(isRecord);
  const stopped = { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
  const out = current.map((c) => (c.status === 'Unknown' ? c : { ...c, status: 'Unknown', ...stopped, lastTransitionTime: now }));
  if (!out.some((c) => c.type === 'Ready')) {
    out.push({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: null, lastTransitionTime: now });
  }
  return out;
}

async function markPodNotReady(deps: ControllerDeps, pod: KubeObject, now: string): Promise<void> {
  const status = record(pod.status);
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter(isRecord);
  const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c));
  const patch = { metadata: { resourceVersion: pod.metadata.resourceVersion }, status: { conditions: next } };
  try {
    await deps.client.patch(podsInfo, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', patch, { subresource: 'status', fieldManager });
  } catch (err) {
    // A pod that changed meanwhile is looked at again on the next round.
    if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
  }
}

async function ignoreNotFound(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
  }
}
