/**
 * What a simulated node writes about itself: its Node object (labels, pod CIDR, addresses,
 * capacity, conditions, nodeInfo) and its heartbeat Lease. Pure builders, no I/O.
 */
import { isDeepStrictEqual } from 'node:util';
import { isRecord, type KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../lib/clock.js';

export interface SimulatedNode {
  name: string;
  podCIDR: string;
  internalIP: string;
}

/** Facts of the machine and configuration every simulated node reports. */
export interface NodeFacts {
  /** 'simulated' (default) or 'sandbox': a real node of the cluster sandbox. */
  kind?: 'simulated' | 'sandbox';
  arch: string;
  kernelVersion: string;
  capacity: { cpu: string; memory: string; pods: string };
}

export const kubeletVersion = 'v1.32.0';
export const nodeLeaseNamespace = 'kube-node-lease';

/** Node architecture names as Go spells them (GOARCH), from Node.js's `process.arch`. */
export function goArch(nodeArch: string): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };
  return names[nodeArch] ?? nodeArch;
}

/** Kubernetes MicroTime: `2026-11-22T03:00:00.000000Z`. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function nodeLabels(node: SimulatedNode, facts: NodeFacts): Record<string, string> {
  return {
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': facts.arch,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': facts.arch,
    type: facts.kind ?? 'simulated',
  };
}

/**
 * The Node as this node wants it (status apart), keeping what others set (labels, taints,
 * annotations). An existing podCIDR stays: Kubernetes allows setting it only once.
 * Undefined when the existing object already says it all.
 */
export function planNodeObject(existing: KubeObject | undefined, node: SimulatedNode, facts: NodeFacts): KubeObject | undefined {
  const labels = { ...(existing?.metadata.labels ?? {}), ...nodeLabels(node, facts) };
  const spec = isRecord(existing?.spec) ? existing.spec : {};
  const podCIDR = typeof spec.podCIDR === 'string' && spec.podCIDR ? spec.podCIDR : node.podCIDR;
  const desired: KubeObject = {
    ...(existing ?? {}),
    metadata: { ...(existing?.metadata ?? {}), name: node.name, labels },
    spec: { ...spec, podCIDR, podCIDRs: [podCIDR] },
  };
  if (existing && isDeepStrictEqual(existing.metadata.labels, labels) && isDeepStrictEqual(existing.spec, desired.spec)) return undefined;
  return desired;
}

/** The pod CIDR the node really has: the one stored, else the configured one. */
export function effectivePodCIDR(existing: KubeObject | undefined, node: SimulatedNode): string {
  const spec = isRecord(existing?.spec) ? existing.spec : {};
  return typeof spec.podCIDR === 'string' && spec.podCIDR ? spec.podCIDR : node.podCIDR;
}

const conditionFacts: [type: string, reason: string, message: string][] = [
  ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'KubeletReady', 'kubelet is posting ready status'],
];

/** The status a healthy node reports; conditions keep their lastTransitionTime while they hold. */
export function nodeStatus(existing: KubeObject | undefined, node: SimulatedNode, facts: NodeFacts, now: Date): Record<string, unknown> {
  const old = isRecord(existing?.status) && Array.isArray(existing.status.conditions) ? existing.status.conditions.filter(isRecord) : [];
  const stamp = rfc3339(now);
  const conditions = conditionFacts.map(([type, reason, message]) => {
    const status = type === 'Ready' ? 'True' : 'False';
    const prior = old.find((c) => c.type === type);
    const lastTransitionTime = prior?.status === status && typeof prior.lastTransitionTime === 'string' ? prior.lastTransitionTime : stamp;
    return { type, status, lastHeartbeatTime: stamp, lastTransitionTime, reason, message };
  });
  const resources = { cpu: facts.capacity.cpu, memory: facts.capacity.memory, pods: facts.capacity.pods, 'ephemeral-storage': '100Gi' };
  return {
    addresses: [
      { type: 'InternalIP', address: node.internalIP },
      { type: 'Hostname', address: node.name },
    ],
    capacity: resources,
    allocatable: resources,
    conditions,
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: facts.kernelVersion,
      osImage: facts.kind === 'sandbox' ? 'Switchboard sandbox node' : 'Switchboard simulated node',
      containerRuntimeVersion: facts.kind === 'sandbox' ? 'switchboard://processes' : 'switchboard://simulated',
      kubeletVersion,
      kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux',
      architecture: facts.arch,
    },
  };
}

/** True when the stored Node says Ready True (what the node lifecycle controller may change). */
export function isNodeReady(node: KubeObject): boolean {
  const conditions = isRecord(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions.filter(isRecord) : [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The node's heartbeat, owned by its Node so it goes when the Node does (as the kubelet sets it). */
export function nodeLease(args: { node: KubeObject; leaseDurationSeconds: number; now: Date }): KubeObject {
  const name = args.node.metadata.name ?? '';
  const owner = args.node.metadata.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: args.node.metadata.uid }] : undefined;
  return {
    metadata: { name, namespace: nodeLeaseNamespace, ...(owner ? { ownerReferences: owner } : {}) },
    spec: { holderIdentity: name, leaseDurationSeconds: args.leaseDurationSeconds, renewTime: microTime(args.now) },
  };
}
