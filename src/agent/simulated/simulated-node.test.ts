import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import { simulatedAnnotations } from './pod-status.js';
import { startSimulatedNodes, type SimulatedNodes, type SimulatedNodesConfig } from './simulated-node.js';

const pods = findResource('', 'pods') as ResourceInfo;
const nodes = findResource('', 'nodes') as ResourceInfo;
const leases = findResource('coordination.k8s.io', 'leases') as ResourceInfo;
const namespaces = findResource('', 'namespaces') as ResourceInfo;

interface Status {
  phase?: string;
  podIP?: string;
  hostIP?: string;
  conditions?: { type: string; status: string }[];
  containerStatuses?: { name: string; ready: boolean; state: Record<string, Record<string, unknown>> }[];
}

function statusOf(obj: KubeObject): Status {
  return (isRecord(obj.status) ? obj.status : {}) as Status;
}

function condition(obj: KubeObject, type: string): string | undefined {
  return statusOf(obj).conditions?.find((c) => c.type === type)?.status;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** One API server per suite; each test starts its own simulated nodes with fresh informers. */
let api: TestApi;
const running: { sim: SimulatedNodes; stopInformers: () => Promise<void> }[] = [];

async function startSim(config: SimulatedNodesConfig): Promise<SimulatedNodes> {
  const informers = api.informers();
  const sim = startSimulatedNodes(config, { client: api.client, informers, log: silentLogger(), clock: systemClock });
  await informers.start();
  await sim.ready;
  running.push({ sim, stopInformers: () => informers.stop() });
  return sim;
}

async function stopAll(): Promise<void> {
  for (const r of running.splice(0)) {
    await r.sim.stop();
    await r.stopInformers();
  }
}

function newPod(name: string, nodeName: string, annotations?: Record<string, string>): KubeObject {
  return {
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { nodeName, containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
}

async function createPod(ns: string, pod: KubeObject): Promise<KubeObject> {
  return api.client.create(pods, ns, pod);
}

async function getPod(ns: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await api.client.get(pods, ns, name);
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return undefined;
    throw err;
  }
}

function podWhere(ns: string, name: string, test: (pod: KubeObject) => boolean): () => Promise<KubeObject | undefined> {
  return async () => {
    const pod = await getPod(ns, name);
    return pod && test(pod) ? pod : undefined;
  };
}

const isRunningReady = (pod: KubeObject): boolean => statusOf(pod).phase === 'Running' && condition(pod, 'Ready') === 'True';

let nsCounter = 0;
async function newNamespace(): Promise<string> {
  const name = `sim-${++nsCounter}`;
  await api.client.create(namespaces, undefined, { metadata: { name } });
  return name;
}

describe('simulated nodes', () => {
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await stopAll();
    await api.stop();
  });

  test('register Nodes and Leases with the kubelet\'s fields', async () => {
    await startSim({ count: 2, namePrefix: 'reg-', renewIntervalMs: 100 });
    const node = await api.client.get(nodes, undefined, 'reg-1');
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'reg-1');
    assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(node.metadata.labels?.type, 'simulated');
    assert.ok(node.metadata.labels?.['kubernetes.io/arch']);
    assert.deepEqual(node.spec, { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    const status = node.status as Record<string, Record<string, unknown>>;
    assert.deepEqual(status.addresses, [
      { type: 'InternalIP', address: '10.243.0.3' },
      { type: 'Hostname', address: 'reg-1' },
    ]);
    assert.equal(status.capacity?.pods, '110');
    assert.equal(condition(node, 'Ready'), 'True');
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) assert.equal(condition(node, type), 'False', type);
    assert.equal(status.nodeInfo?.kubeletVersion, 'v1.32.0');
    assert.equal(status.nodeInfo?.containerRuntimeVersion, 'switchboard://simulated');

    const lease = await api.client.get(leases, 'kube-node-lease', 'reg-1');
    const spec = lease.spec as { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
    assert.equal(spec.holderIdentity, 'reg-1');
    assert.equal(spec.leaseDurationSeconds, 40);
    assert.match(spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(lease.metadata.ownerReferences?.[0]?.uid, node.metadata.uid);
    await waitFor('the lease to be renewed', async () => {
      const now = await api.client.get(leases, 'kube-node-lease', 'reg-1');
      return (now.spec as { renewTime: string }).renewTime > spec.renewTime ? true : undefined;
    });
  });

  test('a bound pod gets an address from its node\'s CIDR and runs Ready; others are left alone', async () => {
    await startSim({ count: 2, namePrefix: 'run-' });
    const ns = await newNamespace();
    await createPod(ns, newPod('web', 'run-1'));
    await createPod(ns, newPod('elsewhere', 'not-simulated'));
    const pod = await waitFor('web Running and Ready', podWhere(ns, 'web', isRunningReady));
    const status = statusOf(pod);
    assert.match(status.podIP ?? '', /^10\.244\.1\.\d+$/);
    assert.equal(status.hostIP, '10.243.0.3');
    assert.equal(status.containerStatuses?.[0]?.ready, true);
    assert.ok(status.containerStatuses?.[0]?.state.running?.startedAt);
    assert.equal(condition(pod, 'PodScheduled'), 'True');
    // Nothing more to write: the pod's resourceVersion stays put.
    await sleep(200);
    assert.equal((await getPod(ns, 'web'))?.metadata.resourceVersion, pod.metadata.resourceVersion);
    assert.equal(statusOf((await getPod(ns, 'elsewhere')) as KubeObject).phase, 'Pending');
  });

  test('the ready annotation holds a pod unready, and releasing it makes it Ready', async () => {
    await startSim({ count: 1, namePrefix: 'hold-' });
    const ns = await newNamespace();
    await createPod(ns, newPod('held', 'hold-0', { [simulatedAnnotations.ready]: 'false' }));
    const held = await waitFor(
      'held Running but not Ready',
      podWhere(ns, 'held', (p) => statusOf(p).phase === 'Running' && condition(p, 'Ready') === 'False'),
    );
    assert.equal(condition(held, 'ContainersReady'), 'False');
    assert.equal(statusOf(held).containerStatuses?.[0]?.ready, false);
    await api.client.patch(pods, ns, 'held', 'merge', { metadata: { annotations: { [simulatedAnnotations.ready]: 'true' } } });
    await waitFor('held Ready after the flip', podWhere(ns, 'held', isRunningReady));
  });

  test('the phase annotation fails a pod; complete-after ends one Succeeded', async () => {
    await startSim({ count: 1, namePrefix: 'end-' });
    const ns = await newNamespace();
    await createPod(ns, newPod('crash', 'end-0', { [simulatedAnnotations.phase]: 'Failed' }));
    await createPod(ns, newPod('job', 'end-0', { [simulatedAnnotations.completeAfterMs]: '300' }));
    const failed = await waitFor('crash Failed', podWhere(ns, 'crash', (p) => statusOf(p).phase === 'Failed'));
    assert.equal(statusOf(failed).containerStatuses?.[0]?.state.terminated?.exitCode, 1);
    await waitFor('job Running first', podWhere(ns, 'job', (p) => statusOf(p).phase === 'Running'));
    const done = await waitFor('job Succeeded', podWhere(ns, 'job', (p) => statusOf(p).phase === 'Succeeded'));
    assert.equal(statusOf(done).containerStatuses?.[0]?.state.terminated?.exitCode, 0);
  });

  test('graceful deletion: not ready while terminating, then gone; its IP is reused only after', async () => {
    // A /30 holds exactly one pod address, so the second pod can only get the first one's.
    await startSim({ count: 1, namePrefix: 'del-', podCidr: '10.250.0.0/24', nodeCidrMaskSize: 30, terminationDelayMs: 400 });
    const ns = await newNamespace();
    const first = await createPod(ns, newPod('first', 'del-0'));
    const running = await waitFor('first Running', podWhere(ns, 'first', isRunningReady));
    assert.equal(statusOf(running).podIP, '10.250.0.2');
    await createPod(ns, newPod('second', 'del-0'));
    await sleep(150);
    assert.equal(statusOf((await getPod(ns, 'second')) as KubeObject).podIP, undefined, 'no address while first holds it');

    await api.client.delete(pods, ns, 'first');
    const terminating = await waitFor(
      'first terminating and not ready',
      podWhere(ns, 'first', (p) => p.metadata.deletionTimestamp !== undefined && condition(p, 'Ready') === 'False'),
    );
    assert.equal(terminating.metadata.uid, first.metadata.uid);
    assert.equal(statusOf((await getPod(ns, 'second')) as KubeObject).podIP, undefined, 'still none while first terminates');
    await waitFor('first gone', async () => ((await getPod(ns, 'first')) ? undefined : true));
    const second = await waitFor('second Running', podWhere(ns, 'second', isRunningReady));
    assert.equal(statusOf(second).podIP, '10.250.0.2');
  });

  test('pauseLease stops renewTime; resumeLease renews it and reports Ready again', async () => {
    const sim = await startSim({ count: 1, namePrefix: 'pause-', renewIntervalMs: 50 });
    const renewTime = async (): Promise<string> => ((await api.client.get(leases, 'kube-node-lease', 'pause-0')).spec as { renewTime: string }).renewTime;
    sim.pauseLease('pause-0');
    await sleep(100);
    const frozen = await renewTime();
    // What the node lifecycle controller does to a silent node; a paused node does not answer it.
    const unknown = { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: '2026-11-22T03:00:00Z' };
    await api.client.patch(nodes, undefined, 'pause-0', 'merge', { status: { conditions: [unknown] } }, { subresource: 'status' });
    await sleep(300);
    assert.equal(await renewTime(), frozen);
    assert.equal(condition(await api.client.get(nodes, undefined, 'pause-0'), 'Ready'), 'Unknown');

    sim.resumeLease('pause-0');
    await waitFor('renewTime to move', async () => ((await renewTime()) > frozen ? true : undefined));
    await waitFor('Ready True again', async () => (condition(await api.client.get(nodes, undefined, 'pause-0'), 'Ready') === 'True' ? true : undefined));
  });

  test('a restarted node rebuilds its address pool from the pods: no duplicate IPs', async () => {
    const config: SimulatedNodesConfig = { count: 1, namePrefix: 'restart-' };
    await startSim(config);
    const ns = await newNamespace();
    for (let i = 0; i < 3; i++) await createPod(ns, newPod(`before-${i}`, 'restart-0'));
    for (let i = 0; i < 3; i++) await waitFor(`before-${i}`, podWhere(ns, `before-${i}`, isRunningReady));
    await stopAll();
    // Created while the node is down: listed first at start ('after' < 'before'), so only a
    // rebuilt pool keeps them off the addresses the running pods hold.
    for (let i = 0; i < 3; i++) await createPod(ns, newPod(`after-${i}`, 'restart-0'));
    await startSim(config);
    for (let i = 0; i < 3; i++) await waitFor(`after-${i}`, podWhere(ns, `after-${i}`, isRunningReady));
    const list = await api.client.list(pods, ns);
    const ips = list.items.map((p) => statusOf(p).podIP);
    assert.equal(ips.length, 6);
    assert.equal(new Set(ips).size, 6, `duplicate IPs: ${ips.join(', ')}`);
    const nodeList = await api.client.list(nodes, undefined, { labelSelector: 'type=simulated' });
    assert.equal(nodeList.items.filter((n) => n.metadata.name === 'restart-0').length, 1);
  });
});
