/**
 * Section 3: watch fan-out. W watchers (one HTTP/1.1 watch stream and TLS connection each,
 * in a worker thread) on the ConfigMaps of one namespace; the main thread writes N
 * ConfigMaps and records each acknowledgement. Figures: time from the first write to the
 * last watcher's last event, and per write the lag from its ack to the last watcher
 * receiving it (p99, max). Reference: the same N writes with no watcher open.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client, ensureNamespace, nowMs, percentile, progress, repoRoot, runPool, startCluster, type Figure } from './lib.js';
import type { WatchClientsInput, WatchClientsResult } from './watch-clients.js';

export interface WatchConfig {
  watchers: number;
  writes: number;
  concurrency: number;
  deadlineMs: number;
}

export const watchConfigs: WatchConfig[] = [
  { watchers: 100, writes: 1000, concurrency: 16, deadlineMs: 60_000 },
  { watchers: 1000, writes: 10_000, concurrency: 16, deadlineMs: 300_000 },
];

interface WriteRun {
  done: number;
  firstSentAt: number;
  elapsedMs: number;
  ackAt: Float64Array;
  latencies: number[];
}

function smallConfigMap(namespace: string, name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { value: 'fan-out' } };
}

async function writeConfigMaps(client: Client, namespace: string, config: WatchConfig): Promise<WriteRun> {
  const ackAt = new Float64Array(config.writes);
  const latencies: number[] = [];
  const firstSentAt = nowMs();
  const done = await runPool({
    count: config.writes,
    concurrency: config.concurrency,
    deadlineMs: config.deadlineMs,
    task: async (i) => {
      const reply = await client.expect('POST', `/api/v1/namespaces/${namespace}/configmaps`, [201], smallConfigMap(namespace, `w-${i}`));
      ackAt[i] = nowMs();
      latencies.push(reply.ms);
    },
  });
  return { done, firstSentAt, elapsedMs: nowMs() - firstSentAt, ackAt, latencies };
}

/** Starts the watcher worker and resolves once every stream is open. */
function startWatchers(input: WatchClientsInput): { ready: Promise<void>; result: Promise<WatchClientsResult>; stop(): void } {
  const worker = new Worker(join(repoRoot, 'dist/bench/watch-clients.js'), { workerData: input });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const result = new Promise<WatchClientsResult>((resolve, reject) => {
    worker.on('message', (message: { type: string; result?: WatchClientsResult; message?: string }) => {
      if (message.type === 'ready') markReady();
      if (message.type === 'result' && message.result) resolve(message.result);
      if (message.type === 'error') reject(new Error(`watchers: ${message.message ?? '?'}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`watcher worker exited (${code})`)));
  });
  result.then(
    () => void worker.terminate(),
    () => void worker.terminate(),
  );
  return { ready: Promise.race([ready, result.then(() => undefined)]), result, stop: () => worker.postMessage('stop') };
}

async function currentResourceVersion(client: Client, namespace: string): Promise<string> {
  const reply = await client.expect('GET', `/api/v1/namespaces/${namespace}/configmaps`, [200]);
  const list = JSON.parse(reply.body.toString('utf8')) as { metadata: { resourceVersion: string } };
  return list.metadata.resourceVersion;
}

async function runConfig(config: WatchConfig): Promise<Figure[]> {
  const cluster = await startCluster({ store: 'sqlite' });
  const client = new Client(cluster.creds, config.concurrency);
  try {
    await ensureNamespace(client, 'bench-alone');
    await ensureNamespace(client, 'bench-watch');
    const alone = await writeConfigMaps(client, 'bench-alone', config);
    const rv = await currentResourceVersion(client, 'bench-watch');
    const openedAt = nowMs();
    const watchers = startWatchers({
      creds: cluster.creds,
      path: `/api/v1/namespaces/bench-watch/configmaps?watch=1&resourceVersion=${rv}`,
      watchers: config.watchers,
      writes: config.writes,
      namePrefix: 'w-',
      deadlineMs: config.deadlineMs,
    });
    await watchers.ready;
    progress(`watch ${config.watchers}x${config.writes}: ${config.watchers} streams open in ${(nowMs() - openedAt).toFixed(0)} ms; writing`);
    const writes = await writeConfigMaps(client, 'bench-watch', config);
    progress(`watch ${config.watchers}x${config.writes}: ${writes.done} writes acked in ${writes.elapsedMs.toFixed(0)} ms; waiting for the watchers`);
    const result = await watchers.result;
    return figuresOf(config, { alone, writes, result });
  } finally {
    client.close();
    await cluster.stop();
  }
}

function figuresOf(config: WatchConfig, run: { alone: WriteRun; writes: WriteRun; result: WatchClientsResult }): Figure[] {
  const { alone, writes, result } = run;
  const label = `${config.watchers} watchers x ${config.writes} writes`;
  const delivered = Array.from(result.lastReceivedAt.subarray(0, writes.done));
  const isAllDelivered = writes.done === config.writes && result.complete === config.watchers;
  const lastAt = Math.max(...delivered);
  const lags = delivered.map((at, i) => at - (writes.ackAt[i] ?? 0)).filter((_, i) => (delivered[i] ?? 0) > 0);
  const problems = [
    writes.done < config.writes ? `only ${writes.done} of ${config.writes} writes within the bound` : '',
    result.complete < config.watchers ? `${result.complete} of ${config.watchers} watchers got every write` : '',
    result.endedEarly > 0 ? `${result.endedEarly} streams ended early (server cut off slow consumers?)` : '',
    result.errors.length > 0 ? `errors: ${result.errors.join('; ')}` : '',
  ].filter(Boolean);
  const note = problems.length > 0 ? problems.join('; ') : undefined;
  return [
    {
      section: '3 watch',
      name: `${label}: first write to last watcher's last event`,
      value: lastAt - writes.firstSentAt,
      unit: 'ms',
      reference: { name: `the same ${config.writes} writes, no watchers`, value: alone.elapsedMs },
      note: !isAllDelivered ? `PARTIAL (time covers delivered writes only): ${note ?? ''}` : note ?? `${((config.watchers * config.writes) / ((lastAt - writes.firstSentAt) / 1000)).toFixed(0)} events/s delivered`,
    },
    {
      section: '3 watch',
      name: `${label}: slowest watcher lag after ack, p99`,
      value: percentile(lags, 99),
      unit: 'ms',
      reference: { name: 'create latency p99, no watchers', value: percentile(alone.latencies, 99) },
    },
    {
      section: '3 watch',
      name: `${label}: slowest watcher lag after ack, max`,
      value: Math.max(...lags),
      unit: 'ms',
      reference: { name: 'create latency max, no watchers', value: Math.max(...alone.latencies) },
    },
  ];
}

export async function benchWatch(configs: WatchConfig[] = watchConfigs): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const config of configs) figures.push(...(await runConfig(config)));
  return figures;
}
