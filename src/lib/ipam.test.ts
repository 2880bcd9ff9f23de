import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatCidr, NodeIpam, nthSubnet, parseIpv4Cidr } from './ipam.js';

describe('node CIDRs', () => {
  const cases: { name: string; cluster: string; mask: number; index: number; want: string }[] = [
    { name: 'first /24 of the default', cluster: '10.244.0.0/16', mask: 24, index: 0, want: '10.244.0.0/24' },
    { name: 'node 7 gets 10.244.7.0/24', cluster: '10.244.0.0/16', mask: 24, index: 7, want: '10.244.7.0/24' },
    { name: 'last /24', cluster: '10.244.0.0/16', mask: 24, index: 255, want: '10.244.255.0/24' },
    { name: '/20 subnets of a /14', cluster: '10.244.0.0/14', mask: 20, index: 17, want: '10.245.16.0/20' },
    { name: 'cluster address is masked', cluster: '10.244.3.9/16', mask: 24, index: 1, want: '10.244.1.0/24' },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(formatCidr(nthSubnet(parseIpv4Cidr(c.cluster), c.mask, c.index)), c.want));
  }
  test('more nodes than subnets is refused', () => {
    assert.throws(() => nthSubnet(parseIpv4Cidr('10.244.0.0/16'), 24, 256), /room for 256/);
  });
  test('a malformed CIDR is refused', () => {
    for (const text of ['10.244.0.0', '10.244.0.0/33', '10.244.0/16', '300.1.1.1/8']) assert.throws(() => parseIpv4Cidr(text), /invalid/);
  });
});

describe('NodeIpam', () => {
  test('hands out .2 upwards, skipping network, gateway and broadcast', () => {
    const ipam = new NodeIpam('10.244.1.0/24');
    assert.equal(ipam.capacity, 253);
    const ips = Array.from({ length: 253 }, (_, i) => ipam.allocate(`pod-${i}`));
    assert.equal(ips[0], '10.244.1.2');
    assert.equal(ips[252], '10.244.1.254');
    assert.equal(new Set(ips).size, 253);
    for (const ip of ips) assert.ok(ip && !/\.(0|1|255)$/.test(ip), `${String(ip)} must not be handed out`);
    assert.equal(ipam.allocate('one-too-many'), undefined);
  });

  test('a pod keeps its address when asked again', () => {
    const ipam = new NodeIpam('10.244.1.0/24');
    assert.equal(ipam.allocate('a'), '10.244.1.2');
    assert.equal(ipam.allocate('a'), '10.244.1.2');
    assert.equal(ipam.allocated, 1);
  });

  test('a released address comes back only after the rest of the pool', () => {
    const ipam = new NodeIpam('10.244.1.0/24');
    ipam.allocate('a');
    ipam.release('a');
    assert.equal(ipam.allocate('b'), '10.244.1.3', 'next-fit: not the address just freed');
    for (let i = 0; i < 251; i++) ipam.allocate(`filler-${i}`);
    assert.equal(ipam.allocate('c'), '10.244.1.2', 'wraps around to the freed address');
  });

  test('reserve records existing addresses and refuses conflicts', () => {
    const ipam = new NodeIpam('10.244.1.0/24');
    assert.equal(ipam.reserve('a', '10.244.1.50'), true);
    assert.equal(ipam.reserve('a', '10.244.1.50'), true, 'idempotent');
    assert.equal(ipam.reserve('b', '10.244.1.50'), false, 'held by a');
    assert.equal(ipam.reserve('c', '10.244.2.5'), false, 'outside the CIDR');
    assert.equal(ipam.reserve('d', '10.244.1.1'), false, 'the gateway');
    assert.equal(ipam.allocate('e'), '10.244.1.51', 'continues after the highest reserved address');
  });
});
