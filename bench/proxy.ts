/**
 * Section 8: the nftables service proxy. (a) wrk through a Service's cluster IP against wrk
 * straight to the pod, from the node's namespace; (b) the sync cost at up to 10,000 Services
 * (planner, renderer and `nft -f` in a scratch namespace); (c) a pod's Ready to the first
 * request through the cluster IP that reaches it. Needs root (network namespaces); otherwise
 * its rows say SKIPPED.
 */
import { sandboxIdFor } from '../src/cli/up.js';
import { findProgram } from '../src/agent/runtime/images.js';
import { sandboxNames } from '../src/sandbox/network.js';
import { percentile, progress, type Figure } from './lib.js';
import { startNodeCluster } from './nodes-cluster.js';
import { ensureNamespace } from './nodes-pods.js';
import { chooseServer, ensureTools } from './proxy-backends.js';
import { measureReady, type ReadyResult } from './proxy-ready.js';
import { ENDPOINTS_PER_SERVICE, measureLadder, renderTotal, type LadderStep, type SyncResult, type Timing } from './proxy-sync.js';
import { measureWeb, type Comparison, type WebResult } from './proxy-web.js';
import type { WrkReport } from './proxy-wrk.js';

const SECTION = '8 proxy';
const GOAL_SERVICES = 10_000;

interface Scale {
  wrkRounds: number;
  wrkSeconds: number;
  syncSizes: number[];
  syncChanges: number;
  syncBudgetMs: number;
  readyPods: number;
}

const scales: Record<string, Scale> = {
  default: { wrkRounds: 3, wrkSeconds: 5, syncSizes: [1000, 3000, 10_000], syncChanges: 5, syncBudgetMs: 90_000, readyPods: 20 },
  full: { wrkRounds: 3, wrkSeconds: 5, syncSizes: [1000, 3000, 10_000], syncChanges: 5, syncBudgetMs: 90_000, readyPods: 20 },
  smoke: { wrkRounds: 1, wrkSeconds: 5, syncSizes: [1000, 3000, 10_000], syncChanges: 2, syncBudgetMs: 30_000, readyPods: 10 },
};

const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const fmt = (n: number): string => n.toLocaleString('en-US');

function wrkNote(c: Comparison, server: string, extra: string): string {
  const lat = (r: WrkReport): string => `p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, errors ${r.errors}, non-2xx ${r.non2xx}`;
  const rounds = c.roundRatios.length > 1 ? `; each round's through/direct: ${c.roundRatios.map((r) => r.toFixed(2)).join(', ')}` : '';
  return `through: ${lat(c.through)}; direct: ${lat(c.direct)}; ${extra}${rounds}; server: ${server}`;
}

function webFigures(w: WebResult, server: string, backend: 'nftables' | 'userspace'): Figure[] {
  const rows: Figure[] = [];
  const runs = `best of ${w.rounds} interleaved ${w.seconds} s run${w.rounds > 1 ? 's' : ''} each`;
  const goals = backend === 'nftables' ? { keepAlive: 0.97, close: 0.95 } : { keepAlive: 0.8, close: undefined };
  const via = backend === 'nftables' ? 'via cluster IP' : 'via cluster IP, userspace proxy';
  for (const [mode, label, goal] of [
    ['keepAlive', 'keep-alive', goals.keepAlive],
    ['close', 'new connection per request (Connection: close)', goals.close],
  ] as const) {
    const one = w[mode].one;
    const two = w[mode].two;
    const ratio = one.through.rps / one.direct.rps;
    rows.push({
      section: SECTION,
      name: `wrk -c32 -t2, ${label}: ${via}, 1 endpoint`,
      value: one.through.rps,
      unit: 'req/s',
      reference: { name: 'same wrk straight to the pod IP', value: one.direct.rps },
      ...(goal === undefined ? {} : { goal: { text: `>= ${goal.toFixed(2)}x`, isMet: ratio >= goal && one.through.errors === 0 && one.through.non2xx === 0 } }),
      note: wrkNote(one, server, runs),
    });
    rows.push({
      section: SECTION,
      name: `wrk -c32 -t2, ${label}: ${via}, 2 endpoints`,
      value: two.through.rps,
      unit: 'req/s',
      reference: { name: 'two wrk -c16 -t1 at once, one per pod IP, summed', value: two.direct.rps },
      note: wrkNote(two, server, `${runs}; the reference puts 16 connections on each pod, while the proxy picks a pod at random per connection, so with keep-alive one pod can hold most of the 32 and be the bottleneck`),
    });
  }
  return rows;
}

