/**
 * Section 6: cluster DNS. Switchboard's DNS (its own process, fed by informers on an
 * in-process API server holding S Services) against knotd serving the same records from a zone
 * file: dnsperf queries/s and latency, RSS; the record index's heap per 10,000 Services; and
 * the time from a Service change's API ack to the answer being served.
 */
import { rmSync } from 'node:fs';
import { startTestApi } from '../src/testing/api.js';
import { measureChanges, type ChangeLatencies } from './dns-change.js';
import { measureIndexMemory, startSwitchboardDns, type SwitchboardDns } from './dns-child.js';
import { compareServers, emptyKnotRss, type Comparison } from './dns-compare.js';
import { NAMESPACE_COUNT, createServices, ensureNamespaces, type CreatedService } from './dns-objects.js';
import { findTool } from './dns-zone.js';
import { makeTempDir, nowMs, percentile, progress, type Figure } from './lib.js';

const SECTION = '6 dns';
const CHANGE_NAMESPACE = 'bench-changes';

interface DnsScale {
  sizes: number[];
  saturateSeconds: number;
  latencySeconds: number;
  queryCount: number;
  rounds: number;
  changes: number;
}

function dnsScale(name: string | undefined): DnsScale {
  if (name === 'smoke') return { sizes: [200], saturateSeconds: 3, latencySeconds: 2, queryCount: 2000, rounds: 2, changes: 20 };
  return { sizes: [1000, 10_000], saturateSeconds: 10, latencySeconds: 5, queryCount: 20_000, rounds: 2, changes: 200 };
}

type Tools = { knotd: string; dnsperf: string } | undefined;

function findTools(): Tools {
  const knotd = findTool('knotd');
  const dnsperf = findTool('dnsperf');
  if (knotd !== undefined && dnsperf !== undefined) return { knotd, dnsperf };
  const missing = [knotd === undefined ? 'knotd (Debian package knot)' : '', dnsperf === undefined ? 'dnsperf (package dnsperf)' : ''].filter(Boolean);
  progress(`dns: ${missing.join(' and ')} not installed; install with \`apt-get install -y --no-install-recommends knot dnsperf\` (scripts/bench.sh does it when run as root). The qps and latency rows are SKIPPED.`);
  return undefined;
}

const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
const rounds = (qps: number[]): string => qps.map((q) => Math.round(q).toLocaleString('en-US')).join(', ');

function perfFigures(size: number, c: Comparison, seconds: number): Figure[] {
  const sb = c.switchboard;
  const kn = c.knotd;
  const p99 = (values: number[]): number => percentile(values, 99);
  const answers = c.mismatches === 0 ? `answers identical on ${c.compared} sampled queries` : `ANSWERS DIFFER on ${c.mismatches} of ${c.compared} sampled queries`;
  return [
    {
      section: SECTION,
      name: `queries/s at ${size.toLocaleString('en-US')} services (dnsperf -T 1 -c 10 -q 100, saturating, faster of ${sb.roundsQps.length} x ${seconds} s)`,
      value: sb.saturated.qps,
      unit: 'q/s',
      reference: { name: 'knotd, 1 UDP worker, same records', value: kn.saturated.qps },
      goal: { text: '>= 1.0x knotd', isMet: sb.saturated.qps >= kn.saturated.qps },
      note: `${answers}; rounds ${rounds(sb.roundsQps)} vs knotd ${rounds(kn.roundsQps)} q/s; average latency ${fmt(sb.saturated.avgMs)} vs knotd ${fmt(kn.saturated.avgMs)}; lost ${sb.saturated.lost} vs ${kn.saturated.lost}; rcodes ${sb.saturated.rcodes}`,
    },
    {
      section: SECTION,
      name: `p99 latency at ${c.limitedQps.toLocaleString('en-US')} q/s, ${size.toLocaleString('en-US')} services`,
      value: p99(sb.limited.latenciesMs),
      unit: 'ms',
      reference: { name: 'knotd p99 at the same rate', value: p99(kn.limited.latenciesMs) },
      goal: { text: '<= knotd p99', isMet: p99(sb.limited.latenciesMs) <= p99(kn.limited.latenciesMs) },
      note: `rate = half the slower server's saturating rate, rounds pooled; p50 ${fmt(percentile(sb.limited.latenciesMs, 50))} vs knotd ${fmt(percentile(kn.limited.latenciesMs, 50))}; lost ${sb.limited.lost} vs ${kn.limited.lost}`,
    },
    {
      section: SECTION,
      name: `DNS process RSS at ${size.toLocaleString('en-US')} services (after the runs)`,
      value: sb.rssMb,
      unit: 'MB',
      reference: { name: 'knotd RSS, same zone', value: kn.rssMb },
    },
  ];
}

function skippedFigure(size: number): Figure {
  return {
    section: SECTION,
    name: `queries/s and latency at ${size.toLocaleString('en-US')} services: SKIPPED`,
    value: Number.NaN,
    unit: '',
    note: 'knotd or dnsperf missing: apt-get install -y --no-install-recommends knot dnsperf',
  };
}

