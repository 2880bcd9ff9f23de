/**
 * The cluster sandbox's network: namespaces Switchboard creates and removes, joined by veths
 * and bridges. Nothing here touches the host's own network namespace: every `ip` command runs
 * with `-n <one of ours>`, and veth pairs are created from inside one of our namespaces with
 * the peer placed straight into another.
 *
 *   cluster namespace  sb<id>-c     br0 10.243.0.1/24 (API server, cluster DNS), routes to
 *                                   every node's pod CIDR via that node
 *   node i             sb<id>-n<i>  eth0 10.243.0.<i+2>/24 (veth to br0), cbr0 = pod gateway
 *                                   (first address of the pod CIDR), ip_forward on
 *   pod                sb<id>-p<h>  eth0 <pod IP> (veth to the node's cbr0), lo
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { formatIpv4, parseIpv4Cidr } from '../lib/ipam.js';
import { ipIn, ipInNewNamespace, mustRun, runProgram, SandboxError, sysctlIn } from './run.js';

export interface SandboxNames {
  prefix: string;
  cluster: string;
  node(index: number): string;
  pod(podId: string): string;
}

/** Names of one cluster's namespaces: short, since they appear in `ip netns list`. */
export function sandboxNames(id: string): SandboxNames {
  if (!/^[a-z0-9]{1,8}$/.test(id)) throw new SandboxError(`invalid sandbox id ${JSON.stringify(id)}: want 1-8 lower-case letters or digits`);
  const prefix = `sb${id}-`;
  return {
    prefix,
    cluster: `${prefix}c`,
    node: (index) => `${prefix}n${index}`,
    pod: (podId) => `${prefix}p${shortHash(podId)}`,
  };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

export interface NodeNetwork {
  index: number;
  netns: string;
  /** The node's address on the cluster network (its InternalIP). */
  address: string;
  podCIDR: string;
  /** The pods' gateway: the node bridge's address. */
  gateway: string;
  prefixLength: number;
  /** The interface index of the pods' bridge (cbr0) in the node's namespace. */
  bridgeIndex: number;
}

export interface PodNetwork {
  netns: string;
  ip: string;
  /** The node-side end of the pod's veth. */
  hostVeth: string;
}

/** The namespaces that exist now (`ip netns list`), names only. */
export async function listNamespaces(): Promise<string[]> {
  const out = await mustRun('ip', ['netns', 'list']);
  return out.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

/** `ip netns add` makes /run/netns/<name>; looking there costs no process (a pod start spawns several already). */
function exists(netns: string): boolean {
  return existsSync(`/run/netns/${netns}`);
}

async function addNamespace(netns: string): Promise<void> {
  const r = await runProgram('ip', ['netns', 'add', netns]);
  // Rootless (sandbox/rootless.ts), `ip netns add` makes the namespace, then fails to go back
  // to the host's network namespace, where a user namespace has no rights: its one complaint
  // is then that setns (an earlier failure would have said more first).
  const madeRootless = /^setns: [^\n]*$/.test(r.stderr.trim()) && exists(netns);
  if (r.code !== 0 && !/File exists/.test(r.stderr) && !madeRootless) throw new SandboxError(`ip netns add ${netns}: ${r.stderr.trim()}`, r);
}

export interface ClusterNetworkOptions {
  id: string;
  /** Default 10.243.0.0/24: .1 is the cluster namespace, node i is .(i+2). */
  clusterNetwork?: string;
}

export class ClusterNetwork {
  readonly names: SandboxNames;
  readonly clusterAddress: string;
  private readonly base: number;
  private readonly prefixLength: number;

  private constructor(opts: ClusterNetworkOptions) {
    this.names = sandboxNames(opts.id);
    const net = parseIpv4Cidr(opts.clusterNetwork ?? '10.243.0.0/24');
    this.base = net.base;
    this.prefixLength = net.prefix;
    this.clusterAddress = formatIpv4(net.base + 1);
  }

  /** Creates (or adopts, after a restart) the cluster namespace and its bridge. */
  static async create(opts: ClusterNetworkOptions): Promise<ClusterNetwork> {
    const network = new ClusterNetwork(opts);
    const ns = network.names.cluster;
    if (!(exists(ns))) {
      await addNamespace(ns);
      await ipIn(ns, ['link set lo up', 'link add br0 type bridge', `addr add ${network.clusterAddress}/${network.prefixLength} dev br0`, 'link set br0 up']);
      await sysctlIn(ns, 'net.ipv4.ip_forward', '1');
      // Nodes share the bridge; redirects would only tell them what their routes already say.
      await sysctlIn(ns, 'net.ipv4.conf.all.send_redirects', '0');
    }
    return network;
  }

  /**
   * Gives the cluster namespace one more address (a /32 on its loopback), so a server of the
   * host process can answer on it there: the cluster DNS on its Service IP, reachable from
   * every node through the cluster namespace (nodes route everything else to it).
   */
  async addAddress(ip: string): Promise<void> {
    const r = await runProgram('ip', ['-n', this.names.cluster, 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
    if (r.code !== 0 && !/File exists|already assigned/.test(r.stderr)) throw new SandboxError(`adding ${ip} to ${this.names.cluster}: ${r.stderr.trim()}`, r);
  }

  nodeAddress(index: number): string {
    return formatIpv4(this.base + index + 2);
  }

  /** Creates (or adopts) node `index` with its pod bridge on the first address of `podCIDR`. */
  async addNode(index: number, podCIDR: string): Promise<NodeNetwork> {
    const ns = this.names.node(index);
    const cidr = parseIpv4Cidr(podCIDR);
    const node: NodeNetwork = {
      index,
      netns: ns,
      address: this.nodeAddress(index),
      podCIDR,
      gateway: formatIpv4(cidr.base + 1),
      prefixLength: cidr.prefix,
      bridgeIndex: 0,
    };
    if (!exists(ns)) await this.createNode(node);
    node.bridgeIndex = await bridgeIndexIn(ns);
    return node;
  }

  private async createNode(node: NodeNetwork): Promise<void> {
    const { index, netns: ns, podCIDR } = node;
    await addNamespace(ns);
    const uplink = `n${index}`;
    await ipIn(ns, [
      'link set lo up',
      `link add eth0 type veth peer name ${uplink} netns ${this.names.cluster}`,
      `addr add ${node.address}/${this.prefixLength} dev eth0`,
      'link set eth0 up',
      'link add cbr0 type bridge',
      `addr add ${node.gateway}/${node.prefixLength} dev cbr0`,
      'link set cbr0 up',
      `route add default via ${this.clusterAddress}`,
    ]);
    await ipIn(this.names.cluster, [`link set ${uplink} master br0`, `link set ${uplink} up`, `route replace ${podCIDR} via ${node.address}`]);
    await sysctlIn(ns, 'net.ipv4.ip_forward', '1');
  }

  /**
   * Creates the pod's namespace and its veth into the node's bridge, with `ip` on eth0, in one
   * process: the namespace is made and, from inside it, the veth is created with its node end
   * placed straight into the node's namespace, on the bridge (named by its index: `ip` resolves
   * `if<N>` names) and up.
   */
  async addPod(node: NodeNetwork, podId: string, ip: string): Promise<PodNetwork> {
    const ns = this.names.pod(podId);
    const hostVeth = `v${shortHash(podId).slice(0, 12)}`;
    if (exists(ns)) await this.removePod(node, podId);
    const lines = [
      `link add ${hostVeth} netns ${node.netns} master if${node.bridgeIndex} up type veth peer name eth0`,
      'link set lo up',
      `addr add ${ip}/${node.prefixLength} dev eth0`,
      'link set eth0 up',
      `route add default via ${node.gateway}`,
    ];
    try {
      await ipInNewNamespace(ns, lines).catch(async (err: unknown) => {
        // A veth of an earlier run (its namespace still going away) holds the name (the first
        // line failed): remove it, then set up the namespace, made by now, again.
        if (!(err instanceof SandboxError) || !/File exists/.test(err.message) || !/-:1\b/.test(err.message) || !exists(ns)) throw err;
        await runProgram('ip', ['-n', node.netns, 'link', 'del', hostVeth]);
        await ipIn(ns, lines);
      });
      // Hairpin on the pod's bridge port: where the host has br_netfilter loaded, a pod's
      // connection to a Service that picks the pod itself is NATed at the bridge and must go
      // back out the port it came in on (the kubelet sets the same flag).
      await ipIn(node.netns, [`link set dev ${hostVeth} type bridge_slave hairpin on`]);
    } catch (err) {
      await this.removePod(node, podId).catch(() => undefined);
      throw err;
    }
    return { netns: ns, ip, hostVeth };
  }

  /** Removes the pod's namespace (its veth goes with it). Processes inside must be gone first. */
  async removePod(node: NodeNetwork, podId: string): Promise<void> {
    const ns = this.names.pod(podId);
    const hostVeth = `v${shortHash(podId).slice(0, 12)}`;
    await runProgram('ip', ['-n', node.netns, 'link', 'del', hostVeth]);
    const r = await runProgram('ip', ['netns', 'del', ns]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) throw new SandboxError(`ip netns del ${ns}: ${r.stderr.trim()}`, r);
  }
}

/** The interface index of cbr0 in a node's namespace. */
async function bridgeIndexIn(netns: string): Promise<number> {
  const out = await mustRun('ip', ['-n', netns, '-o', 'link', 'show', 'dev', 'cbr0']);
  const index = Number(/^(\d+):/.exec(out)?.[1]);
  if (!Number.isInteger(index) || index <= 0) throw new SandboxError(`no cbr0 in ${netns}: ${out.trim()}`);
  return index;
}

/** The pids of processes in a namespace of ours. */
export async function pidsIn(netns: string): Promise<number[]> {
  const r = await runProgram('ip', ['netns', 'pids', netns]);
  return r.stdout.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/** True while a process runs (a zombie has released its namespaces already, so it does not count). */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Stops the processes in a namespace of ours (by pid) and removes it. It waits (briefly) for
 * them to be gone: a namespace, and the veth in it, lives on while a process is still in it,
 * and a pod started again at once would find its veth's name taken.
 */
async function removeNamespace(ns: string): Promise<void> {
  const pids = await pidsIn(ns);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (let waited = 0; waited < 2000 && pids.some(isRunning); waited += 20) await new Promise((r) => setTimeout(r, 20));
  await runProgram('ip', ['netns', 'del', ns]);
}

/** Removes every pod namespace of the cluster `id` (a restarted agent starts its pods afresh). */
export async function destroyPodNamespaces(id: string): Promise<string[]> {
  const names = sandboxNames(id);
  const pods = (await listNamespaces()).filter((n) => n.startsWith(`${names.prefix}p`));
  for (const ns of pods) await removeNamespace(ns);
  return pods;
}

/**
 * Removes every namespace of the cluster `id`: first the processes inside them (which the
 * sandbox started), by pid, then the namespaces, which takes their veths and bridges along.
 */
export async function destroySandbox(id: string): Promise<string[]> {
  const names = sandboxNames(id);
  const ours = (await listNamespaces()).filter((n) => n.startsWith(names.prefix));
  // Pods first, then nodes, then the cluster namespace.
  const order = (n: string): number => (n === names.cluster ? 2 : n.startsWith(`${names.prefix}n`) ? 1 : 0);
  ours.sort((a, b) => order(a) - order(b));
  for (const ns of ours) await removeNamespace(ns);
  return ours;
}