function syncFigures(steps: LadderStep[]): Figure[] {
  const rows: Figure[] = [];
  const base = steps.find((s): s is { services: number; result: SyncResult } => 'result' in s)?.result;
  for (const step of steps) {
    const n = step.services;
    const atGoal = n === GOAL_SERVICES;
    const fullGoal = atGoal ? { goal: { text: 'render + apply < 1 s', isMet: false } } : {};
    const changeGoal = atGoal ? { goal: { text: 'render + apply < 50 ms', isMet: false } } : {};
    const label = `${fmt(n)} Services (ClusterIP, ${ENDPOINTS_PER_SERVICE} endpoints each)`;
    if (!('result' in step)) {
      const word = 'failed' in step ? 'FAILED' : 'SKIPPED';
      const note = 'failed' in step ? step.failed : step.skipped;
      rows.push({ section: SECTION, name: `${label}: full sync: ${word}`, value: Number.NaN, unit: 'ms', ...fullGoal, note });
      rows.push({ section: SECTION, name: `${label}: one Service changed: ${word}`, value: Number.NaN, unit: 'ms', ...changeGoal, note });
      continue;
    }
    const r = step.result;
    const ref = base && base !== r ? base : undefined;
    const refName = `same at ${fmt(ref?.services ?? 0)} Services`;
    const split = (t: Timing, render: string): string => `planNode ${ms(t.planMs)}, buildModel ${ms(t.modelMs)}, ${render} ${ms(t.renderMs)}; script ${fmt(t.lines)} lines`;
    const full = r.full;
    rows.push({
      section: SECTION,
      name: `${label}: full sync, render (plan + model + renderFull)`,
      value: renderTotal(full),
      unit: 'ms',
      ...(ref ? { reference: { name: refName, value: renderTotal(ref.full) } } : {}),
      note: `${split(full, 'renderFull')}, ${r.scriptKb.toFixed(0)} KB`,
    });
    rows.push({
      section: SECTION,
      name: `${label}: full sync, apply (nft -f into an empty namespace)`,
      value: full.applyMs,
      unit: 'ms',
      ...(ref ? { reference: { name: refName, value: ref.full.applyMs } } : {}),
      ...(atGoal ? { goal: { text: 'render + apply < 1 s', isMet: renderTotal(full) + full.applyMs < 1000 } } : {}),
      note: `render + apply ${ms(renderTotal(full) + full.applyMs)}; ${fmt(r.rules)} rules in the kernel after it`,
    });
    if (r.changes === 0) {
      rows.push({ section: SECTION, name: `${label}: one Service changed: SKIPPED`, value: Number.NaN, unit: 'ms', ...changeGoal, note: 'no change fitted in the time bound after the full sync' });
      continue;
    }
    const change = r.change;
    const whole = r.changeWhole;
    rows.push({
      section: SECTION,
      name: `${label}: one Service changed, render (plan + model + renderDiff)`,
      value: renderTotal(change),
      unit: 'ms',
      reference: { name: 'same change rendered whole (renderFull)', value: renderTotal(whole) },
      note: `${split(change, 'renderDiff')}; medians of ${r.changes} (one endpoint added to one Service's slice)`,
    });
    rows.push({
      section: SECTION,
      name: `${label}: one Service changed, apply (nft -f of the difference)`,
      value: change.applyMs,
      unit: 'ms',
      reference: { name: `same change as a whole-table replacement (${fmt(whole.lines)} lines)`, value: whole.applyMs },
      ...(atGoal ? { goal: { text: 'render + apply < 50 ms', isMet: r.changeTotals.median < 50 } } : {}),
      note: `render + apply: median ${ms(r.changeTotals.median)}, ${ms(r.changeTotals.min)} to ${ms(r.changeTotals.max)} over ${r.changes} (whole table, median: ${ms(r.changeWholeTotal)})`,
    });
  }
  return rows;
}

