import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerQuery, type QueryResult } from './handler.js';
import { RecordIndex, type PodMode } from './records.js';
import type { KubeObject } from '../api/types.js';
import { clusterIP, externalName, fixtureIndex, headless, slice } from './test-fixtures.js';
import { zoneLine } from './zone-line.js';

interface Case {
  q: string;
  rcode: string;
  answer?: string[];
  /** Record types expected in the authority section (negative answers carry the SOA). */
  authority?: string[];
  additional?: string[];
  chase?: string;
  synced?: boolean;
}

const Z = 'cluster.local.';
const SVC = `example.svc.${Z}`;

function ask(index: RecordIndex, q: string, synced = true): QueryResult {
  const [name = '', type = 'A'] = q.split(' ');
  return answerQuery(index, { name, type, class: 'IN' }, { synced });
}

function check(index: RecordIndex, c: Case): void {
  const res = ask(index, c.q, c.synced ?? true);
  if (c.rcode === 'forward') {
    assert.equal(res.kind, 'forward');
    return;
  }
  assert.equal(res.kind, 'answer');
  if (res.kind !== 'answer') return;
  assert.equal(res.rcode, c.rcode);
  assert.deepEqual(res.answers.map(zoneLine).sort(), [...(c.answer ?? [])].sort());
  assert.deepEqual(res.authority.map((rr) => rr.type), c.authority ?? []);
  assert.deepEqual(res.additional.map(zoneLine).sort(), [...(c.additional ?? [])].sort());
  assert.equal(res.chase, c.chase);
}

