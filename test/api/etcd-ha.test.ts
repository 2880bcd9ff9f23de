/** Two API servers on one etcd serve the same objects; a watch on one sees writes made through the other. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, storeKinds, type Cluster } from '../harness.js';
import { startTestEtcd, type TestEtcd } from '../../src/storage/etcd/testing.js';
import { credentialsFromKubeconfig, request } from './client.js';
import { openWatch } from './watch-stream.js';

const skip = storeKinds().includes('etcd') ? false : 'etcd is not installed';

describe('two API servers on one etcd', { skip }, () => {
  let etcd: TestEtcd;
  let a: Cluster;
  let b: Cluster;
  before(async () => {
    etcd = await startTestEtcd();
    const args = ['--store', 'etcd', '--etcd-endpoints', etcd.endpoints.join(',')];
    a = await startCluster(args);
    b = await startCluster(args);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await etcd?.stop();
  });

  test('a write through one is seen by a watch on the other, and lists agree', async () => {
    const ca = credentialsFromKubeconfig(a.kubeconfig);
    const cb = credentialsFromKubeconfig(b.kubeconfig);
    const watch = openWatch(cb, '/api/v1/namespaces/default/services?watch=true&resourceVersion=0');
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shared' }, spec: { ports: [{ port: 80 }] } });
    const created = await request(ca, 'POST', '/api/v1/namespaces/default/services', { body, contentType: 'application/json' });
    assert.equal(created.status, 201, created.body);
    await watch.waitFor((events) => events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'shared'));
    watch.stop();
    const fromB = await request(cb, 'GET', '/api/v1/namespaces/default/services/shared');
    assert.equal(fromB.status, 200);
    assert.equal(fromB.json<{ spec: { clusterIP: string } }>().spec.clusterIP, created.json<{ spec: { clusterIP: string } }>().spec.clusterIP);
    // The allocation is shared too: B cannot hand out A's cluster IP.
    const ip = created.json<{ spec: { clusterIP: string } }>().spec.clusterIP;
    const clash = await request(cb, 'POST', '/api/v1/namespaces/default/services', {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'clash' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } }),
      contentType: 'application/json',
    });
    assert.equal(clash.status, 422);
  });
});
