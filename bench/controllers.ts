/**
 * Section 5: controllers. An API server, the controller manager and simulated nodes, each
 * its own process (so each one's memory shows); readiness propagation to EndpointSlices,
 * pod creation through a Deployment, and the processes' RSS at the end.
 * `BENCH_SCALE=full` (or `run.js controllers --scale full`) runs 100,000 pods.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchPropagation, type Flip } from './propagation.js';
import { rawPodCreates, scaleConflicts, scaleDeployment } from './creation.js';
import { Client, cliPath, credentialsFromKubeconfig, makeTempDir, percentile, progress, repoRoot, rssMb, runNode, stopPid, type Figure } from './lib.js';

interface Scale {
  label: string;
  services: number;
  podsPerService: number;
  deployment: number;
  nodes: number;
  rawPods: number;
  /** The whole section's bound. */
  deadlineMs: number;
}

const scales: Record<string, Scale> = {
  smoke: { label: 'smoke', services: 50, podsPerService: 10, deployment: 500, nodes: 10, rawPods: 500, deadlineMs: 180_000 },
  default: { label: 'default', services: 1000, podsPerService: 10, deployment: 10_000, nodes: 100, rawPods: 3000, deadlineMs: 600_000 },
  full: { label: 'full', services: 10_000, podsPerService: 10, deployment: 100_000, nodes: 500, rawPods: 5000, deadlineMs: 900_000 },
};

interface Proc {
  name: string;
  pid: number;
}

interface ProcessCluster {
  dataDir: string;
  procs: Proc[];
  client: Client;
  stop(): Promise<void>;
}

