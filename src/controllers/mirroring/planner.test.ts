import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newService, stored } from '../endpointslice/testing.js';
import type { Endpoints, EndpointSlice } from '../endpointslice/types.js';
import { planMirroredSlices, type MirroringPlanInput } from './planner.js';

const selectorless = newService({ selector: null });

function userEndpoints(overrides: Partial<Endpoints> = {}, labels?: Record<string, string>): Endpoints {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-ep-web', labels, annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 't' } },
    subsets: [
      {
        addresses: [{ ip: '192.168.1.10', nodeName: 'node-1' }, { ip: '192.168.1.11' }],
        notReadyAddresses: [{ ip: '192.168.1.12' }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
    ...overrides,
  };
}

function plan(input: Partial<MirroringPlanInput>) {
  return planMirroredSlices({ endpoints: userEndpoints(), service: selectorless, existingSlices: [], ...input });
}

describe('planMirroredSlices', () => {
  test('a selectorless Service with Endpoints: one mirrored slice', () => {
    const p = plan({});
    assert.equal(p.create.length, 1);
    const slice = p.create[0] as EndpointSlice;
    assert.equal(slice.addressType, 'IPv4');
    assert.equal(slice.metadata.generateName, 'web-');
    assert.deepEqual(slice.metadata.labels, {
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    });
    assert.deepEqual(slice.metadata.annotations, { note: 'x' });
    assert.deepEqual(slice.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Endpoints', name: 'web', uid: 'uid-ep-web', controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(slice.endpoints, [
      { addresses: ['192.168.1.10'], conditions: { ready: true }, nodeName: 'node-1' },
      { addresses: ['192.168.1.11'], conditions: { ready: true } },
      { addresses: ['192.168.1.12'], conditions: { ready: false } },
    ]);
  });

  test('unchanged Endpoints: nothing to do', () => {
    const existingSlices = stored(plan({}).create);
    assert.deepEqual([plan({ existingSlices }).create.length, plan({ existingSlices }).update.length, plan({ existingSlices }).delete.length], [0, 0, 0]);
  });

  test('an address added: the slice is updated in place', () => {
    const existingSlices = stored(plan({}).create);
    const endpoints = userEndpoints();
    endpoints.subsets?.[0]?.addresses?.push({ ip: '192.168.1.13' });
    const p = plan({ endpoints, existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 1, 0]);
    assert.equal(p.update[0]?.metadata.name, existingSlices[0]?.metadata.name);
    assert.equal(p.update[0]?.endpoints.length, 4);
  });

  test('ports changed: the slice is rewritten, not deleted and created', () => {
    const existingSlices = stored(plan({}).create);
    const endpoints = userEndpoints({ subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] }] });
    const p = plan({ endpoints, existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 1, 0]);
    assert.deepEqual(p.update[0]?.ports, [{ name: 'http', port: 9090, protocol: 'TCP' }]);
  });

  test('two subsets and two families: one slice each', () => {
    const endpoints = userEndpoints({
      subsets: [
        { addresses: [{ ip: '192.168.1.10' }, { ip: 'fd00::10' }], ports: [{ name: 'a', port: 1, protocol: 'TCP' }] },
        { addresses: [{ ip: '192.168.1.11' }], ports: [{ name: 'b', port: 2, protocol: 'TCP' }] },
      ],
    });
    const types = plan({ endpoints }).create.map((s) => `${s.addressType}:${s.ports?.[0]?.name}`).sort();
    assert.deepEqual(types, ['IPv4:a', 'IPv4:b', 'IPv6:a']);
  });

  test('at most 1000 addresses of a subset are mirrored', () => {
    const addresses = Array.from({ length: 1005 }, (_, i) => ({ ip: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    const p = plan({ endpoints: userEndpoints({ subsets: [{ addresses, ports: [] }] }) });
    assert.equal(p.create[0]?.endpoints.length, 1000);
    assert.equal(p.skippedAddresses, 5);
  });

  const removals: { name: string; input: Partial<MirroringPlanInput> }[] = [
    { name: 'the Endpoints are gone', input: { endpoints: undefined } },
    { name: 'the Service is gone', input: { service: undefined } },
    { name: 'the Service gained a selector', input: { service: newService() } },
    { name: 'the Endpoints are labelled skip-mirror', input: { endpoints: userEndpoints({}, { 'endpointslice.kubernetes.io/skip-mirror': 'true' }) } },
  ];
  for (const c of removals) {
    test(`mirrored slices are deleted when ${c.name}`, () => {
      const existingSlices = stored(plan({}).create);
      const p = plan({ existingSlices, ...c.input });
      assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 0, 1]);
    });
  }

  test('a skip-mirror Endpoints (like default/kubernetes) is never mirrored', () => {
    const p = plan({ endpoints: userEndpoints({}, { 'endpointslice.kubernetes.io/skip-mirror': 'true' }) });
    assert.equal(p.create.length, 0);
  });
});
