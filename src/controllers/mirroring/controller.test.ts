import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import { createNamespace, createService, eventually, info } from '../endpointslice/testing-api.js';
import type { Endpoints, EndpointSlice } from '../endpointslice/types.js';
import type { Controller } from '../types.js';
import { startEndpointSliceMirroringController } from './controller.js';

const ns = 'mirror';

describe('EndpointSlice mirroring controller against the API server', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controller: Controller;

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    controller = startEndpointSliceMirroringController({}, { client: api.client, informers: factory, log: silentLogger(), clock: systemClock });
    await factory.start();
    await controller.ready;
    await createNamespace(api.client, ns);
  });

  after(async () => {
    await controller.stop();
    await api.stop();
  });

  async function mirrored(namespace: string, service: string): Promise<EndpointSlice[]> {
    const selector = `kubernetes.io/service-name=${service},endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io`;
    return (await api.client.list<EndpointSlice>(info.endpointslices, namespace, { labelSelector: selector })).items;
  }

  function mirroredAs(service: string, want: string): Promise<EndpointSlice[]> {
    return eventually(`mirrored slices of ${service} = ${want}`, async () => {
      const slices = await mirrored(ns, service);
      const text = slices
        .map((s) => s.endpoints.map((e) => `${e.addresses[0]}:${e.conditions?.ready ? 'ready' : 'not'}`).sort().join(',') + `@${s.ports?.map((p) => p.port).join(',')}`)
        .sort()
        .join(' ');
      return text === want ? slices : undefined;
    });
  }

  test('a selectorless Service with Endpoints is mirrored and followed', async () => {
    await createService(api.client, ns, { name: 'db' });
    const ep = await api.client.create<Endpoints>(info.endpoints, ns, {
      metadata: { name: 'db', labels: { tier: 'data' } },
      subsets: [{ addresses: [{ ip: '192.168.5.1' }], notReadyAddresses: [{ ip: '192.168.5.2' }], ports: [{ name: 'http', port: 5432, protocol: 'TCP' }] }],
    });
    const [slice] = await mirroredAs('db', '192.168.5.1:ready,192.168.5.2:not@5432');
    assert.equal(slice?.metadata.labels?.tier, 'data');
    assert.deepEqual(slice?.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]), [['Endpoints', 'db', ep.metadata.uid, true]]);

    await api.client.update(info.endpoints, { ...ep, subsets: [{ addresses: [{ ip: '192.168.5.3' }], ports: [{ name: 'http', port: 5432, protocol: 'TCP' }] }] });
    const [updated] = await mirroredAs('db', '192.168.5.3:ready@5432');
    assert.equal(updated?.metadata.name, slice?.metadata.name);

    await api.client.delete(info.endpoints, ns, 'db');
    await mirroredAs('db', '');
  });

  test('deleting the Service removes the mirrored slices', async () => {
    await createService(api.client, ns, { name: 'cache' });
    await api.client.create(info.endpoints, ns, { metadata: { name: 'cache' }, subsets: [{ addresses: [{ ip: '192.168.6.1' }], ports: [{ port: 6379, protocol: 'TCP' }] }] });
    await mirroredAs('cache', '192.168.6.1:ready@6379');
    await api.client.delete(info.services, ns, 'cache');
    await mirroredAs('cache', '');
  });

  test('Services with a selector and skip-mirror Endpoints are not mirrored', async () => {
    await createService(api.client, ns, { name: 'picked', selector: { app: 'x' } });
    await api.client.create(info.endpoints, ns, { metadata: { name: 'picked' }, subsets: [{ addresses: [{ ip: '192.168.7.1' }] }] });
    await createService(api.client, ns, { name: 'skipped' });
    await api.client.create(info.endpoints, ns, {
      metadata: { name: 'skipped', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '192.168.7.2' }] }],
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([(await mirrored(ns, 'picked')).length, (await mirrored(ns, 'skipped')).length], [0, 0]);
    // default/kubernetes carries skip-mirror: the API server's own slice stays the only one.
    assert.equal((await mirrored('default', 'kubernetes')).length, 0);
  });
});