/** Spawns a foreground component and waits for its line saying it runs. */
async function spawnUntil(name: string, args: string[], marker: string, logPath: string): Promise<ChildProcess & { pid: number }> {
  const timeoutMs = 120_000;
  // Their warnings (e.g. update conflicts) go to a file, counted at the end, not over the progress lines.
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  await new Promise<void>((done, fail) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`${name} not running within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      if (text.includes(marker)) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        done();
      }
    });
    child.on('exit', (code) => fail(new Error(`${name} exited (${code})`)));
  });
  return child as ChildProcess & { pid: number };
}

async function startProcessCluster(scale: Scale): Promise<ProcessCluster> {
  const dataDir = makeTempDir('controllers');
  const procs: Proc[] = [];
  const stop = async (): Promise<void> => {
    for (const p of [...procs].reverse()) {
      if (p.name === 'apiserver') await runNode([cliPath, 'down', '--data-dir', dataDir], 30_000);
      await stopPid(p.pid, 10_000);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const up = await runNode([cliPath, 'apiserver', '--detach', '--quiet', '--data-dir', dataDir, '--api-port', '0'], 120_000);
    if (up.code !== 0) throw new Error(`apiserver failed (${up.code}): ${up.stderr}`);
    const status = JSON.parse(readFileSync(join(dataDir, 'status.json'), 'utf8')) as { pid: number; kubeconfig: string };
    procs.push({ name: 'apiserver', pid: status.pid });
    const kubeconfig = status.kubeconfig;
    const ctl = await spawnUntil('controllers', [cliPath, 'controllers', '--kubeconfig', kubeconfig, '--log-level', 'warn'], 'running', join(dataDir, 'controllers.log'));
    procs.push({ name: 'controllers', pid: ctl.pid });
    // A /22 per node (1,021 addresses) from 10.0.0.0/8: room for every pod of both phases.
    const nodeConfig = { count: scale.nodes, podCidr: '10.0.0.0/8', nodeCidrMaskSize: 22, maxPods: 1000, concurrency: 32 };
    const agent = await spawnUntil('simulated nodes', [join(repoRoot, 'dist/bench/sim-agent.js'), kubeconfig, JSON.stringify(nodeConfig)], 'ready', join(dataDir, 'nodes.log'));
    procs.push({ name: 'simulated nodes', pid: agent.pid });
    const client = new Client(credentialsFromKubeconfig(kubeconfig), 32);
    return {
      dataDir,
      procs,
      client,
      async stop() {
        client.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function flipFigures(flips: Flip[], sample: number): Figure[] {
  const complete = flips.filter((f) => f.podAt !== undefined && f.sliceAt !== undefined);
  const ctl = complete.map((f) => (f.sliceAt ?? 0) - (f.podAt ?? 0));
  const node = complete.map((f) => (f.podAt ?? 0) - f.ackAt);
  const missing = flips.length - complete.length;
  const note = `${complete.length} of ${sample * 2} flips (${sample} pods, not Ready and back) complete${missing > 0 ? `; ${missing} not seen within 15 s` : ''}; pod->slice max ${Math.max(...ctl).toFixed(1)} ms`;
  const p99 = percentile(ctl, 99);
  return [
    { section: '5 controllers', name: 'Ready change: pod status -> EndpointSlice seen, p50', value: percentile(ctl, 50), unit: 'ms', reference: { name: 'patch ack -> pod status seen (node), p50', value: percentile(node, 50) } },
    {
      section: '5 controllers',
      name: 'Ready change: pod status -> EndpointSlice seen, p99',
      value: p99,
      unit: 'ms',
      reference: { name: 'patch ack -> pod status seen (node), p99', value: percentile(node, 99) },
      goal: { text: 'p99 < 100 ms', isMet: p99 < 100 && missing === 0 },
      note,
    },
  ];
}

export async function benchControllers(scaleName = process.env.BENCH_SCALE ?? 'default'): Promise<Figure[]> {
  const scale = scales[scaleName];
  if (!scale) throw new Error(`unknown BENCH_SCALE ${scaleName}: want ${Object.keys(scales).join(' or ')}`);
  const stopAt = Date.now() + scale.deadlineMs;
  const left = (): number => Math.max(1000, stopAt - Date.now());
  const cluster = await startProcessCluster(scale);
  const figures: Figure[] = [];
  const tag = `[${scale.label}: ${scale.nodes} nodes]`;
  try {
    progress(`controllers ${tag}: raw pod creates (${scale.rawPods})`);
    const raw = await rawPodCreates(cluster.client, scale.rawPods, Math.min(120_000, left()));
    progress(`controllers: raw ${raw.perSecond.toFixed(0)} pods/s; deployment to ${scale.deployment}`);
    const run = await scaleDeployment(cluster.client, scale.deployment, Math.min(scale.deadlineMs / 2.5, left()));
    progress(`controllers: deployment exist ${run.existMs.toFixed(0)} ms, ready ${run.readyMs.toFixed(0)} ms, gone ${run.goneMs.toFixed(0)} ms`);
    const partial = (n: number): string | undefined => (n < run.target ? `PARTIAL: ${n} of ${run.target} within the bound` : undefined);
    const rate = (ms: number, n: number): number => (Number.isNaN(ms) ? 0 : (n / ms) * 1000);
    const existRate = rate(run.existMs, run.existed);
    const readyRate = rate(run.readyMs, run.ready);
    const ref = { name: `raw pod POSTs/s, concurrency 32 (N=${raw.done})`, value: raw.perSecond };
    figures.push(
      { section: '5 controllers', name: `Deployment 0 -> ${run.target}: pods created/s ${tag}`, value: existRate, unit: '/s', reference: ref, goal: { text: '> 1,000/s', isMet: existRate > 1000 }, note: partial(run.existed) },
      { section: '5 controllers', name: `Deployment 0 -> ${run.target}: pods Ready/s`, value: readyRate, unit: '/s', reference: ref, goal: { text: '> 1,000/s', isMet: readyRate > 1000 }, note: partial(run.ready) },
      {
        section: '5 controllers',
        name: `Deployment ${run.target} -> 0: pods gone/s`,
        value: rate(run.goneMs, run.existed),
        unit: '/s',
        note: [Number.isNaN(run.goneMs) ? 'PARTIAL: not all gone within the bound' : '', scaleConflicts() > 0 ? `scale PATCH answered 409 Conflict ${scaleConflicts()} times (retried)` : ''].filter(Boolean).join('; ') || undefined,
      },
    );
    const o = { services: scale.services, podsPerService: scale.podsPerService, sample: 500, concurrency: 8, deadlineMs: left() };
    progress(`controllers: propagation, ${o.services} services x ${o.podsPerService} pods`);
    const prop = await benchPropagation(cluster.client, o);
    const total = o.services * o.podsPerService;
    figures.push({
      section: '5 controllers',
      name: `${o.services} Services x ${o.podsPerService} pods: created to all endpoints ready`,
      value: prop.settleMs / 1000,
      unit: 's',
      note: Number.isNaN(prop.settleMs) ? `PARTIAL: ${prop.podsCreated} created, ${prop.podsReady} Ready, ${prop.readyEndpoints} ready endpoints of ${total}` : undefined,
    });
    if (prop.flips.length > 0) figures.push(...flipFigures(prop.flips, o.sample));
    figures.push(...memoryFigures(cluster.procs, scale, prop.podsCreated));
    const memory = figures[figures.length - 1];
    if (memory) memory.note = `warnings logged: controllers ${countLines(join(cluster.dataDir, 'controllers.log'))}, nodes ${countLines(join(cluster.dataDir, 'nodes.log'))}`;
    return figures;
  } finally {
    await cluster.stop();
  }
}

function memoryFigures(procs: Proc[], scale: Scale, pods: number): Figure[] {
  const rows = procs.map((p) => ({ name: p.name, mb: rssMb(p.pid) }));
  const total = rows.reduce((sum, r) => sum + r.mb, 0);
  const goal = scale.label === 'full' ? { text: '< 2 GiB total (full)', isMet: total < 2048 } : undefined;
  return [
    ...rows.map((r) => ({ section: '5 controllers', name: `RSS at the end: ${r.name} (${pods} pods)`, value: r.mb, unit: 'MB' })),
    { section: '5 controllers', name: `RSS at the end: total of ${rows.length} processes`, value: total, unit: 'MB', goal },
  ];
}

function countLines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