const cases: Case[] = [
  // 2.3.1 ClusterIP A, case preserved, other types NODATA.
  { q: `backend.${SVC} A`, rcode: 'NOERROR', answer: [`backend.${SVC} 5 IN A 10.96.0.20`] },
  { q: `BackEnd.Example.SVC.Cluster.Local. A`, rcode: 'NOERROR', answer: ['BackEnd.Example.SVC.Cluster.Local. 5 IN A 10.96.0.20'] },
  { q: `backend.${SVC} AAAA`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `backend.${SVC} MX`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `v6.${SVC} AAAA`, rcode: 'NOERROR', answer: [`v6.${SVC} 5 IN AAAA fd00::10`] },
  { q: `v6.${SVC} A`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `missing.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  // 2.3.2 ClusterIP SRV: named ports only, target the service, A in additional.
  {
    q: `_http._tcp.backend.${SVC} SRV`, rcode: 'NOERROR',
    answer: [`_http._tcp.backend.${SVC} 5 IN SRV 0 100 80 backend.${SVC}`],
    additional: [`backend.${SVC} 5 IN A 10.96.0.20`],
  },
  {
    q: `_metrics._tcp.backend.${SVC} SRV`, rcode: 'NOERROR',
    answer: [`_metrics._tcp.backend.${SVC} 5 IN SRV 0 100 9090 backend.${SVC}`],
    additional: [`backend.${SVC} 5 IN A 10.96.0.20`],
  },
  { q: `_http._udp.backend.${SVC} SRV`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `_tcp.backend.${SVC} SRV`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `_http._tcp.backend.${SVC} A`, rcode: 'NOERROR', authority: ['SOA'] },
  // 2.3.3 ClusterIP PTR; endpoint names and PTRs for a ClusterIP service's endpoints.
  { q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: [`20.0.96.10.in-addr.arpa. 5 IN PTR backend.${SVC}`] },
  {
    q: '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. PTR', rcode: 'NOERROR',
    answer: [`0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 5 IN PTR v6.${SVC}`],
  },
  { q: `10-244-1-5.backend.${SVC} A`, rcode: 'NOERROR', answer: [`10-244-1-5.backend.${SVC} 5 IN A 10.244.1.5`] },
  { q: `10-244-1-6.backend.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: '99.99.99.10.in-addr.arpa. PTR', rcode: 'forward' },
  // 2.4.1 headless: one A per ready endpoint, hostnames, unready left out.
  { q: `nginx.${SVC} A`, rcode: 'NOERROR', answer: [`nginx.${SVC} 5 IN A 10.244.1.10`, `nginx.${SVC} 5 IN A 10.244.1.11`] },
  { q: `nginx-0.nginx.${SVC} A`, rcode: 'NOERROR', answer: [`nginx-0.nginx.${SVC} 5 IN A 10.244.1.10`] },
  { q: `NGINX-1.nginx.${SVC} A`, rcode: 'NOERROR', answer: [`NGINX-1.nginx.${SVC} 5 IN A 10.244.1.11`] },
  { q: `nginx-2.nginx.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `empty-headless.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `nginx.${SVC} AAAA`, rcode: 'NOERROR', authority: ['SOA'] },
  // 2.4.2 headless SRV: endpoint port, target per endpoint, weights split.
  {
    q: `_web._tcp.nginx.${SVC} SRV`, rcode: 'NOERROR',
    answer: [
      `_web._tcp.nginx.${SVC} 5 IN SRV 0 50 8080 nginx-0.nginx.${SVC}`,
      `_web._tcp.nginx.${SVC} 5 IN SRV 0 50 8080 nginx-1.nginx.${SVC}`,
    ],
    additional: [`nginx-0.nginx.${SVC} 5 IN A 10.244.1.10`, `nginx-1.nginx.${SVC} 5 IN A 10.244.1.11`],
  },
  {
    q: `_dns._udp.nohost.${SVC} SRV`, rcode: 'NOERROR',
    answer: [`_dns._udp.nohost.${SVC} 5 IN SRV 0 100 5353 10-244-2-7.nohost.${SVC}`],
    additional: [`10-244-2-7.nohost.${SVC} 5 IN A 10.244.2.7`],
  },
  // 2.4.3 headless PTR.
  { q: '10.1.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: [`10.1.244.10.in-addr.arpa. 5 IN PTR nginx-0.nginx.${SVC}`] },
  // 2.5 ExternalName.
  { q: `ext.${SVC} A`, rcode: 'NOERROR', answer: [`ext.${SVC} 5 IN CNAME www.example.org.`], chase: 'www.example.org' },
  { q: `ext.${SVC} CNAME`, rcode: 'NOERROR', answer: [`ext.${SVC} 5 IN CNAME www.example.org.`] },
  {
    q: `ext-internal.${SVC} A`, rcode: 'NOERROR',
    answer: [`ext-internal.${SVC} 5 IN CNAME backend.${SVC}`, `backend.${SVC} 5 IN A 10.96.0.20`],
  },
  { q: `ext-ip.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `_http._tcp.ext.${SVC} SRV`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  // 2.2 schema version; zone apex.
  { q: `dns-version.${Z} TXT`, rcode: 'NOERROR', answer: [`dns-version.${Z} 28800 IN TXT "1.1.0"`] },
  { q: `${Z} NS`, rcode: 'NOERROR', answer: [`${Z} 5 IN NS ns.dns.${Z}`] },
  { q: `${Z} A`, rcode: 'NOERROR', authority: ['SOA'] },
  // Empty non-terminals and names that do not exist.
  { q: `svc.${Z} A`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `pod.${Z} A`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `${SVC} A`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `testns.svc.${Z} A`, rcode: 'NOERROR', authority: ['SOA'] },
  { q: `nosuchns.svc.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `backend.nosuchns.svc.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `foo.bar.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  // Pod records (insecure mode).
  { q: `10-244-1-99.example.pod.${Z} A`, rcode: 'NOERROR', answer: [`10-244-1-99.example.pod.${Z} 5 IN A 10.244.1.99`] },
  { q: `fd00--1.example.pod.${Z} AAAA`, rcode: 'NOERROR', answer: [`fd00--1.example.pod.${Z} 5 IN AAAA fd00::1`] },
  { q: `10-244-1.example.pod.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `10-244-1-99.nosuchns.pod.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] },
  { q: `example.pod.${Z} A`, rcode: 'NOERROR', authority: ['SOA'] },
  // Transfers, other zones, before sync.
  { q: `${Z} AXFR`, rcode: 'REFUSED' },
  { q: `${Z} IXFR`, rcode: 'REFUSED' },
  { q: 'www.example.org. A', rcode: 'forward' },
  { q: `missing.${SVC} A`, rcode: 'SERVFAIL', synced: false },
  { q: `backend.${SVC} A`, rcode: 'NOERROR', answer: [`backend.${SVC} 5 IN A 10.96.0.20`], synced: false },
];

describe('answerQuery against the fixture cluster', () => {
  const index = fixtureIndex();
  for (const c of cases) test(`${c.q}${c.synced === false ? ' (unsynced)' : ''} -> ${c.rcode}`, () => check(index, c));
});

describe('SOA', () => {
  test('zone SOA carries CoreDNS timers and the ttl as minimum', () => {
    const index = fixtureIndex();
    const res = ask(index, `${Z} SOA`);
    assert.equal(res.kind, 'answer');
    if (res.kind !== 'answer') return;
    assert.equal(res.answers.length, 1);
    assert.match(zoneLine(res.answers[0]!), /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
  });
});

describe('incremental updates', () => {
  test('deleting a service makes its names NXDOMAIN, re-adding restores them', () => {
    const index = fixtureIndex();
    const svc = clusterIP('example', 'backend', '10.96.0.20');
    index.deleteService(svc);
    check(index, { q: `backend.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] });
    check(index, { q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'forward' });
    index.upsertService(svc);
    check(index, { q: `backend.${SVC} A`, rcode: 'NOERROR', answer: [`backend.${SVC} 5 IN A 10.96.0.20`] });
  });

  test('an endpoint becoming unready leaves the headless answer; the last one gives NXDOMAIN', () => {
    const index = fixtureIndex();
    index.upsertSlice(slice('example', 'nginx', [{ ip: '10.244.1.10', hostname: 'nginx-0' }, { ip: '10.244.1.11', hostname: 'nginx-1', ready: false }]));
    check(index, { q: `nginx.${SVC} A`, rcode: 'NOERROR', answer: [`nginx.${SVC} 5 IN A 10.244.1.10`] });
    check(index, { q: `nginx-1.nginx.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] });
    index.deleteSlice(slice('example', 'nginx', []));
    check(index, { q: `nginx.${SVC} A`, rcode: 'NXDOMAIN', authority: ['SOA'] });
  });

  test('changing an ExternalName target and then its type changes the answer', () => {
    const index = fixtureIndex();
    index.upsertService(externalName('example', 'ext', 'other.example.net'));
    check(index, { q: `ext.${SVC} A`, rcode: 'NOERROR', answer: [`ext.${SVC} 5 IN CNAME other.example.net.`], chase: 'other.example.net' });
    index.upsertService(clusterIP('example', 'ext', '10.96.0.99'));
    check(index, { q: `ext.${SVC} A`, rcode: 'NOERROR', answer: [`ext.${SVC} 5 IN A 10.96.0.99`] });
    check(index, { q: `ext.${SVC} CNAME`, rcode: 'NOERROR', authority: ['SOA'] });
  });

  test('a slice for two services in other namespaces does not leak', () => {
    const index = fixtureIndex();
    index.upsertService(headless('testns', 'nginx', [{ name: 'web', port: 80 }]));
    check(index, { q: `nginx.testns.svc.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] });
    index.upsertSlice(slice('testns', 'nginx', [{ ip: '10.244.9.9' }]));
    check(index, { q: `nginx.testns.svc.${Z} A`, rcode: 'NOERROR', answer: [`nginx.testns.svc.${Z} 5 IN A 10.244.9.9`] });
    check(index, { q: `nginx.${SVC} A`, rcode: 'NOERROR', answer: [`nginx.${SVC} 5 IN A 10.244.1.10`, `nginx.${SVC} 5 IN A 10.244.1.11`] });
  });

  test('namespaces leaving make their empty non-terminal NXDOMAIN', () => {
    const index = fixtureIndex();
    index.setNamespaces(['example']);
    check(index, { q: `testns.svc.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] });
    check(index, { q: `${SVC} A`, rcode: 'NOERROR', authority: ['SOA'] });
  });
});

