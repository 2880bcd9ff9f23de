import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { startEndpointSliceController } from './controller.js';
import { createNamespace, createNode, createRunningPod, createService, eventually, info, setPodStatus } from './testing-api.js';
import type { EndpointSlice, Pod } from './types.js';

const ns = 'slices';

describe('EndpointSlice controller against the API server', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controller: Controller;

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    controller = startEndpointSliceController({}, { client: api.client, informers: factory, log: silentLogger(), clock: systemClock });
    await factory.start();
    await controller.ready;
    await createNamespace(api.client, ns);
    await createNode(api.client, 'node-1', 'zone-a');
  });

  after(async () => {
    await controller.stop();
    await api.stop();
  });

  async function slicesOf(service: string): Promise<EndpointSlice[]> {
    const list = await api.client.list<EndpointSlice>(info.endpointslices, ns, { labelSelector: `kubernetes.io/service-name=${service}` });
    return list.items;
  }

  /** Waits until the Service has exactly one slice whose endpoints satisfy `ok`. */
  function oneSlice(service: string, ok: (s: EndpointSlice) => boolean): Promise<EndpointSlice> {
    return eventually(`the slice of ${service}`, async () => {
      const slices = await slicesOf(service);
      return slices.length === 1 && slices[0] && ok(slices[0]) ? slices[0] : undefined;
    });
  }

  const names = (s: EndpointSlice) => s.endpoints.map((e) => e.targetRef?.name).sort().join(',');

  test('a selector that matches nothing gets one empty slice', async () => {
    await createService(api.client, ns, { name: 'nobody', selector: { app: 'nobody' } });
    const slice = await oneSlice('nobody', (s) => s.endpoints.length === 0);
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  });

  test('pods, readiness, selector change, deletion and recreation', async () => {
    const svc = await createService(api.client, ns, { name: 'web', selector: { app: 'web' }, labels: { team: 'blue' } });
    await createRunningPod(api.client, ns, { name: 'a', ip: '10.1.0.1', labels: { app: 'web' } });
    await createRunningPod(api.client, ns, { name: 'b', ip: '10.1.0.2', labels: { app: 'web' } });

    let slice = await oneSlice('web', (s) => names(s) === 'a,b');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(slice.endpoints.find((e) => e.targetRef?.name === 'a')?.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(slice.endpoints[0]?.zone, 'zone-a');
    assert.equal(slice.endpoints[0]?.nodeName, 'node-1');
    assert.equal(slice.metadata.labels?.team, 'blue');
    assert.ok(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
    assert.deepEqual(slice.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const firstName = slice.metadata.name;

    // b turns unready: listed, not ready, not serving; the slice is updated in place.
    await setPodStatus(api.client, await api.client.get<Pod>(info.pods, ns, 'b'), { ip: '10.1.0.2', ready: false });
    slice = await oneSlice('web', (s) => s.endpoints.find((e) => e.targetRef?.name === 'b')?.conditions?.ready === false);
    assert.deepEqual(slice.endpoints.find((e) => e.targetRef?.name === 'b')?.conditions, { ready: false, serving: false, terminating: false });
    assert.equal(slice.metadata.name, firstName);

    // The selector moves: the endpoints follow.
    await createRunningPod(api.client, ns, { name: 'c', ip: '10.1.0.3', labels: { app: 'other' } });
    await api.client.patch(info.services, ns, 'web', 'merge', { spec: { selector: { app: 'other' } } });
    slice = await oneSlice('web', (s) => names(s) === 'c');

    // Someone deletes the slice: it comes back.
    await api.client.delete(info.endpointslices, ns, slice.metadata.name ?? '');
    const again = await oneSlice('web', (s) => s.metadata.name !== slice.metadata.name && names(s) === 'c');
    assert.equal(again.endpoints[0]?.addresses[0], '10.1.0.3');
  });

  test('a gracefully deleted pod stays listed as terminating', async () => {
    await createService(api.client, ns, { name: 'term', selector: { app: 'term' } });
    await createRunningPod(api.client, ns, { name: 't1', ip: '10.3.0.1', labels: { app: 'term' } });
    await oneSlice('term', (s) => names(s) === 't1');
    await api.client.delete(info.pods, ns, 't1', { gracePeriodSeconds: 30 });
    const slice = await oneSlice('term', (s) => s.endpoints[0]?.conditions?.terminating === true);
    assert.deepEqual(slice.endpoints[0]?.conditions, { ready: false, serving: true, terminating: true });
  });

  test('named targetPort resolving to two numbers: two slices', async () => {
    await createService(api.client, ns, { name: 'named', selector: { app: 'named' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
    await createRunningPod(api.client, ns, { name: 'n1', ip: '10.2.0.1', labels: { app: 'named' }, ports: [{ name: 'web', containerPort: 8080 }] });
    await createRunningPod(api.client, ns, { name: 'n2', ip: '10.2.0.2', labels: { app: 'named' }, ports: [{ name: 'web', containerPort: 9090 }] });
    const ports = await eventually('two slices', async () => {
      const slices = await slicesOf('named');
      const found = slices.map((s) => `${s.ports?.[0]?.port}:${names(s)}`).sort();
      return found.join(' ') === '8080:n1 9090:n2' ? found : undefined;
    });
    assert.equal(ports.length, 2);
  });
});
