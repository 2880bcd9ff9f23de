/**
 * Section 7: real nodes. Pods on one real node (`up --nodes 1`: each pod a network namespace
 * with its own IP and its container a host process) from POST to Ready, 250 of them running
 * on this machine, the node agent's memory with them, and their deletion. Reference: the same
 * pods on a simulated node (`--simulated-nodes 1`, nothing runs), the control plane's floor.
 * Needs root (network namespaces); otherwise its rows say SKIPPED.
 */
import { percentile, progress, type Figure } from './lib.js';
import { describeCost } from './nodes-cost.js';
import { podContainer } from './nodes-pods.js';
import { CONCURRENCY, runOn, type Run, type Scale } from './nodes-run.js';

const SECTION = '7 nodes';

const scales: Record<string, Scale> = {
  default: { serial: 10, first: 100, total: 250, readyDeadlineMs: 90_000, deleteDeadlineMs: 60_000 },
  full: { serial: 10, first: 100, total: 250, readyDeadlineMs: 90_000, deleteDeadlineMs: 60_000 },
  smoke: { serial: 5, first: 20, total: 40, readyDeadlineMs: 30_000, deleteDeadlineMs: 30_000 },
};

const ms = (v: number): string => `${v.toFixed(0)} ms`;
const mb = (v: number): string => `${v.toFixed(1)} MB`;

function serialFigure(real: Run, sim: Run, scale: Scale): Figure {
  const lat = real.serial.latencies;
  return {
    section: SECTION,
    name: `${scale.serial} pods one at a time on the real node: POST ack -> Ready seen, p50`,
    value: percentile(lat, 50),
    unit: 'ms',
    reference: { name: 'same on a simulated node, p50', value: percentile(sim.serial.latencies, 50) },
    note: `no queueing: ${real.serial.ready}/${scale.serial} Ready, max ${ms(Math.max(...lat))}; ${describeCost(real.serial.cost, scale.serial)}`,
  };
}

function firstFigures(real: Run, sim: Run, scale: Scale): Figure[] {
  const p99 = percentile(real.first.latencies, 99);
  const allReady = real.first.ready === scale.first;
  const label = `${scale.first} pods on one real node, ${CONCURRENCY} in flight`;
  return [
    { section: SECTION, name: `${label}: POST ack -> Ready seen, p50`, value: percentile(real.first.latencies, 50), unit: 'ms', reference: { name: 'same on a simulated node, p50', value: percentile(sim.first.latencies, 50) } },
    {
      section: SECTION,
      name: `${label}: POST ack -> Ready seen, p99`,
      value: p99,
      unit: 'ms',
      reference: { name: 'same on a simulated node, p99', value: percentile(sim.first.latencies, 99) },
      goal: { text: 'p99 < 500 ms', isMet: allReady && p99 < 500 },
      note: `${real.first.ready}/${scale.first} Ready; max ${ms(Math.max(...real.first.latencies))} (simulated ${ms(Math.max(...sim.first.latencies))}); image ${String(podContainer().image)}. All ${scale.first} POSTs were acknowledged within ${ms(real.first.postMs)}, faster than the node starts pods, so they queue in the agent and the late ones wait about their place / pods/s: the tail is the burst draining (one pod at a time: see the first row)`,
    },
    {
      section: SECTION,
      name: `${label}: pods/s, first POST -> last Ready`,
      value: (real.first.ready / real.first.spanMs) * 1000,
      unit: 'pods/s',
      reference: { name: 'same on a simulated node', value: (sim.first.ready / sim.first.spanMs) * 1000 },
      note: `${describeCost(real.first.cost, scale.first)}; simulated: ${describeCost(sim.first.cost, scale.first)}`,
    },
  ];
}

