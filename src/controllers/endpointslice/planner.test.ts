import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planEndpointSlices, type EndpointSlicePlanInput } from './planner.js';
import { newNodes, newPod, newService, podsNamed, stored } from './testing.js';
import type { Endpoint, EndpointSlice } from './types.js';

const nodes = newNodes('node-1', 'node-2');

function plan(input: Partial<EndpointSlicePlanInput>) {
  return planEndpointSlices({ service: newService(), pods: [], existingSlices: [], nodes, ...input });
}

function ips(slice: EndpointSlice | undefined): string[] {
  return (slice?.endpoints ?? []).map((e) => e.addresses[0] ?? '').sort();
}

function onlyEndpoint(input: Partial<EndpointSlicePlanInput>): Endpoint | undefined {
  const p = plan(input);
  assert.equal(p.create.length, 1);
  return p.create[0]?.endpoints[0];
}

describe('planEndpointSlices: one Service', () => {
  test('no pods: one empty placeholder slice with the reserved labels and owner', () => {
    const p = plan({});
    assert.equal(p.create.length, 1);
    const slice = p.create[0] as EndpointSlice;
    assert.deepEqual(slice.endpoints, []);
    assert.deepEqual(slice.ports, []);
    assert.equal(slice.addressType, 'IPv4');
    assert.equal(slice.metadata.generateName, 'web-');
    assert.deepEqual(slice.metadata.labels, {
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    assert.deepEqual(slice.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true },
    ]);
  });

  test('an existing placeholder is kept, not rewritten', () => {
    const existingSlices = stored(plan({}).create);
    const p = plan({ existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 0, 0]);
  });

  test('two ready pods: one slice, ports resolved, conditions all as Kubernetes sets them', () => {
    const p = plan({ pods: [newPod({ name: 'a', ip: '10.0.0.1' }), newPod({ name: 'b', ip: '10.0.0.2', node: 'node-2' })] });
    assert.equal(p.create.length, 1);
    const slice = p.create[0] as EndpointSlice;
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(slice.endpoints[0], {
      addresses: ['10.0.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
      nodeName: 'node-1',
      zone: 'zone-node-1',
    });
    assert.equal(slice.endpoints[1]?.nodeName, 'node-2');
    assert.equal(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], undefined);
  });

  const conditionCases: { name: string; pod: Parameters<typeof newPod>[0]; publish?: boolean; want: Endpoint['conditions'] }[] = [
    { name: 'unready pod', pod: { name: 'a', ip: '10.0.0.1', ready: false }, want: { ready: false, serving: false, terminating: false } },
    { name: 'terminating ready pod', pod: { name: 'a', ip: '10.0.0.1', terminating: true }, want: { ready: false, serving: true, terminating: true } },
    {
      name: 'terminating unready pod',
      pod: { name: 'a', ip: '10.0.0.1', terminating: true, ready: false },
      want: { ready: false, serving: false, terminating: true },
    },
    {
      name: 'publishNotReadyAddresses: unready is ready',
      pod: { name: 'a', ip: '10.0.0.1', ready: false },
      publish: true,
      want: { ready: true, serving: false, terminating: false },
    },
    {
      name: 'publishNotReadyAddresses: terminating is ready',
      pod: { name: 'a', ip: '10.0.0.1', terminating: true },
      publish: true,
      want: { ready: true, serving: true, terminating: true },
    },
  ];
  for (const c of conditionCases) {
    test(`conditions: ${c.name}`, () => {
      const ep = onlyEndpoint({ service: newService({ publishNotReadyAddresses: c.publish }), pods: [newPod(c.pod)] });
      assert.deepEqual(ep?.conditions, c.want);
    });
  }

  const excluded: { name: string; pod: Parameters<typeof newPod>[0] }[] = [
    { name: 'pod without IP', pod: { name: 'a' } },
    { name: 'Succeeded pod', pod: { name: 'a', ip: '10.0.0.1', phase: 'Succeeded' } },
    { name: 'Failed pod', pod: { name: 'a', ip: '10.0.0.1', phase: 'Failed' } },
    { name: 'pod on an unknown node', pod: { name: 'a', ip: '10.0.0.1', node: 'gone' } },
  ];
  for (const c of excluded) {
    test(`excluded: ${c.name} (the Service keeps its empty slice)`, () => {
      const p = plan({ pods: [newPod(c.pod)] });
      assert.equal(p.create.length, 1);
      assert.deepEqual(p.create[0]?.endpoints, []);
    });
  }

  test('a pod on an unknown node is reported so the sync is retried', () => {
    assert.deepEqual(plan({ pods: [newPod({ name: 'a', ip: '10.0.0.1', node: 'gone' })] }).missingNodes, ['gone']);
  });

  test('named targetPort resolving to 8080 and 9090: two slices grouped by ports', () => {
    const service = newService({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] });
    const pods = [
      newPod({ name: 'a', ip: '10.0.0.1', ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
      newPod({ name: 'b', ip: '10.0.0.2', ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }] }),
      newPod({ name: 'c', ip: '10.0.0.3', ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
    ];
    const p = plan({ service, pods });
    const byPort = new Map(p.create.map((s) => [s.ports?.[0]?.port, ips(s)]));
    assert.deepEqual(Object.fromEntries(byPort), { 8080: ['10.0.0.1', '10.0.0.3'], 9090: ['10.0.0.2'] });
  });

  test('a pod without the named port lands in a slice without that port', () => {
    const service = newService({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] });
    const p = plan({ service, pods: [newPod({ name: 'a', ip: '10.0.0.1' })] });
    assert.deepEqual(p.create.map((s) => [s.ports, ips(s)]), [[[], ['10.0.0.1']]]);
  });

  test('appProtocol is copied to the slice port', () => {
    const service = newService({ ports: [{ name: 'h2', port: 80, targetPort: 8080, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }] });
    const p = plan({ service, pods: [newPod({ name: 'a', ip: '10.0.0.1' })] });
    assert.deepEqual(p.create[0]?.ports, [{ name: 'h2', port: 8080, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }]);
  });

  test('250 pods: three slices of at most 100', () => {
    const p = plan({ pods: podsNamed(250) });
    assert.deepEqual(p.create.map((s) => s.endpoints.length).sort(), [100, 100, 50]);
  });

  test('maxEndpointsPerSlice is honoured and capped at 1000', () => {
    assert.equal(plan({ pods: podsNamed(250), maxEndpointsPerSlice: 1000 }).create.length, 1);
    assert.equal(plan({ pods: podsNamed(25), maxEndpointsPerSlice: 10 }).create.length, 3);
    assert.equal(plan({ pods: podsNamed(1001), maxEndpointsPerSlice: 5000 }).create.length, 2);
  });

  test('hostname is set only for pods whose subdomain is the Service', () => {
    const pods = [
      newPod({ name: 'a', ip: '10.0.0.1', hostname: 'web-0', subdomain: 'web' }),
      newPod({ name: 'b', ip: '10.0.0.2', hostname: 'other-0', subdomain: 'other' }),
      newPod({ name: 'c', ip: '10.0.0.3', subdomain: 'web' }),
    ];
    const eps = plan({ pods }).create[0]?.endpoints ?? [];
    assert.deepEqual(eps.map((e) => e.hostname), ['web-0', undefined, undefined]);
  });

  test('headless Service: the headless label; Service labels copied except reserved keys', () => {
    const service = newService({ clusterIP: 'None', labels: { team: 'a', 'kubernetes.io/service-name': 'spoof' } });
    const labels = plan({ service }).create[0]?.metadata.labels;
    assert.deepEqual(labels, {
      team: 'a',
      'service.kubernetes.io/headless': '',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
  });

  test('the trigger time is written as RFC 3339 in UTC', () => {
    const p = plan({ triggerTime: new Date('2024-05-01T10:00:00.120Z') });
    assert.equal(p.create[0]?.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2024-05-01T10:00:00.12Z');
  });

  test('a Service without selector, or ExternalName, gets no plan', () => {
    assert.equal(plan({ service: newService({ selector: null }) }).create.length, 0);
    const externalName = newService();
    externalName.spec = { ...externalName.spec, type: 'ExternalName' };
    assert.equal(plan({ service: externalName }).create.length, 0);
  });

  test('a Service being deleted gets no new slices', () => {
    const service = newService();
    service.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    assert.equal(plan({ service, pods: podsNamed(3) }).create.length, 0);
  });
});

describe('planEndpointSlices: low churn against existing slices', () => {
  const start = podsNamed(150);
  const existingSlices = stored(plan({ pods: start }).create);

  test('same pods: nothing to do', () => {
    const p = plan({ pods: start, existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 0, 0]);
  });

  test('one pod gone: one update, no create or delete', () => {
    const p = plan({ pods: start.slice(1), existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 1, 0]);
    assert.equal(p.update[0]?.metadata.name, existingSlices[0]?.metadata.name);
    assert.equal(p.update[0]?.metadata.resourceVersion, '1');
  });

  test('one pod turns unready: only its slice is updated in place', () => {
    const pods = start.map((pod, i) => (i === 120 ? newPod({ name: 'p120', ip: '10.0.0.121', ready: false }) : pod));
    const p = plan({ pods, existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 1, 0]);
    assert.equal(p.update[0]?.metadata.name, existingSlices[1]?.metadata.name);
    assert.equal(p.update[0]?.endpoints.find((e) => e.targetRef?.name === 'p120')?.conditions?.ready, false);
  });

  test('new pods fill the slice with room instead of creating one', () => {
    const more = podsNamed(160).slice(150).map((p, i) => newPod({ name: `q${i}`, ip: `10.1.0.${i + 1}` }));
    const p = plan({ pods: [...start, ...more], existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 1, 0]);
    assert.equal(p.update[0]?.endpoints.length, 60);
  });

  test('all pods replaced: slices are rewritten under their names, not deleted and created', () => {
    const fresh = podsNamed(150).map((p, i) => newPod({ name: `n${i}`, ip: `10.2.${Math.floor(i / 200)}.${(i % 200) + 1}` }));
    const p = plan({ pods: fresh, existingSlices });
    assert.deepEqual([p.create.length, p.delete.length], [0, 0]);
    assert.deepEqual(p.update.map((s) => s.metadata.name).sort(), existingSlices.map((s) => s.metadata.name).sort());
    assert.equal(p.update.reduce((n, s) => n + s.endpoints.length, 0), 150);
  });

  test('all pods gone: one slice becomes the placeholder, the other is deleted', () => {
    const p = plan({ pods: [], existingSlices });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 1, 1]);
    assert.deepEqual(p.update[0]?.endpoints, []);
    assert.deepEqual(p.update[0]?.ports, []);
  });

  test('placeholder reused when the first pod arrives', () => {
    const placeholder = stored(plan({}).create);
    const p = plan({ pods: podsNamed(1), existingSlices: placeholder });
    assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 1, 0]);
    assert.equal(p.update[0]?.metadata.name, placeholder[0]?.metadata.name);
    assert.deepEqual(p.update[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  test('slices not owned by this Service (an older Service of the same name) are deleted', () => {
    const foreign = existingSlices.map((s) => ({ ...s, metadata: { ...s.metadata, ownerReferences: [] } }));
    const p = plan({ pods: start, existingSlices: foreign });
    assert.equal(p.delete.length, 2);
    assert.equal(p.create.length, 2);
  });

  test('Service label change: slices updated for labels only', () => {
    const service = newService({ labels: { tier: 'front' } });
    const p = plan({ service, pods: start, existingSlices });
    assert.equal(p.update.length, 2);
    assert.equal(p.update[0]?.metadata.labels?.tier, 'front');
  });
});
