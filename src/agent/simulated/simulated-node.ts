/**
 * Simulated nodes (like kwok): they stand where node agents would, register Nodes with pod
 * CIDRs and Leases, and run the pods bound to them on paper: an address from the node's CIDR,
 * Running and Ready, graceful deletion completed. No process starts.
 */
import { arch, release } from 'node:os';
import { formatCidr, formatIpv4, nthSubnet, parseIpv4, parseIpv4Cidr } from '../../lib/ipam.js';
import { goArch, type NodeFacts, type SimulatedNode } from './node-object.js';
import { Heartbeat } from './heartbeat.js';
import { PodLoop, type NodeState } from './pod-loop.js';
import type { Controller, ControllerDeps } from '../../controllers/types.js';
import type { KubeObject } from '../../api/types.js';
import { simulatedLeaseAnnotation } from './pod-status.js';

export interface SimulatedNodesConfig {
  count: number;
  /** Node names are `<prefix><i>`; default `sim-node-`. */
  namePrefix?: string;
  /** The cluster's pod CIDR, cut into one subnet per node; default 10.244.0.0/16. */
  podCidr?: string;
  /** The size of each node's subnet, as kube-controller-manager's --node-cidr-mask-size; default 24. */
  nodeCidrMaskSize?: number;
  /** Node i's InternalIP is this address + i + 2 (.1 is the API server); default 10.243.0.0. */
  nodeNetworkBase?: string;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  /** status.capacity.pods; default 110 (the kubelet's). Raise it to pack many pods on few nodes. */
  maxPods?: number;
  cpu?: string;
  memory?: string;
  /** Longest a terminating pod stays before it is removed (its grace period caps it too); default 0. */
  terminationDelayMs?: number;
  /** Pod status writes and deletions in flight at once; default 32. */
  concurrency?: number;
}

export interface SimulatedNodes extends Controller {
  /** Stops the node's heartbeat and pod work, as if its kubelet died. */
  pauseLease(nodeName: string): void;
  /** Brings it back: Lease renewed, Ready True, its pods looked at again. */
  resumeLease(nodeName: string): void;
}

/** The node list a configuration describes (pure: names, pod CIDRs, addresses). */
export function simulatedNodeSpecs(config: SimulatedNodesConfig): SimulatedNode[] {
  const cluster = parseIpv4Cidr(config.podCidr ?? '10.244.0.0/16');
  const mask = config.nodeCidrMaskSize ?? 24;
  const networkBase = parseIpv4(config.nodeNetworkBase ?? '10.243.0.0');
  if (networkBase === undefined) throw new Error(`invalid nodeNetworkBase ${String(config.nodeNetworkBase)}`);
  if (!Number.isInteger(config.count) || config.count < 0) throw new Error(`invalid node count ${config.count}`);
  return Array.from({ length: config.count }, (_, i) => ({
    name: `${config.namePrefix ?? 'sim-node-'}${i}`,
    podCIDR: formatCidr(nthSubnet(cluster, mask, i)),
    internalIP: formatIpv4(networkBase + i + 2),
  }));
}

function nodeFacts(config: SimulatedNodesConfig): NodeFacts {
  return {
    arch: goArch(arch()),
    kernelVersion: release(),
    capacity: { cpu: config.cpu ?? '16', memory: config.memory ?? '64Gi', pods: String(config.maxPods ?? 110) },
  };
}

export function startSimulatedNodes(config: SimulatedNodesConfig, deps: ControllerDeps): SimulatedNodes {
  const log = deps.log.child({ component: 'simulated-node' });
  const specs = new Map(simulatedNodeSpecs(config).map((s) => [s.name, s]));
  const states = new Map<string, NodeState>([...specs.values()].map((s) => [s.name, { name: s.name, hostIP: s.internalIP, isPaused: false }]));
  const podInformer = deps.informers.informer('', 'pods');
  const nodeInformer = deps.informers.informer('', 'nodes');
  const pods = new PodLoop({
    client: deps.client,
    pods: podInformer,
    nodes: states,
    clock: deps.clock,
    log,
    terminationDelayMs: config.terminationDelayMs ?? 0,
    workers: config.concurrency ?? 32,
  });
  const heartbeat = new Heartbeat({
    client: deps.client,
    nodes: nodeInformer,
    states,
    specs,
    facts: nodeFacts(config),
    clock: deps.clock,
    log,
    leaseDurationSeconds: config.leaseDurationSeconds ?? 40,
    renewIntervalMs: config.renewIntervalMs ?? 10_000,
  });
  // Tests driven through kubectl pause a node by annotating it.
  const pausedByAnnotation = new Set<string>();
  const followLeaseAnnotation = (node: KubeObject): void => {
    const name = node.metadata.name ?? '';
    const state = states.get(name);
    if (!state) return;
    const wantPaused = node.metadata.annotations?.[simulatedLeaseAnnotation] === 'paused';
    if (wantPaused && !state.isPaused) {
      pausedByAnnotation.add(name);
      state.isPaused = true;
      log.info({ node: name }, 'lease paused by annotation');
    } else if (!wantPaused && pausedByAnnotation.delete(name)) {
      state.isPaused = false;
      heartbeat.refresh(name);
      pods.enqueueNode(name);
      log.info({ node: name }, 'lease resumed');
    }
  };
  nodeInformer.addHandlers({ onAdd: followLeaseAnnotation, onUpdate: (_old, node) => followLeaseAnnotation(node) });
  let isStopped = false;
  const ready = (async () => {
    await Promise.all([podInformer.waitForSync(), nodeInformer.waitForSync()]);
    if (isStopped) return;
    await heartbeat.registerAll();
    pods.rebuild();
    if (isStopped) return;
    heartbeat.start();
    pods.start();
    for (const name of states.keys()) pods.enqueueNode(name);
    log.info({ nodes: states.size }, 'simulated nodes registered');
  })();

  return {
    ready,
    pauseLease(nodeName) {
      const state = states.get(nodeName);
      if (!state) throw new Error(`${nodeName} is not a simulated node`);
      state.isPaused = true;
    },
    resumeLease(nodeName) {
      const state = states.get(nodeName);
      if (!state) throw new Error(`${nodeName} is not a simulated node`);
      state.isPaused = false;
      heartbeat.refresh(nodeName);
      pods.enqueueNode(nodeName);
    },
    async stop() {
      isStopped = true;
      await Promise.all([heartbeat.stop(), pods.stop()]);
    },
  };
}
