/**
 * Measures the simulated node at scale: N pods created bound to simulated nodes (spec.nodeName,
 * 32 creates in flight), time until every one is Running and Ready, and the simulated node's
 * own memory. The API server runs in this process (in-memory store); the simulated nodes run
 * in a child process so their RSS is theirs alone.
 *
 *   npx tsx src/agent/simulated/measure.ts [pods=10000] [nodes=10] [live|backlog]
 *
 * live (default): the nodes run while the pods are created, so the figure includes the API
 * server's create rate. backlog: the pods exist before the nodes start, so the figure is the
 * node's own catch-up time (list, then one status write per pod).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { ApiClient } from '../../client/rest.js';
import { InformerFactory } from '../../client/factory.js';
import type { Credentials } from '../../client/kubeconfig.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startSimulatedNodes, type SimulatedNodesConfig } from './simulated-node.js';

const pods = findResource('', 'pods') as ResourceInfo;
const namespaces = findResource('', 'namespaces') as ResourceInfo;

interface Memory {
  rssMiB: number;
  heapMiB: number;
  cpuSeconds: number;
}

type ChildMessage = { type: 'ready'; memory: Memory } | { type: 'memory'; memory: Memory };

function memory(): Memory {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { rssMiB: Math.round(m.rss / 2 ** 20), heapMiB: Math.round(m.heapUsed / 2 ** 20), cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100 };
}

function nodeConfig(nodeCount: number): SimulatedNodesConfig {
  // /20 per node (4,093 addresses) inside a /14 leaves room for 64 such nodes (262k pods).
  return { count: nodeCount, podCidr: '10.244.0.0/14', nodeCidrMaskSize: 20, maxPods: 5000 };
}

/** The child: simulated nodes against the parent's API server. */
async function runNodes(creds: Credentials, nodeCount: number): Promise<void> {
  const client = new ApiClient(creds, 'simulated-node');
  const informers = new InformerFactory(client, silentLogger());
  const sim = startSimulatedNodes(nodeConfig(nodeCount), { client, informers, log: silentLogger(), clock: systemClock });
  await informers.start();
  await sim.ready;
  process.send?.({ type: 'ready', memory: memory() } satisfies ChildMessage);
  process.on('message', (msg) => {
    if (msg === 'memory') process.send?.({ type: 'memory', memory: memory() } satisfies ChildMessage);
    if (msg === 'stop') void sim.stop().then(() => informers.stop()).then(() => process.exit(0));
  });
}

function isRunningReady(pod: KubeObject): boolean {
  const status = isRecord(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  return status.phase === 'Running' && conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

async function createPods(client: ApiClient, args: { count: number; nodeCount: number; concurrency: number }): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < args.count; i = next++) {
      await client.create(pods, 'bench', {
        metadata: { name: `pod-${i}`, labels: { app: `svc-${Math.floor(i / 10)}` } },
        spec: { nodeName: `sim-node-${i % args.nodeCount}`, containers: [{ name: 'app', image: 'registry.example/app:1' }] },
      });
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
}

async function main(): Promise<void> {
  const podCount = Number(process.argv[2] ?? 10_000);
  const nodeCount = Number(process.argv[3] ?? 10);
  const { startTestApi } = await import('../../testing/api.js');
  const api = await startTestApi();
  await api.client.create(namespaces, undefined, { metadata: { name: 'bench' } });
  const isBacklog = process.argv[4] === 'backlog';
  const backlogStart = performance.now();
  if (isBacklog) await createPods(api.client, { count: podCount, nodeCount, concurrency: 32 });
  const backlogCreated = performance.now();
  const watcher = new InformerFactory(api.client, silentLogger());
  const ready = new Set<string>();
  let allReady: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReady = resolve));
  watcher.informer('', 'pods').addHandlers({
    onUpdate: (_old, pod) => {
      if (isRunningReady(pod)) ready.add(pod.metadata.name ?? '');
      if (ready.size === podCount) allReady();
    },
  });
  await watcher.start();

  const child = fork(fileURLToPath(import.meta.url), ['--child', String(nodeCount)], { execArgv: ['--import', 'tsx'] });
  const fromChild = (type: ChildMessage['type']): Promise<Memory> =>
    new Promise((resolve) => child.once('message', (msg: ChildMessage) => msg.type === type && resolve(msg.memory)));
  const started = performance.now();
  child.send(api.client.creds);
  const idle = await fromChild('ready');
  const nodesReady = performance.now();
  if (!isBacklog) await createPods(api.client, { count: podCount, nodeCount, concurrency: 32 });
  const created = isBacklog ? backlogCreated : performance.now();
  const timeout = setTimeout(() => allReady(), 600_000);
  await done;
  clearTimeout(timeout);
  const finished = performance.now();
  child.send('memory');
  const loaded = await fromChild('memory');
  const seconds = (ms: number): string => (ms / 1000).toFixed(2);
  console.log(
    JSON.stringify(
      {
        mode: isBacklog ? 'backlog' : 'live',
        pods: podCount,
        nodes: nodeCount,
        readyPods: ready.size,
        createSeconds: seconds(isBacklog ? backlogCreated - backlogStart : created - nodesReady),
        nodeStartSeconds: seconds(nodesReady - started),
        allRunningReadySeconds: seconds(finished - (isBacklog ? started : nodesReady)),
        afterLastCreateSeconds: seconds(finished - Math.max(created, nodesReady)),
        podsPerSecond: Math.round((ready.size * 1000) / (finished - (isBacklog ? started : nodesReady))),
        simulatedNodeIdle: idle,
        simulatedNodeLoaded: loaded,
        apiServerAndClientProcess: memory(),
      },
      null,
      2,
    ),
  );
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  await watcher.stop();
  await api.stop();
}

if (process.argv[2] === '--child') {
  const nodeCount = Number(process.argv[3] ?? 10);
  process.once('message', (creds: Credentials) => void runNodes(creds, nodeCount));
} else {
  await main();
}
