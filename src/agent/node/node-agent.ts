/**
 * The node agent for real nodes: each node is a namespace of the cluster sandbox, and each
 * pod bound to it runs as host processes in a namespace of its own with its own IP. The agent
 * registers its Nodes and renews their Leases (the simulated nodes' heartbeat, shared), then
 * for every pod: starts it (address, network, files, containers), writes its status whenever
 * a container changes, and on deletion stops the containers (SIGTERM, the grace period,
 * SIGKILL), removes the network and files, and finalises the pod.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import type net from 'node:net';
import { arch, release } from 'node:os';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { keyOf } from '../../client/keys.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerDeps } from '../../controllers/types.js';
import { formatCidr, nthSubnet, parseIpv4Cidr, type NodeIpam } from '../../lib/ipam.js';
import { ClusterNetwork, destroyPodNamespaces, type NodeNetwork } from '../../sandbox/network.js';
import { NamespaceBroker } from '../../sandbox/broker.js';
import { sharedSpawner } from '../../sandbox/spawner.js';
import type { Logger } from '../../lib/log.js';
import { EventRecorder } from './events.js';
import { kubeletEndpointAnnotation, kubeletTokenAnnotation, startKubeletServer, type KubeletServer } from './kubelet-server.js';
import { Heartbeat } from '../simulated/heartbeat.js';
import { goArch, type SimulatedNode } from '../simulated/node-object.js';
import type { NodeState } from '../simulated/pod-loop.js';
import { loadCatalogue } from '../runtime/images.js';
import { ensureLogStamper } from '../runtime/log-stamper.js';
import type { PodEvent } from '../runtime/events.js';
import { PodRuntime } from '../runtime/pod-runtime.js';
import { realPodStatus } from '../runtime/pod-status.js';

export interface NodeAgentConfig {
  /** The sandbox (cluster) id: namespaces are `sb<id>-...`. */
  sandboxId: string;
  /** Node names, one per sandbox node index (0, 1, ...). */
  nodeNames: string[];
  /** Pod files and logs go under `<dataDir>/pods`. */
  dataDir: string;
  clusterDNS: string;
  clusterDomain: string;
  podCidr?: string;
  catalogueFile?: string;
  maxPods?: number;
  /**
   * Called when a pod is deleted, before its containers are stopped, with its IP and grace
   * period: the service proxy resolves it once no node routes new connections to the pod.
   */
  beforeStop?: (podIP: string, timeoutMs: number) => Promise<unknown>;
  /** The service proxy's health, served like kube-proxy's on each node's `:10256/healthz`. */
  proxyHealth?: () => { healthy: boolean; lastUpdated: Date };
  /** Called once a deleted pod's containers have stopped, with its IP (the proxy forgets its flows). */
  afterStop?: (podIP: string) => Promise<unknown>;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
}

const podInfo = findResource('', 'pods') as ResourceInfo;
const nodeInfo = findResource('', 'nodes') as ResourceInfo;
const fieldManager = 'switchboard-node';

function nodeNameOf(pod: KubeObject): string {
  return isRecord(pod.spec) && typeof pod.spec.nodeName === 'string' ? pod.spec.nodeName : '';
}

function phaseOf(pod: KubeObject): string {
  return isRecord(pod.status) && typeof pod.status.phase === 'string' ? pod.status.phase : '';
}

/**
 * Each container leads a session of its own, and with the kernel's autogroup scheduling each
 * session weighs the same: a burst of starting pods (a Node.js test image takes about 150 ms
 * of CPU to start) would leave this process (API server, controllers, agent) one share among
 * a hundred, and their Ready reports waiting behind them. As the kubelet's pods run in cgroups
 * weighted below the system's own, this process's session gets the weight of nice -10 when it
 * leads it (`up --detach`); the pods' own priority is unchanged.
 */
function favourOwnSession(log: Logger): void {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // After the command name: state, ppid, pgrp, session.
    const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    if (session !== process.pid) return;
    writeFileSync('/proc/self/autogroup', '-10');
    log.debug({}, 'session scheduling weight raised (autogroup nice -10)');
  } catch {
    // No autogroup scheduling on this kernel, or not allowed: nothing to do.
  }
}