function readyFigures(r: ReadyResult, server: string, pauseMs: number): Figure[] {
  const traffic = r.samples.map((s) => s.trafficMs);
  const slice = r.samples.filter((s) => Number.isFinite(s.sliceMs)).map((s) => s.sliceMs);
  const gaps = r.samples.map((s) => s.gapMs);
  const timeouts = r.samples.reduce((sum, s) => sum + s.timeouts, 0);
  const p99 = percentile(traffic, 99);
  const label = `${r.samples.length} pods one at a time: Ready seen -> first answer via the cluster IP`;
  const method = `Ready is stamped when the bench's pod watch delivers it, a few ms after the agent's write, so both columns are short by that watch's delay; the answer when the request loop's attempt began (a new connection begun every ${pauseMs} ms, each given 100 ms; ${r.attemptsPerSecond.toFixed(0)} attempts/s; gap to the attempt before: p50 ${ms(percentile(gaps, 50))}, max ${ms(Math.max(...gaps))}, the resolution; ${timeouts} attempts begun between Ready and the answer timed out); one clock (CLOCK_MONOTONIC) in both processes`;
  return [
    {
      section: SECTION,
      name: `${label}, p50`,
      value: percentile(traffic, 50),
      unit: 'ms',
      reference: { name: 'Ready seen -> address ready on the slice watch, p50', value: percentile(slice, 50) },
    },
    {
      section: SECTION,
      name: `${label}, p99`,
      value: p99,
      unit: 'ms',
      reference: { name: 'Ready seen -> address ready on the slice watch, p99', value: percentile(slice, 99) },
      goal: { text: 'p99 < 100 ms', isMet: r.samples.length === r.attempted && r.samples.length > 0 && p99 < 100 },
      note: `${r.samples.length}/${r.attempted} measured; min ${ms(Math.min(...traffic))}, max ${ms(Math.max(...traffic))}. ${method}; server: ${server}`,
    },
  ];
}

function skipped(name: string, reason: string): Figure {
  return { section: SECTION, name: `${name}: SKIPPED`, value: Number.NaN, unit: '', note: reason };
}

export async function benchProxy(scaleName = process.env.BENCH_SCALE ?? 'default'): Promise<Figure[]> {
  const scale = scales[scaleName];
  if (!scale) throw new Error(`unknown BENCH_SCALE ${scaleName}: want ${Object.keys(scales).join(' or ')}`);
  if (process.getuid?.() !== 0) {
    const reason = 'needs root: the proxy programs nftables in network namespaces (run the benchmark as root)';
    progress(`proxy: ${reason}; the rows are SKIPPED`);
    return ['wrk via cluster IP vs pod IP', `sync at ${fmt(GOAL_SERVICES)} Services`, 'pod Ready -> traffic via cluster IP'].map((n) => skipped(n, reason));
  }
  const figures: Figure[] = [];
  progress(`proxy: sync cost at ${scale.syncSizes.map(fmt).join(', ')} Services`);
  figures.push(...syncFigures(await measureLadder(scale.syncSizes, scale.syncChanges, scale.syncBudgetMs)));

  const toolNotes = await ensureTools();
  const server = await chooseServer();
  const serverNote = [server.description, ...toolNotes].join('; ');
  const cluster = await startNodeCluster('real');
  try {
    const netns = sandboxNames(sandboxIdFor(cluster.dataDir)).node(0);
    const namespace = 'bench-proxy';
    await ensureNamespace(cluster.client, namespace);
    const common = { client: cluster.client, server, namespace, nodeName: cluster.nodeName, netns };
    if (findProgram('wrk')) {
      progress(`proxy: wrk via cluster IP and pod IP (${server.kind})`);
      figures.push(...webFigures(await measureWeb({ ...common, rounds: scale.wrkRounds, seconds: scale.wrkSeconds }), serverNote, 'nftables'));
    } else figures.push(skipped('wrk via cluster IP vs pod IP', `wrk is not installed (apt-get install wrk)${toolNotes.length ? `; ${toolNotes.join('; ')}` : ''}`));
    progress(`proxy: pod Ready -> traffic, ${scale.readyPods} pods`);
    const pauseMs = 1;
    figures.push(...readyFigures(await measureReady({ ...common, pods: scale.readyPods, pauseMs }), serverNote, pauseMs));
  } finally {
    await cluster.stop();
  }
  // The userspace backend: the same wrk comparison on a cluster started with it.
  try {
    if (findProgram('wrk')) {
      const userspace = await startNodeCluster('real', ['--proxy-mode', 'userspace']);
      try {
        const netns = sandboxNames(sandboxIdFor(userspace.dataDir)).node(0);
        const namespace = 'bench-proxy';
        await ensureNamespace(userspace.client, namespace);
        progress(`proxy: wrk via cluster IP (userspace proxy) and pod IP (${server.kind})`);
        const common = { client: userspace.client, server, namespace, nodeName: userspace.nodeName, netns };
        figures.push(...webFigures(await measureWeb({ ...common, rounds: scale.wrkRounds, seconds: scale.wrkSeconds }), serverNote, 'userspace'));
      } finally {
        await userspace.stop();
      }
    }
  } finally {
    server.cleanup();
  }
  return figures;
}
