import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { eventually, newPod } from '../shared/testing.js';
import { startNodeLifecycleController } from './node-lifecycle.js';

const res = (group: string, plural: string): ResourceInfo => findResource(group, plural) as ResourceInfo;
const nodes = res('', 'nodes');
const pods = res('', 'pods');
const leases = res('coordination.k8s.io', 'leases');
const ns = 'nlc';

const microTime = (): string => new Date().toISOString().replace('Z', '000Z');
const conditions = (obj: KubeObject): Record<string, unknown>[] =>
  isRecord(obj.status) && Array.isArray(obj.status.conditions) ? obj.status.conditions.filter(isRecord) : [];
const ready = (obj: KubeObject): Record<string, unknown> | undefined => conditions(obj).find((c) => c.type === 'Ready');
const taintKeys = (node: KubeObject): string[] =>
  (isRecord(node.spec) && Array.isArray(node.spec.taints) ? node.spec.taints.filter(isRecord) : []).map((t) => `${String(t.key)}:${String(t.effect)}`);

describe('node lifecycle against an API server', () => {
  let api: TestApi;
  let controller: Controller;
  let renewing = true;
  let renewer: NodeJS.Timeout;

  const setNodeReady = async (name: string): Promise<void> => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await api.client.patch(nodes, undefined, name, 'merge', {
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }] },
    }, { subresource: 'status' });
  };

  before(async () => {
    api = await startTestApi();
    for (const name of [ns, 'kube-node-lease']) {
      await api.client.create(res('', 'namespaces'), undefined, { metadata: { name } }).catch((err: unknown) => {
        if (!isStatusError(err, 'AlreadyExists')) throw err;
      });
    }
    await api.client.create(nodes, undefined, { metadata: { name: 'n1' }, spec: {} });
    await setNodeReady('n1');
    await api.client.create(leases, 'kube-node-lease', { metadata: { name: 'n1' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: microTime() } });
    renewer = setInterval(() => {
      if (renewing) void api.client.patch(leases, 'kube-node-lease', 'n1', 'merge', { spec: { renewTime: microTime() } }).catch(() => undefined);
    }, 50);
    for (const [name, seconds] of [['short', 1], ['forever', undefined]] as const) {
      const tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...(seconds ? { tolerationSeconds: seconds } : {}) }];
      await api.client.create(pods, ns, newPod(name, { spec: { tolerations } }));
      await api.client.create(pods, ns, { metadata: { name, namespace: ns }, target: { kind: 'Node', name: 'n1' } }, { subresource: 'binding' });
      await api.client.patch(pods, ns, name, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
    }
    const informers = api.informers();
    controller = startNodeLifecycleController(
      { gracePeriodMs: 400, evictionTimeoutMs: 60_000, monitorPeriodMs: 50 },
      { client: api.client, informers, log: silentLogger(), clock: systemClock },
    );
    await informers.start();
    await controller.ready;
  });

  after(async () => {
    clearInterval(renewer);
    await controller.stop();
    await api.stop();
  });

  test('a renewing node stays Ready and untainted', async () => {
    await new Promise((r) => setTimeout(r, 700));
    const node = await api.client.get(nodes, undefined, 'n1');
    assert.equal(ready(node)?.status, 'True');
    assert.deepEqual(taintKeys(node), []);
  });

  test('a silent node goes Unknown and tainted, its pods not ready, then evicted by their tolerations', async () => {
    renewing = false;
    const node = await eventually('node Unknown', async () => {
      const n = await api.client.get(nodes, undefined, 'n1');
      return ready(n)?.status === 'Unknown' && taintKeys(n).length === 2 ? n : undefined;
    });
    assert.equal(ready(node)?.reason, 'NodeStatusUnknown');
    assert.equal(ready(node)?.message, 'Kubelet stopped posting node status.');
    assert.deepEqual(taintKeys(node).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    await eventually('pod not ready', async () => ready(await api.client.get(pods, ns, 'forever'))?.status === 'False');
    await eventually('short-tolerating pod evicted', async () => {
      const pod = await api.client.get(pods, ns, 'short').catch(() => undefined);
      return !pod || !!pod.metadata.deletionTimestamp;
    });
    const kept = await api.client.get(pods, ns, 'forever');
    assert.equal(kept.metadata.deletionTimestamp, undefined);
  });

  test('when the node renews and reports Ready again, the taints go', async () => {
    renewing = true;
    await setNodeReady('n1');
    await eventually('taints removed', async () => taintKeys(await api.client.get(nodes, undefined, 'n1')).length === 0);
  });
});