describe('endpoints in two slices', () => {
  test('an endpoint listed by two slices is answered once', () => {
    const index = fixtureIndex();
    index.upsertSlice(slice('example', 'nginx', [{ ip: '10.244.1.10', hostname: 'nginx-0' }], [{ name: 'web', port: 8080 }], 'other'));
    check(index, { q: `nginx.${SVC} A`, rcode: 'NOERROR', answer: [`nginx.${SVC} 5 IN A 10.244.1.10`, `nginx.${SVC} 5 IN A 10.244.1.11`] });
    check(index, {
      q: `_web._tcp.nginx.${SVC} SRV`, rcode: 'NOERROR',
      answer: [
        `_web._tcp.nginx.${SVC} 5 IN SRV 0 50 8080 nginx-0.nginx.${SVC}`,
        `_web._tcp.nginx.${SVC} 5 IN SRV 0 50 8080 nginx-1.nginx.${SVC}`,
      ],
      additional: [`nginx-0.nginx.${SVC} 5 IN A 10.244.1.10`, `nginx-1.nginx.${SVC} 5 IN A 10.244.1.11`],
    });
  });
});

describe('pod records by mode', () => {
  const pod = (ns: string, name: string, ip?: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name }, ...(ip ? { status: { podIP: ip, podIPs: [{ ip }] } } : {}),
  });
  const indexFor = (pods: PodMode): RecordIndex => {
    const index = new RecordIndex({ pods });
    index.setNamespaces(['example', 'other']);
    return index;
  };
  const A = `10-244-1-7.example.pod.${Z} A`;

  test('disabled: every pod name is NXDOMAIN', () => {
    check(indexFor('disabled'), { q: A, rcode: 'NXDOMAIN', authority: ['SOA'] });
  });

  test('verified: only an IP a pod in that namespace holds, until the pod goes', () => {
    const index = indexFor('verified');
    check(index, { q: A, rcode: 'NXDOMAIN', authority: ['SOA'] });
    index.upsertPod(pod('example', 'web-1', '10.244.1.7'));
    check(index, { q: A, rcode: 'NOERROR', answer: [`10-244-1-7.example.pod.${Z} 5 IN A 10.244.1.7`] });
    check(index, { q: `10-244-1-7.other.pod.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] });
    // The IP moves to a new pod in another namespace: the old name goes, the new one comes.
    index.upsertPod(pod('example', 'web-1'));
    index.upsertPod(pod('other', 'db-0', '10.244.1.7'));
    check(index, { q: A, rcode: 'NXDOMAIN', authority: ['SOA'] });
    check(index, { q: `10-244-1-7.other.pod.${Z} A`, rcode: 'NOERROR', answer: [`10-244-1-7.other.pod.${Z} 5 IN A 10.244.1.7`] });
    index.deletePod(pod('other', 'db-0', '10.244.1.7'));
    check(index, { q: `10-244-1-7.other.pod.${Z} A`, rcode: 'NXDOMAIN', authority: ['SOA'] });
  });
});
