import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { buildModel, renderDiff } from '../src/proxy/nft.js';
import { planNode } from '../src/proxy/planner.js';
import { runProgram } from '../src/sandbox/run.js';
import { sandboxSkipReason, serveIn } from '../src/sandbox/testing.js';
import { startProbeLoop } from './proxy-loop.js';
import { buildAll, growthExponent, measureSync, syntheticService, syntheticSlice, withScratchNamespace, type SyncResult } from './proxy-sync.js';
import { parseWrk } from './proxy-wrk.js';

const skip = sandboxSkipReason();

const report = `Running 5s test @ http://10.244.0.2:8080/hostname
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   823.33us    1.37ms  22.00ms   91.41%
    Req/Sec    23.67k     8.36k   43.32k    71.67%
  Latency Distribution
     50%  512.00us
     75%  700.00us
     90%    1.20ms
     99%    7.03ms
  235000 requests in 5.00s, 35.21MB read
  Socket errors: connect 0, read 12, write 1, timeout 2
  Non-2xx or 3xx responses: 5
Requests/sec:  47000.97
Transfer/sec:      7.04MB
`;

describe('proxy bench pieces', () => {
  test('parseWrk reads wrk 4.1 with --latency', () => {
    const r = parseWrk(report);
    assert.equal(r.rps, 47000.97);
    assert.equal(r.requests, 235000);
    assert.equal(r.p50Ms, 0.512);
    assert.equal(r.p99Ms, 7.03);
    assert.equal(r.errors, 15);
    assert.equal(r.non2xx, 5);
  });

  test('parseWrk fails loudly without Requests/sec', () => {
    assert.throws(() => parseWrk('unable to connect to 10.0.0.1:80 Connection refused\n'), /no "Requests\/sec"/);
  });

  test('synthetic Services plan to one port each with their endpoints; a change diffs to that Service only', () => {
    const services = Array.from({ length: 300 }, (_, i) => syntheticService(i));
    const slices = Array.from({ length: 300 }, (_, i) => syntheticSlice(i));
    const plan = planNode('node-0', services, slices);
    assert.equal(plan.services.length, 300);
    assert.ok(plan.services.every((sp) => sp.clusterIPs.length === 1 && sp.internalEndpoints.length === 2));
    assert.equal(new Set(plan.services.map((sp) => sp.clusterIPs[0])).size, 300);
    const before = buildAll(services, slices).model;
    slices[150] = syntheticSlice(150, 3);
    const diff = renderDiff(before, buildModel(planNode('node-0', services, slices), { clusterCidr: '10.244.0.0/16' }));
    assert.ok(diff.includes('svc-150/'), diff);
    assert.ok(!/svc-(?!150\/)\d+\//.test(diff), diff);
  });

  test('growthExponent: 2 from one size, else fitted from the last two and clamped', () => {
    const at = (services: number, applyMs: number): SyncResult => {
      const t = { planMs: 0, modelMs: 0, renderMs: 0, applyMs, lines: 0 };
      return { services, scriptKb: 0, rules: 0, full: t, change: t, changeWhole: t, changeTotals: { median: 0, min: 0, max: 0 }, changeWholeTotal: 0, changes: 0 };
    };
    const cases: { name: string; measured: SyncResult[]; want: number }[] = [
      { name: 'one size', measured: [at(1000, 100)], want: 2 },
      { name: 'linear', measured: [at(1000, 100), at(3000, 300)], want: 1 },
      { name: 'square', measured: [at(1000, 100), at(3000, 900)], want: 2 },
      { name: 'faster than linear is taken as linear', measured: [at(1000, 100), at(3000, 120)], want: 1 },
      { name: 'worse than 2.5 is clamped', measured: [at(1000, 100), at(2000, 1000)], want: 2.5 },
    ];
    for (const c of cases) assert.ok(Math.abs(growthExponent(c.measured) - c.want) < 1e-9, `${c.name}: ${growthExponent(c.measured)}`);
  });

  test('measureSync programs a scratch namespace, full and changed, and removes it', { skip }, async () => {
    const r = await measureSync(200, 2);
    assert.equal(r.changes, 2);
    assert.ok(r.rules > 200, `rules ${r.rules}`);
    for (const t of [r.full, r.change, r.changeWhole]) assert.ok(Number.isFinite(t.applyMs) && t.applyMs > 0 && t.lines > 0, JSON.stringify(t));
    assert.ok(r.change.lines < r.changeWhole.lines / 10, `diff ${r.change.lines} lines, whole ${r.changeWhole.lines}`);
  });

  test('the request loop reports answers, then refusals, from inside a namespace', { skip }, async () => {
    let seen = '';
    await withScratchNamespace(async (netns) => {
      seen = netns;
      assert.equal((await runProgram('ip', ['-n', netns, 'link', 'set', 'lo', 'up'])).code, 0);
      const server = serveIn(netns, "import http from 'node:http'; http.createServer((q, s) => s.end('pod-x\\n')).listen(18080, '127.0.0.1', () => console.log('up'));");
      const loop = startProbeLoop(netns, { host: '127.0.0.1', port: 18080, path: '/hostname', pauseMs: 1 });
      try {
        await server.ready;
        const hit = await loop.waitFor((s) => s === 'pod-x', 10_000);
        assert.ok(hit.at >= hit.prevAt);
        const from = loop.lines.length;
        server.stop();
        await loop.waitFor((s) => s === 'refused', 10_000, from);
      } finally {
        await loop.stop();
        server.stop();
      }
    });
    assert.ok(!existsSync(`/run/netns/${seen}`));
  });
});
