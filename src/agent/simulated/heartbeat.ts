/**
 * The simulated nodes' side of node health: each registers its Node (create, or update the
 * one already there), reports itself Ready, and renews its Lease in kube-node-lease on a
 * fixed interval, as the kubelet does. When something else marks a live node not Ready (the
 * node lifecycle controller after a pause), the node says Ready again, as a kubelet's next
 * status update would. A paused node does none of this.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import type { ApiClient } from '../../client/rest.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { NodeIpam } from '../../lib/ipam.js';
import {
  effectivePodCIDR,
  isNodeReady,
  nodeLease,
  nodeLeaseNamespace,
  nodeStatus,
  planNodeObject,
  type NodeFacts,
  type SimulatedNode,
} from './node-object.js';
import { fieldManager, type NodeState } from './pod-loop.js';

const nodeInfo = findResource('', 'nodes') as ResourceInfo;
const leaseInfo = findResource('coordination.k8s.io', 'leases') as ResourceInfo;

export interface HeartbeatArgs {
  client: ApiClient;
  nodes: Informer;
  states: Map<string, NodeState>;
  specs: Map<string, SimulatedNode>;
  facts: NodeFacts;
  clock: Clock;
  log: Logger;
  leaseDurationSeconds: number;
  renewIntervalMs: number;
}

export class Heartbeat {
  private readonly queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 5000 });
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private isRenewing = false;

  constructor(private readonly args: HeartbeatArgs) {
    args.nodes.addHandlers({
      onUpdate: (_old, node) => this.reassert(node),
      onAdd: (node) => this.reassert(node),
    });
  }

  /** Registers every node once, before the pod loop needs their CIDRs. */
  async registerAll(): Promise<void> {
    await Promise.all([...this.args.states.keys()].map((name) => this.syncNode(name, true)));
  }

  start(): void {
    this.running = runWorkers({
      queue: this.queue,
      workers: 4,
      sync: (name) => this.syncNode(name, false),
      onError: (name, err) => this.args.log.warn({ node: name, err: message(err) }, 'node status update failed; retrying'),
    });
    this.timer = setInterval(() => void this.renewAll(), this.args.renewIntervalMs);
    this.timer.unref();
  }

  /** Reports the node Ready again at once (after a pause). */
  refresh(name: string): void {
    this.queue.add(name);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.queue.shutDown();
    await this.running;
  }

  private reassert(node: KubeObject): void {
    const state = this.args.states.get(node.metadata.name ?? '');
    if (state?.ipam && !state.isPaused && !isNodeReady(node)) this.queue.add(state.name);
  }

  /** Creates or updates the Node, writes its status and renews its Lease. */
  private async syncNode(name: string, isRegistering: boolean): Promise<void> {
    const state = this.args.states.get(name);
    const spec = this.args.specs.get(name);
    if (!state || !spec || (state.isPaused && !isRegistering)) return;
    const node = await this.ensureNode(spec);
    state.ipam ??= new NodeIpam(effectivePodCIDR(node, spec));
    await this.renew(node);
  }

  private async ensureNode(spec: SimulatedNode): Promise<KubeObject> {
    const { client, facts, clock } = this.args;
    let existing = this.args.nodes.cache.get(spec.name);
    if (!existing) {
      const desired = planNodeObject(undefined, spec, facts) as KubeObject;
      try {
        return await client.create(nodeInfo, undefined, { ...desired, status: nodeStatus(undefined, spec, facts, clock.now()) }, { fieldManager });
      } catch (err) {
        if (!isStatusError(err, 'AlreadyExists')) throw err;
        existing = await client.get(nodeInfo, undefined, spec.name);
      }
    }
    const updated = await this.updateNode(existing, spec);
    const status = nodeStatus(updated, spec, facts, clock.now());
    return client.patch(nodeInfo, undefined, spec.name, 'merge', { status }, { subresource: 'status', fieldManager });
  }

  /** Brings labels and podCIDR in line; a lost race re-reads the Node and tries again. */
  private async updateNode(existing: KubeObject, spec: SimulatedNode): Promise<KubeObject> {
    let current = existing;
    for (let attempt = 1; ; attempt++) {
      const desired = planNodeObject(current, spec, this.args.facts);
      if (!desired) return current;
      try {
        return await this.args.client.update(nodeInfo, desired, { fieldManager });
      } catch (err) {
        if (!isStatusError(err, 'Conflict') || attempt >= 5) throw err;
        current = await this.args.client.get(nodeInfo, undefined, spec.name);
      }
    }
  }

  private async renewAll(): Promise<void> {
    if (this.isRenewing) return;
    this.isRenewing = true;
    try {
      const live = [...this.args.states.values()].filter((s) => s.ipam && !s.isPaused);
      const results = await Promise.allSettled(live.map((s) => this.renewByName(s.name)));
      for (const [i, r] of results.entries()) {
        if (r.status === 'rejected') this.args.log.warn({ node: live[i]?.name, err: message(r.reason) }, 'lease renewal failed');
      }
    } finally {
      this.isRenewing = false;
    }
  }

  private async renewByName(name: string): Promise<void> {
    const node = this.args.nodes.cache.get(name) ?? { metadata: { name } };
    await this.renew(node);
  }

  /** Moves renewTime forward; recreates the Lease if it is gone. */
  private async renew(node: KubeObject): Promise<void> {
    const lease = nodeLease({ node, leaseDurationSeconds: this.args.leaseDurationSeconds, now: this.args.clock.now() });
    const name = lease.metadata.name ?? '';
    try {
      await this.args.client.patch(leaseInfo, nodeLeaseNamespace, name, 'merge', { spec: lease.spec }, { fieldManager });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
      await this.args.client.create(leaseInfo, nodeLeaseNamespace, lease, { fieldManager });
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