export function startNodeAgent(config: NodeAgentConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ component: 'node-agent' });
  const cluster = parseIpv4Cidr(config.podCidr ?? '10.244.0.0/16');
  const specs = new Map<string, SimulatedNode>();
  const states = new Map<string, NodeState>();
  const networks = new Map<string, NodeNetwork>();
  const runtimes = new Map<string, PodRuntime>();
  const queue = new WorkQueue();
  const podsDir = join(config.dataDir, 'pods');
  const catalogue = loadCatalogue(config.catalogueFile ?? join(config.dataDir, 'images.yaml'));
  const stamper = ensureLogStamper(join(config.dataDir, 'bin'), log);
  let network: ClusterNetwork | undefined;
  // Events about pods, as the kubelet records them (source `kubelet` on the pod's node).
  const events = new EventRecorder({ client: deps.client, clock: deps.clock, log });
  const recordEvent = (pod: KubeObject, e: PodEvent): void =>
    events.record({ object: { ...pod, apiVersion: 'v1', kind: 'Pod' }, ...e, component: 'kubelet', host: nodeNameOf(pod) });

  const pods = deps.informers.informer('', 'pods');
  const services = deps.informers.informer('', 'services');
  const nodeInformer = deps.informers.informer('', 'nodes');
  const enqueue = (pod: KubeObject): void => {
    if (states.has(nodeNameOf(pod))) queue.add(keyOf(pod));
  };
  pods.addHandlers({ onAdd: enqueue, onUpdate: (_o, p) => enqueue(p), onDelete: enqueue });

  const heartbeat = new Heartbeat({
    client: deps.client,
    nodes: nodeInformer,
    states,
    specs,
    facts: { kind: 'sandbox', arch: goArch(arch()), kernelVersion: release(), capacity: { cpu: '2', memory: '8Gi', pods: String(config.maxPods ?? 250) } },
    clock: deps.clock,
    log,
    leaseDurationSeconds: config.leaseDurationSeconds ?? 40,
    renewIntervalMs: config.renewIntervalMs ?? 10_000,
  });

  const namespaceServices = (ns: string): KubeObject[] =>
    services.cache.list().filter((s) => s.metadata.namespace === ns || (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes'));

  /**
   * The pod as this agent's last status write returned it, by uid, with the resourceVersion
   * that write was based on. Until the informer has the write, the cache still holds that
   * version and the written pod is the newer one: a sync then neither writes the same status
   * again nor bases conditions (their transition times) on the old ones.
   */
  const written = new Map<string, { basedOn: string | undefined; pod: KubeObject }>();

  /** The newest version of a pod this agent has: the cache's, or its last status write's. */
  function latest(pod: KubeObject): KubeObject {
    const uid = pod.metadata.uid ?? '';
    const w = written.get(uid);
    if (w && w.basedOn === pod.metadata.resourceVersion) return w.pod;
    written.delete(uid);
    return pod;
  }

  async function writeStatus(pod: KubeObject, status: Record<string, unknown>): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const ops = [
      { op: 'test', path: '/metadata/uid', value: uid },
      { op: 'add', path: '/status', value: status },
    ];
    try {
      const updated = await deps.client.patch(podInfo, pod.metadata.namespace, pod.metadata.name ?? '', 'json', ops, { subresource: 'status', fieldManager });
      if (runtimes.has(uid)) written.set(uid, { basedOn: pod.metadata.resourceVersion, pod: updated });
    } catch (err) {
      written.delete(uid);
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Invalid')) throw err;
    }
  }

  async function finalise(pod: KubeObject): Promise<void> {
    try {
      await deps.client.delete(podInfo, pod.metadata.namespace, pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }

  /**
   * Stops a pod's containers and removes its network. Its files (logs) stay while the pod
   * object does, so a finished pod's logs can still be read; they go with the pod.
   */
  async function teardown(uid: string, ipam: NodeIpam | undefined, graceMs: number, keepFiles = false): Promise<void> {
    const runtime = runtimes.get(uid);
    if (runtime) {
      await runtime.stop(graceMs);
      runtimes.delete(uid);
      // Before the address can go to another pod, no node keeps a flow to it.
      if (config.afterStop) await config.afterStop(runtime.ip).catch(() => undefined);
    }
    written.delete(uid);
    if (!keepFiles) rmSync(join(podsDir, uid), { recursive: true, force: true });
    ipam?.release(uid);
  }

  function statusOf(pod: KubeObject, runtime: PodRuntime, hostIP: string): Record<string, unknown> {
    const views = runtime.views();
    const ready = new Set(views.main.filter((c) => c.ready).map((c) => c.name));
    return realPodStatus(pod, {
      now: deps.clock.now(),
      hostIP,
      podIP: runtime.ip,
      init: views.init,
      main: views.main,
      ready,
      restartPolicy: isRecord(pod.spec) && typeof pod.spec.restartPolicy === 'string' ? pod.spec.restartPolicy : 'Always',
      ...(views.podError ? { podError: views.podError } : {}),
    });
  }

  async function sync(key: string): Promise<void> {
    const cached = pods.cache.get(key);
    const pod = cached && latest(cached);
    const [ns, name] = key.includes('/') ? key.split('/') : ['', key];
    if (!pod) {
      // Gone from the API (force-deleted): stop whatever still runs for that name.
      for (const [uid, runtime] of runtimes) if (runtime.podKey === `${ns}/${name}`) await teardown(uid, undefined, 0);
      return;
    }
    const state = states.get(nodeNameOf(pod));
    const node = networks.get(nodeNameOf(pod));
    if (!state?.ipam || !node || !network) return;
    const uid = pod.metadata.uid ?? '';
    const terminal = phaseOf(pod) === 'Succeeded' || phaseOf(pod) === 'Failed';
    if (pod.metadata.deletionTimestamp) {
      const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
      const ip = runtimes.get(uid)?.ip;
      // Switchboard's addition to the kubelet's order: new connections stop reaching the pod on
      // every node before its containers hear of the deletion (bounded by the grace period).
      let waited = 0;
      if (ip && config.beforeStop && graceMs > 0) {
        const started = Date.now();
        const unrouted = await config.beforeStop(ip, graceMs).catch(() => false);
        waited = Date.now() - started;
        if (unrouted === false) log.warn({ pod: key, ip, waitedMs: waited }, 'the pod is still routed on some node after its grace period; stopping it anyway');
        else log.debug({ pod: key, ip, waitedMs: waited }, 'no node routes new connections to the pod; stopping it');
      }
      await teardown(uid, state.ipam, Math.max(0, graceMs - waited));
      await finalise(pod);
      return;
    }
    let runtime = runtimes.get(uid);
    if (!runtime && terminal) return;
    if (!runtime) {
      // A pod keeps its address across an agent restart, as a pod's IP never changes.
      const held = isRecord(pod.status) && typeof pod.status.podIP === 'string' ? pod.status.podIP : undefined;
      const ip = held && state.ipam.reserve(uid, held) ? held : state.ipam.allocate(uid);
      if (!ip) return log.warn({ pod: key }, 'pod CIDR full; pod waits');
      const hostResolv = `nameserver ${network.clusterAddress}\n`;
      runtime = new PodRuntime(pod, ip, {
        network,
        node,
        podsDir,
        catalogue,
        ...(stamper ? { stamper } : {}),
        clusterDNS: [config.clusterDNS],
        clusterDomain: config.clusterDomain,
        nodeResolvConf: hostResolv,
        log,
        connect: (host, port) => brokerOf(node.netns).then((b) => b.connect(host, port)),
        onChange: () => queue.add(key),
        recordEvent,
      });
      runtime.podKey = key;
      runtimes.set(uid, runtime);
      await runtime.start(namespaceServices(pod.metadata.namespace ?? 'default'));
    } else {
      runtime.update(pod);
    }
    const status = statusOf(pod, runtime, state.hostIP);
    const current = isRecord(pod.status) ? pod.status : {};
    if (JSON.stringify({ ...current, ...status }) !== JSON.stringify(current)) await writeStatus(pod, status);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') await teardown(uid, state.ipam, 0, true);
  }

  // One socket broker per node namespace, for probes from the node to its pods.
  const brokers = new Map<string, Promise<NamespaceBroker>>();
  const brokerOf = (netns: string): Promise<NamespaceBroker> => {
    let b = brokers.get(netns);
    if (!b) {
      b = NamespaceBroker.start(netns);
      brokers.set(netns, b);
    }
    return b;
  };

  /**
   * `GET /healthz` on each node's address, port 10256, inside the sandbox (kube-proxy's node
   * health endpoint): 200 while the proxy keeps up, else 503, with its JSON body.
   */
  const healthServer = http.createServer((req, res) => {
    const health = config.proxyHealth?.();
    if (!health || (req.url !== '/healthz' && req.url !== '/livez')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(health.healthy ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    res.end(JSON.stringify({ lastUpdated: health.lastUpdated.toISOString(), currentTime: new Date().toISOString(), nodeEligible: true }));
  });
  const healthListeners: net.Server[] = [];
  async function serveProxyHealth(): Promise<void> {
    for (const [name, node] of networks) {
      const address = states.get(name)?.hostIP;
      if (!address) continue;
      try {
        const listener = await (await brokerOf(node.netns)).listenTcp(address, 10256);
        listener.on('connection', (socket: net.Socket) => healthServer.emit('connection', socket));
        healthListeners.push(listener);
      } catch (err) {
        log.warn({ err: String(err), node: name }, 'could not serve the proxy health endpoint');
      }
    }
  }

  let running: Promise<void> | undefined;
  let kubelet: KubeletServer | undefined;
  let stopped = false;
  const ready = (async () => {
    network = await ClusterNetwork.create({ id: config.sandboxId });
    config.nodeNames.forEach((name, index) => {
      const podCIDR = formatCidr(nthSubnet(cluster, 24, index));
      specs.set(name, { name, podCIDR, internalIP: (network as ClusterNetwork).nodeAddress(index) });
      states.set(name, { name, hostIP: (network as ClusterNetwork).nodeAddress(index), isPaused: false });
    });
    await Promise.all([pods.waitForSync(), services.waitForSync(), nodeInformer.waitForSync()]);
    await heartbeat.registerAll();
    kubelet = await startKubeletServer({
      podsDir,
      uidOf: (ns, name) => {
        const pod = pods.cache.get(`${ns}/${name}`);
        return pod && states.has(nodeNameOf(pod)) ? pod.metadata.uid : undefined;
      },
      isRunning: (uid, container) => runtimes.get(uid)?.isRunning(container) ?? false,
      pidOf: (uid, container) => runtimes.get(uid)?.pidOf(container),
      connectToPod: async (uid, port) => {
        const runtime = runtimes.get(uid);
        if (!runtime?.netns) throw new Error('the pod is not running on this node');
        return (await brokerOf(runtime.nodeNetns)).connect(runtime.ip, port);
      },
      connectToPodLoopback: async (uid, port) => {
        const netns = runtimes.get(uid)?.netns;
        if (!netns) throw new Error('the pod is not running on this node');
        // Rare (a server bound to the pod's loopback only), so a broker lives for one connection.
        const broker = await NamespaceBroker.start(netns);
        try {
          return await broker.connect('127.0.0.1', port);
        } finally {
          broker.stop();
        }
      },
      log,
    });
    // The API server reaches this agent's logs through these annotations (see kubelet-server.ts).
    const annotations = { [kubeletEndpointAnnotation]: kubelet.endpoint, [kubeletTokenAnnotation]: kubelet.token };
    for (const name of config.nodeNames) {
      await deps.client.patch(nodeInfo, undefined, name, 'merge', { metadata: { annotations } }, { fieldManager });
    }
    // Pods left from an agent that died are cleaned up and started afresh.
    const removed = await destroyPodNamespaces(config.sandboxId);
    if (removed.length > 0) log.info({ removed: removed.length }, 'cleaned up pods of a previous agent');
    for (const [index, name] of config.nodeNames.entries()) {
      const ipam = states.get(name)?.ipam;
      networks.set(name, await network.addNode(index, ipam ? formatCidr(ipam.cidr) : formatCidr(nthSubnet(cluster, 24, index))));
    }
    if (config.proxyHealth) await serveProxyHealth();
    if (stopped) return;
    heartbeat.start();
    favourOwnSession(log);
    // Launchers ready before the first pods come (see sandbox/spawner.ts).
    sharedSpawner().prepareLaunchers();
    running = runWorkers({
      queue,
      workers: 16,
      sync,
      onError: (key, err) => log.warn({ pod: key, err: err instanceof Error ? err.message : String(err) }, 'pod sync failed; retrying'),
    });
    for (const pod of pods.cache.list()) enqueue(pod);
    log.info({ nodes: config.nodeNames }, 'node agent running');
  })();
  ready.catch((err: unknown) => log.error({ err: String(err) }, 'node agent failed to start'));

  return {
    ready,
    async stop() {
      stopped = true;
      await heartbeat.stop();
      queue.shutDown();
      await running;
      await Promise.all([...runtimes.keys()].map((uid) => teardown(uid, undefined, 2000)));
      events.stop();
      for (const l of healthListeners) l.close();
      for (const b of brokers.values()) void b.then((broker) => broker.stop(), () => undefined);
      await kubelet?.close();
    },
  };
}
