/**
 * The simulated node's pod loop: pods bound to its nodes are queued by key; a sync reads the
 * pod from the shared informer, gives it an address, asks the planner what its status
 * should be and writes it (bounded by the worker count), removes pods whose graceful
 * deletion has run its course, and parks pods that must be looked at later on one schedule.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { keyOf } from '../../client/keys.js';
import type { ApiClient } from '../../client/rest.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import type { NodeIpam } from '../../lib/ipam.js';
import { planPod } from './pod-status.js';
import { Schedule } from './schedule.js';

export const fieldManager = 'simulated-node';
export const nodeNameIndex = 'spec.nodeName';

/** One simulated node as the loops see it. */
export interface NodeState {
  name: string;
  hostIP: string;
  /** Set once the Node is registered (its pod CIDR is known). */
  ipam?: NodeIpam;
  /** A paused node behaves like a dead kubelet: no heartbeat, no pod work. */
  isPaused: boolean;
  /** Pods waiting for an address to be freed (the CIDR is full). */
  waitingForAddress?: Set<string>;
}

interface PodTimes {
  startedAtMs: number;
  terminatingSinceMs?: number;
}

export interface PodLoopArgs {
  client: ApiClient;
  pods: Informer;
  nodes: Map<string, NodeState>;
  clock: Clock;
  log: Logger;
  terminationDelayMs: number;
  workers: number;
}

const podInfo = findResource('', 'pods') as ResourceInfo;

export function podNodeName(pod: KubeObject): string {
  return isRecord(pod.spec) && typeof pod.spec.nodeName === 'string' ? pod.spec.nodeName : '';
}

export class PodLoop {
  private readonly queue = new WorkQueue();
  private readonly schedule: Schedule;
  private readonly timesByUid = new Map<string, PodTimes>();
  private running: Promise<void> | undefined;

  constructor(private readonly args: PodLoopArgs) {
    this.schedule = new Schedule({ nowMs: () => args.clock.now().getTime(), onDue: (key) => this.queue.add(key) });
    args.pods.cache.addIndex(nodeNameIndex, (pod) => {
      const name = podNodeName(pod);
      return name ? [name] : [];
    });
    args.pods.addHandlers({
      onAdd: (pod) => this.enqueue(pod),
      onUpdate: (_old, pod) => this.enqueue(pod),
      onDelete: (pod) => this.forget(pod),
    });
  }

  /** Records the addresses pods already have, so none is handed out twice after a restart. */
  rebuild(): void {
    for (const node of this.args.nodes.values()) {
      if (!node.ipam) continue;
      for (const pod of this.args.pods.cache.byIndex(nodeNameIndex, node.name)) {
        const ip = currentPodIP(pod);
        if (!ip || isTerminal(pod)) continue;
        if (!node.ipam.reserve(pod.metadata.uid ?? '', ip)) {
          this.args.log.warn({ pod: keyOf(pod), ip, node: node.name }, 'pod address outside the node CIDR or already held; left as is');
        }
      }
    }
  }

  start(): void {
    this.running = runWorkers({
      queue: this.queue,
      workers: this.args.workers,
      sync: (key) => this.sync(key),
      onError: (key, err) => this.args.log.warn({ pod: key, err: err instanceof Error ? err.message : String(err) }, 'pod sync failed; retrying'),
    });
  }

  /** Queues every pod of a node (after a pause, or once it is registered). */
  enqueueNode(nodeName: string): void {
    for (const pod of this.args.pods.cache.byIndex(nodeNameIndex, nodeName)) this.queue.add(keyOf(pod));
  }

  async stop(): Promise<void> {
    this.schedule.stop();
    this.queue.shutDown();
    await this.running;
  }

  private enqueue(pod: KubeObject): void {
    if (this.args.nodes.has(podNodeName(pod))) this.queue.add(keyOf(pod));
  }

  /** The pod is gone: its address may be handed out again. */
  private forget(pod: KubeObject): void {
    const node = this.args.nodes.get(podNodeName(pod));
    if (!node) return;
    const uid = pod.metadata.uid ?? '';
    node.ipam?.release(uid);
    this.timesByUid.delete(uid);
    this.wakeWaiting(node);
    const key = keyOf(pod);
    if (!this.args.pods.cache.get(key)) this.schedule.cancel(key);
  }

