/**
 * dnsperf against knotd and Switchboard's DNS for one cluster size: the same zone content, the
 * same query file, runs interleaved (knotd, Switchboard, knotd, Switchboard). Saturating runs
 * for queries/s (the faster round of each counts), then rate-limited runs at half the slower
 * server's rate with per-query latencies for p50/p99 (rounds pooled).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordType } from 'dns-packet';
import type { SwitchboardDns } from './dns-child.js';
import { queryLines, type CreatedService } from './dns-objects.js';
import { runDnsperf, type DnsperfResult } from './dns-perf.js';
import { DnsProbe, answerKey } from './dns-probe.js';
import { startKnotd, zoneText } from './dns-zone.js';
import { percentile, progress } from './lib.js';

export interface CompareOptions {
  tools: { knotd: string; dnsperf: string };
  dir: string;
  created: readonly CreatedService[];
  switchboard: SwitchboardDns;
  saturateSeconds: number;
  latencySeconds: number;
  queryCount: number;
  /** Interleaved rounds of each run (knotd, Switchboard, knotd, ...). */
  rounds: number;
}

export interface ServerRuns {
  /** The fastest saturating round. */
  saturated: DnsperfResult;
  /** The rate-limited rounds pooled. */
  limited: DnsperfResult;
  rssMb: number;
  /** Queries/s of each saturating round. */
  roundsQps: number[];
}

export interface Comparison {
  knotd: ServerRuns;
  switchboard: ServerRuns;
  /** The rate of the latency runs (queries/s). */
  limitedQps: number;
  compared: number;
  mismatches: number;
  knotLoadMs: number;
}

/** Asks both servers the first `count` queries of the file and counts differing answers. */
async function compareAnswers(lines: readonly string[], ports: { knotd: number; switchboard: number }, count: number): Promise<number> {
  const knot = await DnsProbe.open(ports.knotd);
  const sb = await DnsProbe.open(ports.switchboard);
  let mismatches = 0;
  try {
    for (const line of lines.slice(0, count)) {
      const [name = '', type = 'A'] = line.split(' ');
      const [a, b] = await Promise.all([knot.query(name, type as RecordType), sb.query(name, type as RecordType)]);
      if (answerKey(a) === answerKey(b)) continue;
      if (mismatches === 0) progress(`dns: answers differ for ${line}:\n  knotd: ${answerKey(a).replaceAll('\n', '; ')}\n  switchboard: ${answerKey(b).replaceAll('\n', '; ')}`);
      mismatches++;
    }
  } finally {
    knot.close();
    sb.close();
  }
  return mismatches;
}

function describe(label: string, r: DnsperfResult): string {
  const p = r.latenciesMs.length > 0 ? `, p50 ${percentile(r.latenciesMs, 50).toFixed(3)} ms, p99 ${percentile(r.latenciesMs, 99).toFixed(3)} ms` : '';
  return `${label}: ${Math.round(r.qps)} q/s, avg ${r.avgMs.toFixed(3)} ms${p}, lost ${r.lost}/${r.sent}`;
}

/** The faster of several saturating runs (the others were slowed by something else on the machine). */
function fastest(runs: readonly DnsperfResult[]): DnsperfResult {
  return runs.reduce((a, b) => (b.qps > a.qps ? b : a));
}

/** Rate-limited runs pooled: every query's latency counts once. */
function pooled(runs: readonly DnsperfResult[]): DnsperfResult {
  const sent = runs.reduce((n, r) => n + r.sent, 0);
  return {
    qps: runs.reduce((n, r) => n + r.qps, 0) / runs.length,
    sent,
    lost: runs.reduce((n, r) => n + r.lost, 0),
    avgMs: runs.reduce((n, r) => n + r.avgMs * r.sent, 0) / Math.max(sent, 1),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    rcodes: runs.map((r) => r.rcodes).join(' / '),
    latenciesMs: runs.flatMap((r) => r.latenciesMs),
  };
}

/** `rounds` x (knotd, then Switchboard), so a disturbance on the machine hits both alike. */
async function interleaved(rounds: number, run: (server: 'knotd' | 'switchboard') => Promise<DnsperfResult>, label: string): Promise<Record<'knotd' | 'switchboard', DnsperfResult[]>> {
  const out: Record<'knotd' | 'switchboard', DnsperfResult[]> = { knotd: [], switchboard: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const server of ['knotd', 'switchboard'] as const) {
      const r = await run(server);
      progress(`dns: ${describe(`${server} ${label}, round ${round}`, r)}`);
      out[server].push(r);
    }
  }
  return out;
}

export async function compareServers(options: CompareOptions): Promise<Comparison> {
  const lines = queryLines(options.created.map((c) => c.shape), options.queryCount);
  const queryFile = join(options.dir, `queries-${options.created.length}.txt`);
  writeFileSync(queryFile, `${lines.join('\n')}\n`);
  const knotd = await startKnotd({ bin: options.tools.knotd, dir: join(options.dir, `knot-${options.created.length}`), zone: zoneText(options.created) });
  try {
    const ports = { knotd: knotd.port, switchboard: options.switchboard.port };
    const compared = Math.min(200, lines.length);
    const mismatches = await compareAnswers(lines, ports, compared);
    const perf = (port: number, seconds: number, maxQps: number, perQuery: boolean): Promise<DnsperfResult> =>
      runDnsperf({ bin: options.tools.dnsperf, port, queryFile, seconds, maxQps, perQuery });
    const sat = await interleaved(options.rounds, (s) => perf(ports[s], options.saturateSeconds, 10_000_000, false), 'saturated');
    const knotSat = fastest(sat.knotd);
    const sbSat = fastest(sat.switchboard);
    const limitedQps = Math.max(1000, Math.floor(Math.min(knotSat.qps, sbSat.qps) / 2000) * 1000);
    const lim = await interleaved(options.rounds, (s) => perf(ports[s], options.latencySeconds, limitedQps, true), `at ${limitedQps} q/s`);
    return {
      knotd: { saturated: knotSat, limited: pooled(lim.knotd), rssMb: knotd.rssMb(), roundsQps: sat.knotd.map((r) => r.qps) },
      switchboard: { saturated: sbSat, limited: pooled(lim.switchboard), rssMb: options.switchboard.rssMb(), roundsQps: sat.switchboard.map((r) => r.qps) },
      limitedQps,
      compared,
      mismatches,
      knotLoadMs: knotd.loadMs,
    };
  } finally {
    await knotd.stop();
  }
}

/** RSS of knotd serving a zone with only its apex records: the base its zone growth is measured from. */
export async function emptyKnotRss(bin: string, dir: string): Promise<number> {
  const knotd = await startKnotd({ bin, dir: join(dir, 'knot-empty'), zone: zoneText([]) });
  try {
    return knotd.rssMb();
  } finally {
    await knotd.stop();
  }
}
