import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../src/api/types.js';
import { queryLines, serviceObject, shapeOf, sliceObject, type CreatedService } from './dns-objects.js';
import { parseReport } from './dns-perf.js';
import { zoneText } from './dns-zone.js';

const report = `Statistics:

  Queries sent:         327561
  Queries completed:    327561 (100.00%)
  Queries lost:         7 (0.00%)

  Response codes:       NOERROR 218374 (66.67%), NXDOMAIN 109187 (33.33%)
  Average packet size:  request 44, response 87
  Run time (s):         3.000097
  Queries per second:   109183.469734

  Average Latency (s):  0.000446 (min 0.000019, max 0.004238)
  Latency StdDev (s):   0.000392
`;

/** Service number i as the API would return it: the mix's object plus an allocated cluster IP. */
function created(i: number): CreatedService {
  const shape = shapeOf(i);
  const service = serviceObject(shape);
  const spec = service.spec as Record<string, unknown>;
  if (shape.kind === 'ClusterIP') Object.assign(spec, { clusterIP: `10.96.0.${i}`, clusterIPs: [`10.96.0.${i}`] });
  if (shape.kind === 'Headless') spec['clusterIPs'] = ['None'];
  const slice = sliceObject(shape);
  const withNs = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace: shape.namespace } });
  return { shape, service: withNs(service), ...(slice === undefined ? {} : { slice: withNs(slice) }) };
}

describe('dns benchmark pieces', () => {
  test('parseReport reads dnsperf 2.10 statistics', () => {
    const r = parseReport(report, []);
    assert.equal(r.qps, 109183.469734);
    assert.equal(r.sent, 327561);
    assert.equal(r.lost, 7);
    assert.ok(Math.abs(r.avgMs - 0.446) < 1e-9, String(r.avgMs));
    assert.ok(Math.abs(r.maxMs - 4.238) < 1e-9, String(r.maxMs));
    assert.match(r.rcodes, /^NOERROR 218374/);
  });

  test('parseReport fails loudly on output it does not know', () => {
    assert.throws(() => parseReport('Queries sent: 1\n', []), /dnsperf printed no "Average Latency \(s\)"/);
  });

  const cases = [
    { i: 1, line: 'svc-1.bench-1.svc.cluster.local. 5 IN A 10.96.0.1' },
    { i: 1, line: '_grpc._tcp.svc-1.bench-1.svc.cluster.local. 5 IN SRV 0 100 9090 svc-1.bench-1.svc.cluster.local.' },
    { i: 10, line: 'svc-10.bench-10.svc.cluster.local. 5 IN A 10.128.0.30' },
    { i: 10, line: 'svc-10-2.svc-10.bench-10.svc.cluster.local. 5 IN A 10.128.0.32' },
    { i: 10, line: '_peer._tcp.svc-10.bench-10.svc.cluster.local. 5 IN SRV 0 33 7000 svc-10-0.svc-10.bench-10.svc.cluster.local.' },
    { i: 5, line: '10-128-0-15.svc-5.bench-5.svc.cluster.local. 5 IN A 10.128.0.15' },
    { i: 7, line: 'svc-7.bench-7.svc.cluster.local. 5 IN CNAME svc-7.example.com.' },
  ];
  for (const { i, line } of cases) {
    test(`the zone of service ${i} holds ${line}`, () => {
      const zone = zoneText([created(i)]).split('\n');
      assert.ok(zone.includes(line), zone.join('\n'));
      assert.ok(zone[0]?.includes(' IN SOA '));
      assert.ok(!zone.some((l) => l.includes(' PTR ')));
    });
  }

  test('queryLines is deterministic, leaves ExternalName out, and asks some names that do not exist', () => {
    const shapes = Array.from({ length: 200 }, (_, i) => shapeOf(i));
    const lines = queryLines(shapes, 2000);
    assert.deepEqual(queryLines(shapes, 2000), lines);
    assert.ok(!lines.some((l) => l.startsWith('svc-7.')));
    const missing = lines.filter((l) => l.startsWith('nosuch-')).length;
    assert.ok(missing > 200 && missing < 400, `${missing} NXDOMAIN lines`);
    assert.ok(lines.some((l) => l.endsWith(' SRV')));
  });
});