function scaleFigures(real: Run, sim: Run, scale: Scale): Figure[] {
  const more = scale.total - scale.first;
  const f = real.facts;
  const allUp = real.scale.readyAll === scale.total && real.scale.running === scale.total;
  const rows: Figure[] = [
    {
      section: SECTION,
      name: `${more} more pods to ${scale.total} on the real node: first POST -> all Ready`,
      value: real.scale.spanMs / 1000,
      unit: 's',
      reference: { name: 'same on a simulated node', value: sim.scale.spanMs / 1000 },
      goal: { text: `all ${scale.total} Running and Ready`, isMet: allUp },
      note: `${real.scale.running} Running, ${real.scale.readyAll} Ready of ${scale.total}; these ${more}: POST ack -> Ready p50 ${ms(percentile(real.scale.latencies, 50))}, p99 ${ms(percentile(real.scale.latencies, 99))}; ${describeCost(real.scale.cost, more)}`,
    },
  ];
  if (!f) return rows;
  rows.push(
    {
      section: SECTION,
      name: `up process (API server + controllers + agent) RSS with ${scale.total} pods`,
      value: f.full.rssMb,
      unit: 'MB',
      reference: { name: 'same process right after start, 0 pods', value: f.idle.rssMb },
      note: `${mb((f.full.rssMb - f.idle.rssMb) / scale.total)} per pod; fds ${f.idle.fds} -> ${f.full.fds}, threads ${f.idle.threads} -> ${f.full.threads}, processes below it (helpers, launchers, containers) ${f.idle.children} -> ${f.full.children}`,
    },
    {
      section: SECTION,
      name: `pods' processes: VmRSS sum / ${scale.total}`,
      value: f.pods.rssMb / scale.total,
      unit: 'MB',
      note: `${f.pods.processes} processes in ${f.pods.namespacesWithProcesses} of ${f.netnsAtFull} pod namespaces; VmRSS sum ${mb(f.pods.rssMb)} counts shared pages once per process: Pss sum ${mb(f.pods.pssMb)} (${mb(f.pods.pssMb / scale.total)} per pod); their CPU so far ${ms((f.pods.cpuS * 1000) / scale.total)}/pod (mostly their own start)`,
    },
  );
  return rows;
}

function deleteFigures(real: Run, sim: Run, scale: Scale): Figure[] {
  const f = real.facts;
  const rows: Figure[] = [
    {
      section: SECTION,
      name: `delete all ${scale.total} (deletecollection, default grace 30 s): DELETE sent -> all gone`,
      value: real.delete.spanMs / 1000,
      unit: 's',
      reference: { name: 'same on a simulated node', value: sim.delete.spanMs / 1000 },
      goal: { text: `all gone, no pod netns left`, isMet: real.delete.gone === scale.total && f?.netnsLeft === 0 },
      note: `${real.delete.gone}/${scale.total} gone; the container (agnhost pause or sleep) exits on SIGTERM, so the grace period is not waited out${f ? `; pod namespaces left: ${f.netnsLeft}` : ''}`,
    },
  ];
  if (!f) return rows;
  rows.push({
    section: SECTION,
    name: 'up process RSS 1 s after all pods were deleted',
    value: f.after.rssMb,
    unit: 'MB',
    reference: { name: 'same process right after start, 0 pods', value: f.idle.rssMb },
    note: `fds ${f.idle.fds} -> ${f.full.fds} -> ${f.after.fds}, processes below it ${f.idle.children} -> ${f.full.children} -> ${f.after.children} (idle -> full -> after delete; idle launchers among them)`,
  });
  return rows;
}

function skippedFigures(scale: Scale, reason: string): Figure[] {
  const names = [
    `${scale.first} pods on one real node: POST ack -> Ready seen, p50 and p99, pods/s`,
    `${scale.total} pods on the real node: time, Running/Ready, up process RSS, pods' RSS`,
    `delete all ${scale.total}: time, pod namespaces left`,
  ];
  return names.map((name) => ({ section: SECTION, name: `${name}: SKIPPED`, value: Number.NaN, unit: '', note: reason }));
}

export async function benchNodes(scaleName = process.env.BENCH_SCALE ?? 'default'): Promise<Figure[]> {
  const scale = scales[scaleName];
  if (!scale) throw new Error(`unknown BENCH_SCALE ${scaleName}: want ${Object.keys(scales).join(' or ')}`);
  if (process.getuid?.() !== 0) {
    const reason = 'needs root: real nodes run pods in network namespaces (run the benchmark as root)';
    progress(`nodes: ${reason}; the rows are SKIPPED`);
    return skippedFigures(scale, reason);
  }
  const sim = await runOn('simulated', scale);
  const real = await runOn('real', scale);
  return [serialFigure(real, sim, scale), ...firstFigures(real, sim, scale), ...scaleFigures(real, sim, scale), ...deleteFigures(real, sim, scale)];
}
