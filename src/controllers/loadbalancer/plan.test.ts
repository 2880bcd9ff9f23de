import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { planAllocation, type Allocation } from './plan.js';
import { AddressPool, PoolError, formatIP, parseIP } from './pool.js';

function svc(spec: Record<string, unknown>, ingress: string[] = []): KubeObject {
  return {
    metadata: { name: 's', namespace: 'ns' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec },
    status: { loadBalancer: ingress.length ? { ingress: ingress.map((ip) => ({ ip })) } : {} },
  };
}

function pool(spec: string, held: Record<string, string> = {}): AddressPool {
  const p = new AddressPool(spec);
  for (const [ip, key] of Object.entries(held)) p.claim(ip, key);
  return p;
}

describe('AddressPool', () => {
  test('a CIDR leaves out network and broadcast', () => {
    const p = pool('10.0.0.0/30');
    assert.equal(p.next(), '10.0.0.1');
    p.claim('10.0.0.1', 'a');
    assert.equal(p.next(), '10.0.0.2');
    p.claim('10.0.0.2', 'b');
    assert.equal(p.next(), undefined);
    assert.equal(p.contains('10.0.0.3'), false);
  });
  test('ranges, lists and release', () => {
    const p = pool('10.0.0.5-10.0.0.5, 10.0.1.7-10.0.1.8');
    p.claim('10.0.0.5', 'a');
    assert.equal(p.next(), '10.0.1.7');
    p.release('a');
    assert.equal(p.next(), '10.0.0.5');
  });
  test('IPv6 pools', () => {
    const p = pool('fd00::10-fd00::11');
    assert.equal(p.next(), 'fd00::10');
    assert.equal(p.canonical('fd00:0:0:0:0:0:0:11'), 'fd00::11');
    assert.ok(p.contains('fd00::11'));
  });
  for (const bad of ['', '10.0.0.0/33', '10.0.0.9-10.0.0.1', 'x-y', '10.0.0.1-fd00::1']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => new AddressPool(bad), PoolError));
  }
  test('parse and format round trip', () => {
    for (const ip of ['0.0.0.0', '192.168.1.255', '::', '::1', 'fd00::', '2001:db8::1:0:0:1', '1:2:3:4:5:6:7:8']) {
      const parsed = parseIP(ip);
      assert.ok(parsed, ip);
      assert.equal(formatIP(parsed.family, parsed.value), ip);
    }
    assert.equal(parseIP('256.0.0.1'), undefined);
  });
});

const cases: { name: string; svc: KubeObject; pool: AddressPool; want: Allocation }[] = [
  { name: 'new LoadBalancer: lowest free address', svc: svc({}), pool: pool('10.0.0.0/29', { '10.0.0.1': 'ns/other' }), want: { kind: 'assign', ip: '10.0.0.2' } },
  { name: 'keeps the address it has', svc: svc({}, ['10.0.0.5']), pool: pool('10.0.0.0/29'), want: { kind: 'assign', ip: '10.0.0.5' } },
  {
    name: 'status address taken by another: a new one',
    svc: svc({}, ['10.0.0.5']),
    pool: pool('10.0.0.0/29', { '10.0.0.5': 'ns/other' }),
    want: { kind: 'assign', ip: '10.0.0.1' },
  },
  { name: 'requested loadBalancerIP honoured', svc: svc({ loadBalancerIP: '10.0.0.6' }, ['10.0.0.1']), pool: pool('10.0.0.0/29', { '10.0.0.1': 'ns/s' }), want: { kind: 'assign', ip: '10.0.0.6' } },
  {
    name: 'requested address outside the pool',
    svc: svc({ loadBalancerIP: '192.168.0.1' }),
    pool: pool('10.0.0.0/29'),
    want: { kind: 'fail', reason: 'AllocationFailed', message: 'Failed to allocate IP for "ns/s": "192.168.0.1" is not allowed in the LoadBalancer pool' },
  },
  {
    name: 'requested address in use',
    svc: svc({ loadBalancerIP: '10.0.0.3' }),
    pool: pool('10.0.0.0/29', { '10.0.0.3': 'ns/other' }),
    want: { kind: 'fail', reason: 'AllocationFailed', message: 'Failed to allocate IP for "ns/s": "10.0.0.3" is already in use by "ns/other"' },
  },
  {
    name: 'pool exhausted',
    svc: svc({}),
    pool: pool('10.0.0.1-10.0.0.1', { '10.0.0.1': 'ns/other' }),
    want: { kind: 'fail', reason: 'AllocationFailed', message: 'Failed to allocate IP for "ns/s": no available IPs' },
  },
  { name: 'our class is served', svc: svc({ loadBalancerClass: 'switchboard.io/lb' }), pool: pool('10.0.0.0/29'), want: { kind: 'assign', ip: '10.0.0.1' } },
  { name: 'another class is not ours and its status is left alone', svc: svc({ loadBalancerClass: 'example.com/lb' }, ['1.2.3.4']), pool: pool('10.0.0.0/29'), want: { kind: 'release', clearStatus: false } },
  { name: 'changed to ClusterIP: status cleared', svc: svc({ type: 'ClusterIP' }, ['10.0.0.1']), pool: pool('10.0.0.0/29', { '10.0.0.1': 'ns/s' }), want: { kind: 'release', clearStatus: true } },
  { name: 'ClusterIP without status: nothing', svc: svc({ type: 'ClusterIP' }), pool: pool('10.0.0.0/29'), want: { kind: 'release', clearStatus: false } },
];

describe('planAllocation', () => {
  for (const c of cases) test(c.name, () => assert.deepEqual(planAllocation(c.svc, 'ns/s', c.pool), c.want));
});
