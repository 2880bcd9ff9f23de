import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPod, newService, podsNamed } from '../endpointslice/testing.js';
import type { Endpoints, EndpointSubset } from '../endpointslice/types.js';
import { planEndpoints, type EndpointsPlanInput } from './planner.js';

function plan(input: Partial<EndpointsPlanInput>) {
  return planEndpoints({ service: newService(), pods: [], current: undefined, ...input });
}

function created(input: Partial<EndpointsPlanInput>): Endpoints {
  const p = plan(input);
  assert.equal(p.create.length, 1);
  return p.create[0] as Endpoints;
}

function shape(subsets: EndpointSubset[] | undefined) {
  return (subsets ?? []).map((s) => ({
    ready: (s.addresses ?? []).map((a) => a.ip),
    notReady: (s.notReadyAddresses ?? []).map((a) => a.ip),
    ports: (s.ports ?? []).map((p) => `${p.name}:${p.port}`),
  }));
}

describe('planEndpoints', () => {
  test('ready and unready pods: addresses and notReadyAddresses, sorted, with node and targetRef', () => {
    const pods = [
      newPod({ name: 'b', ip: '10.0.0.2' }),
      newPod({ name: 'a', ip: '10.0.0.1' }),
      newPod({ name: 'c', ip: '10.0.0.3', ready: false }),
    ];
    const ep = created({ pods });
    assert.deepEqual(shape(ep.subsets), [{ ready: ['10.0.0.1', '10.0.0.2'], notReady: ['10.0.0.3'], ports: ['http:8080'] }]);
    assert.deepEqual(ep.subsets?.[0]?.addresses?.[0], {
      ip: '10.0.0.1',
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
    });
    assert.equal(ep.metadata.name, 'web');
  });

  test('no pods: an Endpoints object without subsets', () => {
    assert.deepEqual(created({}).subsets, []);
  });

  const cases: { name: string; pod: Parameters<typeof newPod>[0]; publish?: boolean; want: ReturnType<typeof shape> }[] = [
    { name: 'terminating pods are left out', pod: { name: 'a', ip: '10.0.0.1', terminating: true }, want: [] },
    {
      name: 'publishNotReadyAddresses keeps terminating pods, as ready',
      pod: { name: 'a', ip: '10.0.0.1', terminating: true },
      publish: true,
      want: [{ ready: ['10.0.0.1'], notReady: [], ports: ['http:8080'] }],
    },
    {
      name: 'publishNotReadyAddresses makes unready pods ready',
      pod: { name: 'a', ip: '10.0.0.1', ready: false },
      publish: true,
      want: [{ ready: ['10.0.0.1'], notReady: [], ports: ['http:8080'] }],
    },
    { name: 'pods without IP are left out', pod: { name: 'a' }, want: [] },
    { name: 'Failed pods are left out', pod: { name: 'a', ip: '10.0.0.1', phase: 'Failed' }, want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const ep = created({ service: newService({ publishNotReadyAddresses: c.publish }), pods: [newPod(c.pod)] });
      assert.deepEqual(shape(ep.subsets), c.want);
    });
  }

  test('named targetPort resolved per pod: one subset per port number', () => {
    const service = newService({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] });
    const pods = [
      newPod({ name: 'a', ip: '10.0.0.1', ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
      newPod({ name: 'b', ip: '10.0.0.2', ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }] }),
    ];
    assert.deepEqual(shape(created({ service, pods }).subsets), [
      { ready: ['10.0.0.1'], notReady: [], ports: ['http:8080'] },
      { ready: ['10.0.0.2'], notReady: [], ports: ['http:9090'] },
    ]);
  });

  test('two Service ports offered by the same pods share one subset', () => {
    const service = newService({
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' },
      ],
    });
    const pods = [newPod({ name: 'a', ip: '10.0.0.1' }), newPod({ name: 'b', ip: '10.0.0.2' })];
    assert.deepEqual(shape(created({ service, pods }).subsets), [{ ready: ['10.0.0.1', '10.0.0.2'], notReady: [], ports: ['http:8080', 'metrics:9100'] }]);
  });

  test('hostname for pods in the Service subdomain; headless label on headless Services', () => {
    const service = newService({ clusterIP: 'None', labels: { app: 'web' } });
    const ep = created({ service, pods: [newPod({ name: 'a', ip: '10.0.0.1', hostname: 'web-0', subdomain: 'web' })] });
    assert.equal(ep.subsets?.[0]?.addresses?.[0]?.hostname, 'web-0');
    assert.deepEqual(ep.metadata.labels, { app: 'web', 'service.kubernetes.io/headless': '' });
  });

  test('headless Service without ports: addresses without ports', () => {
    const service = newService({ clusterIP: 'None', ports: [] });
    assert.deepEqual(shape(created({ service, pods: [newPod({ name: 'a', ip: '10.0.0.1' })] }).subsets), [
      { ready: ['10.0.0.1'], notReady: [], ports: [] },
    ]);
  });

  test('over 1000 addresses: truncated to 1000 with the over-capacity annotation', () => {
    const ep = created({ pods: podsNamed(1200) });
    assert.equal(ep.subsets?.[0]?.addresses?.length, 1000);
    assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
  });

  test('truncation keeps ready addresses before not-ready ones', () => {
    const pods = [...podsNamed(900), ...podsNamed(1100).slice(900).map((p) => newPod({ name: `u-${p.metadata.name}`, ip: p.status?.podIP, ready: false }))];
    const ep = created({ pods });
    const counts = ep.subsets?.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]);
    assert.deepEqual(counts, [[900, 100]]);
  });

  test('back under 1000: the annotation goes', () => {
    const current = created({ pods: podsNamed(1200) });
    current.metadata.resourceVersion = '5';
    const p = plan({ pods: podsNamed(10), current });
    assert.equal(p.update.length, 1);
    assert.equal(p.update[0]?.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined);
    assert.equal(p.update[0]?.metadata.resourceVersion, '5');
  });

  test('unchanged endpoints: no write', () => {
    const pods = podsNamed(3);
    const current = created({ pods, triggerTime: new Date('2024-01-01T00:00:00Z') });
    assert.deepEqual(plan({ pods, current }), { create: [], update: [], delete: [] });
  });

  test('trigger time annotation', () => {
    const ep = created({ triggerTime: new Date('2024-01-01T00:00:01Z') });
    assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2024-01-01T00:00:01Z');
  });

  test('Service gone: its Endpoints are deleted', () => {
    const current = created({});
    assert.deepEqual(plan({ service: undefined, current }).delete, [current]);
  });

  test('Service without selector: user-made Endpoints are left alone', () => {
    const current: Endpoints = { metadata: { name: 'web', namespace: 'ns' }, subsets: [{ addresses: [{ ip: '1.2.3.4' }] }] };
    assert.deepEqual(plan({ service: newService({ selector: null }), current }), { create: [], update: [], delete: [] });
  });
});