function changeFigures(size: number, r: ChangeLatencies): Figure[] {
  const rows = [
    { what: 'Service created -> A record served', ms: r.createMs, watch: r.watchCreateMs },
    { what: 'Service deleted -> NXDOMAIN served', ms: r.deleteMs, watch: r.watchDeleteMs },
  ];
  return rows.map(({ what, ms, watch }) => ({
    section: SECTION,
    name: `${what}, p99 (${ms.length} one at a time, ${size.toLocaleString('en-US')} services)`,
    value: percentile(ms, 99),
    unit: 'ms',
    reference: { name: 'ack -> event on a bare watch, p99', value: percentile(watch, 99) },
    goal: { text: 'p99 < 100 ms', isMet: percentile(ms, 99) < 100 },
    note: `p50 ${fmt(percentile(ms, 50))}, max ${fmt(Math.max(...ms))} (watch p50 ${fmt(percentile(watch, 50))}); polled over UDP about every 1 ms from the ack; ${r.timeouts} not served within 5 s`,
  }));
}

interface SizeRun {
  size: number;
  created: CreatedService[];
  tools: Tools;
  dir: string;
  scale: DnsScale;
  isLast: boolean;
  creds: Parameters<typeof startSwitchboardDns>[0];
  measureChanges: (dns: SwitchboardDns) => Promise<ChangeLatencies>;
}

async function measureSize(run: SizeRun): Promise<{ figures: Figure[]; knotRssMb?: number }> {
  const dns = await startSwitchboardDns(run.creds);
  progress(`dns: Switchboard DNS synced ${run.size} services in ${dns.readyMs.toFixed(0)} ms (pid ${dns.pid}, port ${dns.port})`);
  try {
    const figures: Figure[] = [];
    let knotRssMb: number | undefined;
    if (run.tools === undefined) figures.push(skippedFigure(run.size));
    else {
      const { saturateSeconds, latencySeconds, queryCount, rounds } = run.scale;
      const c = await compareServers({ tools: run.tools, dir: run.dir, created: run.created, switchboard: dns, saturateSeconds, latencySeconds, queryCount, rounds });
      figures.push(...perfFigures(run.size, c, run.scale.saturateSeconds));
      knotRssMb = c.knotd.rssMb;
    }
    if (run.isLast) figures.push(...changeFigures(run.size, await run.measureChanges(dns)));
    return { figures, ...(knotRssMb === undefined ? {} : { knotRssMb }) };
  } finally {
    await dns.stop();
  }
}

function memoryFigure(memory: { services: number; indexMb: number; objectsMb: number }, knot?: { emptyMb: number; fullMb: number }): Figure {
  const per10k = 10_000 / memory.services;
  return {
    section: SECTION,
    name: `record index heap per 10,000 services (built from ${memory.services.toLocaleString('en-US')})`,
    value: memory.indexMb * per10k,
    unit: 'MB',
    ...(knot === undefined ? {} : { reference: { name: 'knotd RSS growth for the same zone', value: (knot.fullMb - knot.emptyMb) * per10k } }),
    note: `heap after gc, own process; the Service/EndpointSlice objects themselves (shared with the informer cache) add ${(memory.objectsMb * per10k).toFixed(1)} MB per 10,000`,
  };
}

export async function benchDns(): Promise<Figure[]> {
  const scale = dnsScale(process.env.BENCH_SCALE);
  const tools = findTools();
  const dir = makeTempDir('dns');
  const api = await startTestApi();
  try {
    const namespaces = Array.from({ length: NAMESPACE_COUNT }, (_, i) => `bench-${i}`);
    await ensureNamespaces(api.client, [...namespaces, CHANGE_NAMESPACE]);
    const emptyMb = tools === undefined ? undefined : await emptyKnotRss(tools.knotd, dir);
    const created: CreatedService[] = [];
    const figures: Figure[] = [];
    let knotRssMb: number | undefined;
    for (const size of scale.sizes) {
      const started = nowMs();
      created.push(...(await createServices(api.client, { from: created.length, to: size })));
      progress(`dns: ${created.length} services created through the API in ${((nowMs() - started) / 1000).toFixed(1)} s`);
      const result = await measureSize({
        size,
        created,
        tools,
        dir,
        scale,
        isLast: size === scale.sizes[scale.sizes.length - 1],
        creds: api.client.creds,
        measureChanges: (dns) => measureChanges({ client: api.client, dnsPort: dns.port, namespace: CHANGE_NAMESPACE, count: scale.changes, boundMs: 5000 }),
      });
      figures.push(...result.figures);
      knotRssMb = result.knotRssMb;
    }
    const memory = await measureIndexMemory(dir, created);
    figures.push(memoryFigure(memory, emptyMb === undefined || knotRssMb === undefined ? undefined : { emptyMb, fullMb: knotRssMb }));
    return figures;
  } finally {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