  private async sync(key: string): Promise<void> {
    const pod = this.args.pods.cache.get(key);
    if (!pod) return;
    const node = this.args.nodes.get(podNodeName(pod));
    if (!node?.ipam || node.isPaused) return;
    const nowMs = this.args.clock.now().getTime();
    const times = this.timesOf(pod, nowMs);
    const plan = planPod(pod, {
      nowMs,
      hostIP: node.hostIP,
      podIP: this.addressOf(pod, node),
      startedAtMs: times.startedAtMs,
      terminatingSinceMs: times.terminatingSinceMs,
      terminationDelayMs: this.args.terminationDelayMs,
    });
    if (plan.status) await this.writeStatus(pod, plan.status);
    if (plan.isTerminal) {
      node.ipam.release(pod.metadata.uid ?? '');
      this.wakeWaiting(node);
    }
    if (plan.deleteAtMs !== undefined) {
      if (plan.deleteAtMs <= nowMs) await this.remove(pod);
      else this.schedule.at(key, plan.deleteAtMs);
    }
    if (plan.recheckAtMs !== undefined) this.schedule.at(key, plan.recheckAtMs);
  }

  private timesOf(pod: KubeObject, nowMs: number): PodTimes {
    const uid = pod.metadata.uid ?? '';
    let times = this.timesByUid.get(uid);
    if (!times) {
      // After a restart the pod's startTime is the best record of when it started.
      const startTime = isRecord(pod.status) && typeof pod.status.startTime === 'string' ? Date.parse(pod.status.startTime) : NaN;
      times = { startedAtMs: Number.isNaN(startTime) ? nowMs : startTime };
      this.timesByUid.set(uid, times);
    }
    if (pod.metadata.deletionTimestamp && times.terminatingSinceMs === undefined) times.terminatingSinceMs = nowMs;
    return times;
  }

  /** The pod's address: the one it has, or a new one for a pod about to run. */
  private addressOf(pod: KubeObject, node: NodeState): string | undefined {
    const ipam = node.ipam as NodeIpam;
    const uid = pod.metadata.uid ?? '';
    const held = currentPodIP(pod);
    if (held) {
      if (!isTerminal(pod)) ipam.reserve(uid, held);
      return held;
    }
    if (isTerminal(pod) || pod.metadata.deletionTimestamp) return undefined;
    const ip = ipam.allocate(uid);
    if (!ip) {
      // Stays Pending until a pod of this node goes; then it is queued again.
      node.waitingForAddress ??= new Set();
      if (!node.waitingForAddress.has(keyOf(pod))) this.args.log.warn({ pod: keyOf(pod), node: node.name, inUse: ipam.allocated }, 'pod CIDR full; pod waits');
      node.waitingForAddress.add(keyOf(pod));
    }
    return ip;
  }

  private wakeWaiting(node: NodeState): void {
    const waiting = node.waitingForAddress;
    if (!waiting || waiting.size === 0) return;
    node.waitingForAddress = undefined;
    for (const key of waiting) this.queue.add(key);
  }

  private async writeStatus(pod: KubeObject, status: Record<string, unknown>): Promise<void> {
    // The uid test keeps a status meant for this pod off a new pod of the same name.
    const ops = [
      { op: 'test', path: '/metadata/uid', value: pod.metadata.uid },
      { op: 'add', path: '/status', value: status },
    ];
    try {
      await this.args.client.patch(podInfo, pod.metadata.namespace, pod.metadata.name ?? '', 'json', ops, { subresource: 'status', fieldManager });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }

  private async remove(pod: KubeObject): Promise<void> {
    try {
      await this.args.client.delete(podInfo, pod.metadata.namespace, pod.metadata.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      // Gone already, or a new pod took the name: either way this one is done.
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }
}

function currentPodIP(pod: KubeObject): string | undefined {
  return isRecord(pod.status) && typeof pod.status.podIP === 'string' && pod.status.podIP ? pod.status.podIP : undefined;
}

function isTerminal(pod: KubeObject): boolean {
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  return phase === 'Succeeded' || phase === 'Failed';
}
