import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { envVarNameFor, serviceLinkEnv, serviceLinkServices } from './service-links.js';
import { newService } from './test-fixtures.js';

const kubernetes = newService('kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }, 'default');

describe('serviceLinkEnv', () => {
  test('redis-primary: host, ports and Docker link variables in order', () => {
    const svc = newService('redis-primary', { clusterIP: '10.0.0.11', ports: [{ port: 6379 }] });
    assert.deepEqual(serviceLinkEnv([svc]), [
      { name: 'REDIS_PRIMARY_SERVICE_HOST', value: '10.0.0.11' },
      { name: 'REDIS_PRIMARY_SERVICE_PORT', value: '6379' },
      { name: 'REDIS_PRIMARY_PORT', value: 'tcp://10.0.0.11:6379' },
      { name: 'REDIS_PRIMARY_PORT_6379_TCP', value: 'tcp://10.0.0.11:6379' },
      { name: 'REDIS_PRIMARY_PORT_6379_TCP_PROTO', value: 'tcp' },
      { name: 'REDIS_PRIMARY_PORT_6379_TCP_PORT', value: '6379' },
      { name: 'REDIS_PRIMARY_PORT_6379_TCP_ADDR', value: '10.0.0.11' },
    ]);
  });

  test('named ports and a second UDP port', () => {
    const svc = newService('dns-cache', {
      clusterIP: '10.96.0.10',
      ports: [
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: '9153-metrics', port: 9153 },
      ],
    });
    assert.deepEqual(serviceLinkEnv([svc]), [
      { name: 'DNS_CACHE_SERVICE_HOST', value: '10.96.0.10' },
      { name: 'DNS_CACHE_SERVICE_PORT', value: '53' },
      { name: 'DNS_CACHE_SERVICE_PORT_DNS_TCP', value: '53' },
      { name: 'DNS_CACHE_SERVICE_PORT_DNS', value: '53' },
      { name: 'DNS_CACHE_SERVICE_PORT__9153_METRICS', value: '9153' },
      { name: 'DNS_CACHE_PORT', value: 'tcp://10.96.0.10:53' },
      { name: 'DNS_CACHE_PORT_53_TCP', value: 'tcp://10.96.0.10:53' },
      { name: 'DNS_CACHE_PORT_53_TCP_PROTO', value: 'tcp' },
      { name: 'DNS_CACHE_PORT_53_TCP_PORT', value: '53' },
      { name: 'DNS_CACHE_PORT_53_TCP_ADDR', value: '10.96.0.10' },
      { name: 'DNS_CACHE_PORT_53_UDP', value: 'udp://10.96.0.10:53' },
      { name: 'DNS_CACHE_PORT_53_UDP_PROTO', value: 'udp' },
      { name: 'DNS_CACHE_PORT_53_UDP_PORT', value: '53' },
      { name: 'DNS_CACHE_PORT_53_UDP_ADDR', value: '10.96.0.10' },
      { name: 'DNS_CACHE_PORT_9153_TCP', value: 'tcp://10.96.0.10:9153' },
      { name: 'DNS_CACHE_PORT_9153_TCP_PROTO', value: 'tcp' },
      { name: 'DNS_CACHE_PORT_9153_TCP_PORT', value: '9153' },
      { name: 'DNS_CACHE_PORT_9153_TCP_ADDR', value: '10.96.0.10' },
    ]);
  });

  test('headless, unallocated and ExternalName services give nothing', () => {
    const services = [
      newService('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      newService('pending', { ports: [{ port: 80 }] }),
      newService('ext', { type: 'ExternalName', clusterIP: '', ports: [{ port: 80 }] }),
    ];
    assert.deepEqual(serviceLinkEnv(services), []);
  });

  test('envVarNameFor', () => {
    assert.equal(envVarNameFor('my-svc'), 'MY_SVC');
    assert.equal(envVarNameFor('a.b-c'), 'A_B_C');
    assert.equal(envVarNameFor('8080-web'), '_8080_WEB');
  });
});

describe('serviceLinkServices', () => {
  const own = newService('web', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] });
  const other = newService('elsewhere', { clusterIP: '10.96.6.6', ports: [{ port: 80 }] }, 'other');
  const names = (list: { metadata: { name?: string; namespace?: string } }[]): string[] =>
    list.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);

  const cases: { name: string; namespace: string; enable: boolean; want: string[] }[] = [
    { name: 'own namespace plus default/kubernetes, sorted', namespace: 'shop', enable: true, want: ['default/kubernetes', 'shop/web'] },
    { name: 'enableServiceLinks=false keeps only kubernetes', namespace: 'shop', enable: false, want: ['default/kubernetes'] },
    { name: 'pods in default see kubernetes once', namespace: 'default', enable: true, want: ['default/kubernetes'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(names(serviceLinkServices([other, kubernetes, own], { namespace: c.namespace, enableServiceLinks: c.enable })), c.want);
    });
  }

  test("a namespace's own 'kubernetes' service replaces the default one", () => {
    const shadow = newService('kubernetes', { clusterIP: '10.96.9.9', ports: [{ port: 80 }] });
    assert.deepEqual(names(serviceLinkServices([kubernetes, shadow], { namespace: 'shop', enableServiceLinks: true })), ['shop/kubernetes']);
    assert.deepEqual(names(serviceLinkServices([kubernetes, shadow], { namespace: 'shop', enableServiceLinks: false })), ['default/kubernetes']);
  });
});
