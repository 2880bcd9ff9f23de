/**
 * Bad input gets Kubernetes' answer (reason and code) and loses nothing; no request makes
 * the server exit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startClusterOn, storeKinds, type Cluster } from '../harness.js';
import { credentialsFromKubeconfig, request, type Credentials } from './client.js';

const svc = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });

for (const store of storeKinds()) describe(`API errors (${store})`, () => {
  let c: Cluster;
  let creds: Credentials;
  before(async () => {
    c = await startClusterOn(store, ['--service-cidr', '10.104.0.0/16']);
    creds = credentialsFromKubeconfig(c.kubeconfig);
  });
  after(async () => c?.stop());

  const post = (path: string, body: string, contentType = 'application/json') =>
    request(creds, 'POST', path, { body, contentType });

  const cases: { name: string; body: string; code: number; reason: string; field?: string }[] = [
    { name: 'upper-case name', body: svc('Web', { ports: [{ port: 80 }] }), code: 422, reason: 'Invalid', field: 'metadata.name' },
    { name: 'port 0', body: svc('p0', { ports: [{ port: 0 }] }), code: 422, reason: 'Invalid', field: 'spec.ports[0].port' },
    { name: 'port 70000', body: svc('p7', { ports: [{ port: 70000 }] }), code: 422, reason: 'Invalid', field: 'spec.ports[0].port' },
    { name: 'nodePort outside the range', body: svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] }), code: 422, reason: 'Invalid', field: 'spec.ports[0].nodePort' },
    { name: 'clusterIP outside the range', body: svc('ipr', { clusterIP: '10.96.0.50', ports: [{ port: 80 }] }), code: 422, reason: 'Invalid', field: 'spec.clusterIPs' },
    { name: 'sessionAffinityConfig with None', body: svc('aff', { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } }, ports: [{ port: 80 }] }), code: 422, reason: 'Invalid', field: 'spec.sessionAffinityConfig' },
    { name: 'invalid JSON', body: '{"apiVersion": "v1", "kind": "Serv', code: 400, reason: 'BadRequest' },
    { name: 'not an object', body: '[1,2,3]', code: 400, reason: 'BadRequest' },
    { name: 'wrong kind for the path', body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), code: 400, reason: 'BadRequest' },
  ];
  for (const tc of cases) {
    test(tc.name, async () => {
      const r = await post('/api/v1/namespaces/default/services', tc.body);
      assert.equal(r.status, tc.code, r.body);
      const status = r.json<{ reason: string; code: number; details?: { causes?: { field: string }[] } }>();
      assert.equal(status.reason, tc.reason);
      assert.equal(status.code, tc.code);
      if (tc.field) assert.ok(status.details?.causes?.some((cause) => cause.field === tc.field), r.body);
    });
  }

  test('a requested cluster IP inside a custom range is honoured, and a taken one refused', async () => {
    const ok = await post('/api/v1/namespaces/default/services', svc('fixed', { clusterIP: '10.104.102.51', ports: [{ port: 80 }] }));
    assert.equal(ok.status, 201, ok.body);
    assert.equal(ok.json<{ spec: { clusterIP: string } }>().spec.clusterIP, '10.104.102.51');
    const taken = await post('/api/v1/namespaces/default/services', svc('fixed2', { clusterIP: '10.104.102.51', ports: [{ port: 80 }] }));
    assert.equal(taken.status, 422);
    assert.match(taken.json<{ message: string }>().message, /provided IP is already allocated/);
  });

  test('a taken nodePort is refused', async () => {
    const first = await post('/api/v1/namespaces/default/services', svc('np1', { type: 'NodePort', ports: [{ port: 80, nodePort: 30500 }] }));
    assert.equal(first.status, 201, first.body);
    const second = await post('/api/v1/namespaces/default/services', svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30500 }] }));
    assert.equal(second.status, 422);
    assert.match(second.json<{ message: string }>().message, /provided port is already allocated/);
  });

  test('changing the clusterIP on update is refused', async () => {
    const created = await post('/api/v1/namespaces/default/services', svc('imm', { ports: [{ port: 80 }] }));
    const obj = created.json<{ spec: { clusterIP: string; clusterIPs: string[] } }>();
    obj.spec.clusterIP = '10.104.102.99';
    obj.spec.clusterIPs = ['10.104.102.99'];
    const r = await request(creds, 'PUT', '/api/v1/namespaces/default/services/imm', { body: JSON.stringify(obj), contentType: 'application/json' });
    assert.equal(r.status, 422, r.body);
    assert.match(r.body, /field is immutable/);
  });

  test('unknown field under strict validation', async () => {
    const r = await post('/api/v1/namespaces/default/services?fieldValidation=Strict', svc('strict', { foo: 1, ports: [{ port: 80 }] }));
    assert.equal(r.status, 400);
    assert.match(r.json<{ message: string }>().message, /unknown field "spec.foo"/);
  });

  test('stale resourceVersion is a 409 Conflict', async () => {
    const created = await post('/api/v1/namespaces/default/services', svc('stale', { ports: [{ port: 80 }] }));
    const obj = created.json<{ metadata: Record<string, unknown> }>();
    const first = await request(creds, 'PUT', '/api/v1/namespaces/default/services/stale', { body: JSON.stringify({ ...obj, metadata: { ...obj.metadata, labels: { a: 'b' } } }), contentType: 'application/json' });
    assert.equal(first.status, 200, first.body);
    const second = await request(creds, 'PUT', '/api/v1/namespaces/default/services/stale', { body: JSON.stringify({ ...obj, metadata: { ...obj.metadata, labels: { a: 'c' } } }), contentType: 'application/json' });
    assert.equal(second.status, 409);
    assert.equal(second.json<{ reason: string }>().reason, 'Conflict');
  });

  test('unknown resource is a 404', async () => {
    const r = await request(creds, 'GET', '/api/v1/namespaces/default/widgets');
    assert.equal(r.status, 404);
    assert.equal(r.json<{ reason: string }>().reason, 'NotFound');
  });

  test('a body over 3 MiB is a 413', async () => {
    const big = svc('big', { ports: [{ port: 80 }], selector: { a: 'x'.repeat(3.5 * 1024 * 1024) } });
    const r = await post('/api/v1/namespaces/default/services', big);
    assert.equal(r.status, 413);
  });

  test('a request without credentials is a 401', async () => {
    const r = await request(creds, 'GET', '/api/v1/namespaces', { anonymous: true });
    assert.equal(r.status, 401);
    assert.equal(r.json<{ reason: string }>().reason, 'Unauthorized');
  });

  test('thousands of malformed requests leave the server serving', async () => {
    const paths = ['/api/v1/namespaces/default/services', '/apis/apps/v1/namespaces/default/deployments', '/api/v1/namespaces/default/pods', '/api/v1/nodes', '/api/v1/namespaces/default/services/x'];
    const bodies = ['', '{', 'null', '"x"', '{"metadata":5}', '{"metadata":{"name":7}}', '{"spec":[]}', '\u0000\u0001\u0002', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":"x"}}', '{"metadata":{"name":"a","labels":[1]},"spec":{"replicas":"three","template":5}}'];
    const methods = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];
    const types = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'text/plain'];
    let sent = 0;
    for (let i = 0; i < 2500; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) => {
          const n = i + j;
          sent++;
          return request(creds, methods[n % methods.length]!, `${paths[n % paths.length]}?fieldManager=fuzz&labelSelector=${encodeURIComponent(['a in (', '!!', 'a=b', ','][n % 4]!)}`, {
            body: bodies[n % bodies.length],
            contentType: types[(n >> 2) % types.length],
          }).then((r) => assert.ok(r.status < 500 || r.status === 504, `${r.status} ${r.body}`));
        }),
      );
    }
    assert.equal(sent, 2500);
    const health = await request(creds, 'GET', '/readyz');
    assert.equal(health.status, 200);
  });
});
