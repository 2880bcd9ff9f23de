import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { eventually } from '../shared/testing.js';
import { startLoadBalancerController } from './lb-allocator.js';
import { ingressIPs } from './plan.js';

const res = (group: string, plural: string): ResourceInfo => findResource(group, plural) as ResourceInfo;
const services = res('', 'services');
const events = res('', 'events');
const ns = 'lb';

const lbService = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

describe('LoadBalancer allocator against an API server', () => {
  let api: TestApi;
  let controller: Controller | undefined;

  const start = async (): Promise<void> => {
    const informers = api.informers();
    controller = startLoadBalancerController({ pool: '172.18.255.1-172.18.255.3' }, { client: api.client, informers, log: silentLogger(), clock: systemClock });
    await informers.start();
    await controller.ready;
  };
  const ips = async (name: string): Promise<string[]> => ingressIPs(await api.client.get(services, ns, name));
  const ipOf = (name: string) => async () => (await ips(name))[0];

  before(async () => {
    api = await startTestApi();
    await api.client.create(res('', 'namespaces'), undefined, { metadata: { name: ns } });
    await start();
  });

  after(async () => {
    await controller?.stop();
    await api.stop();
  });

  test('addresses are assigned, requested ones honoured, and freed ones reused', async () => {
    await api.client.create(services, ns, lbService('wanted', { loadBalancerIP: '172.18.255.2' }));
    assert.equal(await eventually('wanted gets its IP', ipOf('wanted')), '172.18.255.2');
    await api.client.create(services, ns, lbService('a'));
    assert.equal(await eventually('a assigned', ipOf('a')), '172.18.255.1');
    const status = (await api.client.get(services, ns, 'a')).status as { loadBalancer: { ingress: unknown[] } };
    assert.deepEqual(status.loadBalancer.ingress, [{ ip: '172.18.255.1', ipMode: 'VIP' }]);
    await api.client.create(services, ns, lbService('b'));
    assert.equal(await eventually('b assigned', ipOf('b')), '172.18.255.3');
    await api.client.create(services, ns, lbService('c'));
    const warning = await eventually('exhaustion reported', async () =>
      (await api.client.list(events, ns)).items.find((e) => e.reason === 'AllocationFailed' && (e.involvedObject as { name?: string }).name === 'c'),
    );
    assert.match(String(warning.message), /no available IPs/);
    // Leaving LoadBalancer means dropping what only it allows, as in Kubernetes.
    const toClusterIP = { type: 'ClusterIP', allocateLoadBalancerNodePorts: null, externalTrafficPolicy: null, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] };
    await api.client.patch(services, ns, 'a', 'merge', { spec: toClusterIP });
    await eventually('a released', async () => (await ips('a')).length === 0);
    assert.equal(await eventually('c gets the freed address', ipOf('c')), '172.18.255.1');
  });

  test('a restarted allocator keeps existing assignments', async () => {
    await controller?.stop();
    await start();
    await api.client.delete(services, ns, 'wanted');
    await api.client.create(services, ns, lbService('d'));
    assert.equal(await eventually('d gets the only free address', ipOf('d')), '172.18.255.2');
    assert.deepEqual([await ipOf('b')(), await ipOf('c')()], ['172.18.255.3', '172.18.255.1']);
  });
});
