/**
 * The proxy's sync cost at scale, without a cluster: synthetic Services and EndpointSlices go
 * through the planner, the nftables model and its renderers as the proxy calls them, and the
 * script is applied with `nft -f -` (through the same spawner, as the proxy does) inside a
 * namespace made for this run and deleted after it. Measured: the first (full) sync into an
 * empty namespace, then one Service changing (one endpoint added to its slice) applied as the
 * proxy applies it, the difference from the programmed model; reference: the same kind of
 * change applied as a whole-table replacement.
 */
import type { KubeObject } from '../src/api/types.js';
import { buildModel, renderDiff, renderFull, TABLE, type NftModel } from '../src/proxy/nft.js';
import { planNode } from '../src/proxy/planner.js';
import { runProgram } from '../src/sandbox/run.js';
import { testSandboxId } from '../src/sandbox/testing.js';
import { median } from './lib.js';

const NODE = 'node-0';
const CLUSTER_CIDR = '10.244.0.0/16';
export const ENDPOINTS_PER_SERVICE = 2;

/** The i-th address of a block starting at `a.b.0.0` (i < 65536 * (256 - b)). */
function address(a: number, b: number, i: number): string {
  return `${a}.${b + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

/** Service i: ClusterIP, one TCP port 80 named http, in one of 20 namespaces. */
export function syntheticService(i: number): KubeObject {
  const ip = address(10, 96, i + 1);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: `bench-${i % 20}`, name: `svc-${i}` },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app: `svc-${i}` }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
  };
}

/** Service i's slice: `count` ready endpoints on port 8080, alternately on this node and another. */
export function syntheticSlice(i: number, count = ENDPOINTS_PER_SERVICE): KubeObject {
  const endpoints = Array.from({ length: count }, (_, j) => ({
    addresses: [address(10, 128, i * 8 + j)],
    conditions: { ready: true },
    nodeName: j % 2 === 0 ? NODE : 'node-1',
  }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: `bench-${i % 20}`, name: `svc-${i}-abcde`, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints,
  };
}

export interface Built {
  model: NftModel;
  /** planNode, ms. */
  planMs: number;
  /** buildModel, ms. */
  modelMs: number;
}

/** planNode + buildModel, as each proxy sync does for one node. */
export function buildAll(services: KubeObject[], slices: KubeObject[]): Built {
  const t0 = performance.now();
  const plan = planNode(NODE, services, slices);
  const t1 = performance.now();
  const model = buildModel(plan, { clusterCidr: CLUSTER_CIDR });
  return { model, planMs: t1 - t0, modelMs: performance.now() - t1 };
}

function timed(render: () => string): { script: string; ms: number } {
  const started = performance.now();
  const script = render();
  return { script, ms: performance.now() - started };
}

const lineCount = (script: string): number => script.split('\n').length - 1;

/** `nft -f -` in `netns`, as the proxy runs it; resolves with its wall time in ms. */
export async function nftIn(netns: string, script: string): Promise<number> {
  const started = performance.now();
  const r = await runProgram('nsenter', [`--net=/run/netns/${netns}`, '--', 'nft', '-f', '-'], script);
  const ms = performance.now() - started;
  if (r.code !== 0) throw new Error(`nft -f in ${netns} failed: ${r.stderr.trim().slice(0, 500) || `exit ${r.code}`}`);
  return ms;
}

/** `nft [-a] list table ip switchboard` in `netns`. */
export async function listTable(netns: string, handles = false): Promise<string> {
  const r = await runProgram('nsenter', [`--net=/run/netns/${netns}`, '--', 'nft', ...(handles ? ['-a'] : []), 'list', 'table', 'ip', TABLE]);
  if (r.code !== 0) throw new Error(`nft list in ${netns} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

async function ruleCount(netns: string): Promise<number> {
  return (await listTable(netns, true)).split('\n').filter((l) => /# handle \d+$/.test(l) && !/^\s*(table|chain|map|set) /.test(l)).length;
}

/** Runs `fn` with a network namespace of its own, deleted afterwards (also on failure). */
export async function withScratchNamespace<T>(fn: (netns: string) => Promise<T>): Promise<T> {
  const netns = `sb${testSandboxId()}-n0`;
  const add = await runProgram('ip', ['netns', 'add', netns]);
  if (add.code !== 0) throw new Error(`ip netns add ${netns}: ${add.stderr.trim()}`);
  try {
    return await fn(netns);
  } finally {
    await runProgram('ip', ['netns', 'delete', netns]);
  }
}

/** One way of programming the table: the making of its text (plan, model, render) and `nft -f`. */
export interface Timing {
  planMs: number;
  modelMs: number;
  renderMs: number;
  applyMs: number;
  /** Lines of the nft script. */
  lines: number;
}

/** Plan + model + render: everything before `nft -f`. */
export const renderTotal = (t: Timing): number => t.planMs + t.modelMs + t.renderMs;

export interface SyncResult {
  services: number;
  scriptKb: number;
  /** Rules in the kernel after the full sync (`nft -a list table`). */
  rules: number;
  /** The whole table into an empty namespace (the first sync). */
  full: Timing;
  /** One Service changed, applied as the proxy does (renderDiff); medians over `changes`. */
  change: Timing;
  /** The same kind of change applied as a whole-table replacement (renderFull); medians. */
  changeWhole: Timing;
  /** Render + apply of each change applied as the proxy does: median, fastest, slowest. */
  changeTotals: { median: number; min: number; max: number };
  changeWholeTotal: number;
  changes: number;
}

function totals(list: Timing[]): { median: number; min: number; max: number } {
  const all = list.map((t) => renderTotal(t) + t.applyMs);
  return { median: median(all), min: Math.min(...all), max: Math.max(...all) };
}

function medianTiming(list: Timing[]): Timing {
  const of = (k: keyof Timing): number => median(list.map((t) => t[k]));
  return { planMs: of('planMs'), modelMs: of('modelMs'), renderMs: of('renderMs'), applyMs: of('applyMs'), lines: of('lines') };
}

/**
 * The measurement for `count` Services: a full sync, then up to `changes` rounds while
 * `deadline` (Date.now() ms) allows another. A round is two one-Service changes (one endpoint
 * added to a Service's slice): the first applied as the proxy does (the difference from the
 * programmed model), the second as a whole-table replacement, the reference.
 */
export async function measureSync(count: number, changes: number, deadline = Number.POSITIVE_INFINITY): Promise<SyncResult> {
  const services = Array.from({ length: count }, (_, i) => syntheticService(i));
  const slices = Array.from({ length: count }, (_, i) => syntheticSlice(i));
  return withScratchNamespace(async (netns) => {
    let built = buildAll(services, slices);
    const full = timed(() => renderFull(built.model));
    const first: Timing = { planMs: built.planMs, modelMs: built.modelMs, renderMs: full.ms, applyMs: await nftIn(netns, full.script), lines: lineCount(full.script) };
    const rules = await ruleCount(netns);
    const diffs: Timing[] = [];
    const wholes: Timing[] = [];
    // A different Service each time, spread over the list.
    const change = (k: number): Built => {
      const target = Math.floor(((k + 0.5) * count) / (2 * changes));
      slices[target] = syntheticSlice(target, ENDPOINTS_PER_SERVICE + 1);
      return buildAll(services, slices);
    };
    for (let c = 0; c < changes && Date.now() + 2 * (first.applyMs + renderTotal(first)) < deadline; c++) {
      const before = built.model;
      built = change(2 * c);
      const diff = timed(() => renderDiff(before, built.model));
      diffs.push({ planMs: built.planMs, modelMs: built.modelMs, renderMs: diff.ms, applyMs: await nftIn(netns, diff.script), lines: lineCount(diff.script) });
      built = change(2 * c + 1);
      const whole = timed(() => renderFull(built.model));
      wholes.push({ planMs: built.planMs, modelMs: built.modelMs, renderMs: whole.ms, applyMs: await nftIn(netns, whole.script), lines: lineCount(whole.script) });
    }
    return {
      services: count,
      scriptKb: Buffer.byteLength(full.script) / 1024,
      rules,
      full: first,
      change: medianTiming(diffs),
      changeWhole: medianTiming(wholes),
      changeTotals: totals(diffs),
      changeWholeTotal: totals(wholes).median,
      changes: diffs.length,
    };
  });
}

export type LadderStep = { services: number; result: SyncResult } | { services: number; skipped: string } | { services: number; failed: string };

/**
 * How a full sync grows with the Services, from the last two sizes measured (clamped to 1..2.5);
 * with one size, 2 (on the safe side: nft has grown worse than linearly here).
 */
export function growthExponent(measured: SyncResult[]): number {
  const a = measured.at(-2);
  const b = measured.at(-1);
  if (!a || !b || b.services === a.services) return 2;
  const cost = (r: SyncResult): number => r.full.applyMs + renderTotal(r.full);
  const k = Math.log(cost(b) / cost(a)) / Math.log(b.services / a.services);
  return Math.min(2.5, Math.max(1, Number.isFinite(k) ? k : 2));
}

/**
 * Measures each size in turn. A size whose full sync and one whole-table change, predicted from
 * the sizes before it, would not fit the time left is skipped with that prediction.
 */
export async function measureLadder(sizes: number[], changes: number, budgetMs: number): Promise<LadderStep[]> {
  const deadline = Date.now() + budgetMs;
  const steps: LadderStep[] = [];
  const measured: SyncResult[] = [];
  for (const services of sizes) {
    const last = measured.at(-1);
    if (last) {
      const lastMs = last.full.applyMs + renderTotal(last.full);
      const k = growthExponent(measured);
      // The full sync, and at least one round of changes (of which the whole-table one costs as much).
      const predicted = 2 * lastMs * (services / last.services) ** k;
      if (Date.now() + predicted > deadline) {
        steps.push({ services, skipped: `a full sync and one change were predicted to take ${(predicted / 1000).toFixed(0)} s (2 x ${(lastMs / 1000).toFixed(2)} s at ${last.services} x (${services}/${last.services})^${k.toFixed(2)}), beyond what is left of this run's ${(budgetMs / 1000).toFixed(0)} s for these rows` });
        continue;
      }
    }
    try {
      // The sizes before the last one get two changes: the time goes to the last (the goal's).
      const result = await measureSync(services, services === sizes.at(-1) ? changes : Math.min(2, changes), deadline);
      measured.push(result);
      steps.push({ services, result });
    } catch (err) {
      steps.push({ services, failed: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
  return steps;
}
