/**
 * What `switchboard why` reads about one Service (the facts) and what it tries on the network
 * (the checks), as plain data: the pure explanation in why.ts works on these alone.
 */
import type { KubeObject, OwnerReference } from '../api/types.js';
import type { Endpoints, EndpointSlice, Pod, Service, ServicePort } from '../controllers/endpointslice/types.js';

export interface WhyProbe {
  httpGet?: { path?: string; port: number | string; scheme?: string };
  tcpSocket?: { port: number | string };
  exec?: { command?: string[] };
  grpc?: { port: number };
}

export interface WhyContainer {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: WhyProbe;
  startupProbe?: WhyProbe;
  restartPolicy?: string;
}

export interface WhyContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode: number; reason?: string; message?: string };
  };
  lastState?: { terminated?: { exitCode: number; reason?: string } };
}

export interface WhyPod extends Pod {
  spec?: Omit<NonNullable<Pod['spec']>, 'containers'> & { containers?: WhyContainer[] };
  status?: Omit<NonNullable<Pod['status']>, 'conditions'> & {
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: WhyContainerStatus[];
  };
}

export interface WhyServicePort extends ServicePort {
  nodePort?: number;
}

export interface WhyService extends Service {
  spec?: Service['spec'] & {
    ports?: WhyServicePort[];
    clusterIPs?: string[];
    externalName?: string;
    externalIPs?: string[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface WhyEvent extends KubeObject {
  involvedObject?: { kind?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
}

/** A ReplicaSet's name and its own controller, so a pod's fix can name its Deployment. */
export interface WhyReplicaSet {
  name: string;
  owner?: OwnerReference;
}

export interface WhyNode {
  name: string;
  /** InternalIP. */
  address?: string;
  ready: boolean;
  /** The node's network namespace, when it is a real node of this cluster and the namespace exists. */
  netns?: string;
}

/** One entry of a node's nftables maps: where a Service address goes. */
export interface NftTarget {
  chain: string;
  /** `ip:port` of every DNAT reachable from the chain. */
  endpoints: string[];
}

/** What one node's service proxy has programmed, as read from inside its namespace. */
export type NodeDataplane =
  | { mode: 'nftables'; serviceIps: Map<string, NftTarget>; nodePorts: Map<string, NftTarget>; rejectedIps: Set<string>; rejectedNodePorts: Set<string> }
  | { mode: 'userspace'; loopback: Set<string>; listeners: Set<string> }
  | { mode: 'none' }
  | { mode: 'unreadable'; error: string };

export interface ClusterFacts {
  dataDir: string;
  domain: string;
  /** `host:port` of the loopback cluster DNS listener. */
  dnsAddress?: string;
  /** `--node-port-address`: the host loopback address where TCP NodePorts are published too. */
  nodePortAddress?: string;
  /** The kube-dns Service's cluster IP (pods' nameserver). */
  clusterDnsIP?: string;
  /** Namespace steps (DNS from the sandbox, dataplane, connections) need root. */
  root: boolean;
}

export interface WhyFacts {
  namespace: string;
  name: string;
  cluster: ClusterFacts;
  /** Undefined: NotFound. */
  service?: WhyService;
  /** Every Service in the cluster, as `namespace/name` (read only when this one is missing). */
  allServices: string[];
  pods: WhyPod[];
  /** Pods in other namespaces that match the selector (read only when none match here). */
  podsElsewhere: WhyPod[];
  replicaSets: WhyReplicaSet[];
  slices: EndpointSlice[];
  endpoints?: Endpoints;
  events: WhyEvent[];
  nodes: WhyNode[];
  /** By node name, for real nodes whose namespace exists (root only). */
  dataplane: Map<string, NodeDataplane>;
}

/** A network test: `where` is `host` or a node's network namespace. */
export type Check =
  | { kind: 'tcp'; where: string; host: string; port: number }
  | { kind: 'http'; where: string; host: string; port: number; path: string; scheme: 'HTTP' | 'HTTPS' }
  | { kind: 'dns'; where: string; host: string; port: number; name: string };

export interface CheckResult {
  outcome: 'ok' | 'refused' | 'timeout' | 'error';
  /** HTTP status code. */
  status?: number;
  /** DNS: response code name, and answers as `A 10.96.0.5` / `CNAME name`. */
  rcode?: string;
  answers?: string[];
  detail?: string;
}

export const HOST = 'host';

export function checkKey(c: Check): string {
  switch (c.kind) {
    case 'tcp':
      return `${c.where} tcp ${c.host}:${c.port}`;
    case 'http':
      return `${c.where} ${c.scheme} ${c.host}:${c.port}${c.path}`;
    case 'dns':
      return `${c.where} dns ${c.host}:${c.port} ${c.name}`;
  }
}

/** One line of the explanation: a check's outcome, and for a problem what to change. */
export interface Finding {
  mark: 'ok' | 'problem' | 'note';
  text: string;
  fix?: string;
  /** Further lines under it (e.g. the pods whose labels come closest). */
  details?: string[];
  /** A problem that keeps the Service from reaching any ready pod. */
  blocking?: boolean;
  /** A shorter text for the verdict. */
  summary?: string;
}

export type Results = ReadonlyMap<string, CheckResult>;
