/**
 * Section 4: listing 100,000 pods from the watch cache. The pods are written straight into
 * a fresh SQLite store file with the storage module before the server starts on that data
 * directory (the server's own encoding: JSON without metadata.resourceVersion), then
 * GET /api/v1/pods is timed as JSON and as a Table. Reference: a bare Node.js HTTPS server
 * sending a body of the same size over the same kind of connection.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openStore } from '../src/storage/index.js';
import { Client, makeTempDir, nowMs, percentile, progress, startCluster, startRefServer, type Figure, type RefServer } from './lib.js';

export interface ListOptions {
  pods: number;
  namespaces: number;
  requests: number;
  deadlineMs: number;
}

const defaults: ListOptions = { pods: 100_000, namespaces: 10, requests: 20, deadlineMs: 300_000 };
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io';

function pod(namespace: string, name: string, i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: `app-${i % 100}` } },
    spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }], nodeName: 'node-1' },
    status: { phase: 'Running', podIP: `10.244.${(i >> 8) & 255}.${i & 255}` },
  };
}

/** Writes the namespaces and pods into DIR/state.db with the storage module (server not running). */
async function fillStore(dataDir: string, options: ListOptions): Promise<void> {
  const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'state.db') });
  try {
    const stopAt = Date.now() + options.deadlineMs;
    for (let n = 0; n < options.namespaces; n++) {
      const name = `bench-list-${n}`;
      const metadata = { name, uid: randomUUID(), creationTimestamp: '2025-01-01T00:00:00Z' };
      await store.create(`/registry/namespaces/${name}`, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }));
    }
    for (let i = 0; i < options.pods; i++) {
      if (Date.now() > stopAt) throw new Error(`filling the store took longer than ${options.deadlineMs / 1000} s (${i} pods)`);
      const namespace = `bench-list-${i % options.namespaces}`;
      const name = `pod-${i}`;
      await store.create(`/registry/pods/${namespace}/${name}`, JSON.stringify(pod(namespace, name, i)));
    }
  } finally {
    await store.close();
  }
}

interface Timing {
  latencies: number[];
  bytes: number;
  items: number;
}

async function timeGets(client: Client, path: string, options: { requests: number; accept?: string; isJson?: boolean }): Promise<Timing> {
  const headers = options.accept ? { Accept: options.accept } : undefined;
  const latencies: number[] = [];
  let bytes = 0;
  let items = 0;
  // One unmeasured request: the first pays for JIT warm-up and connection setup.
  for (let i = 0; i <= options.requests; i++) {
    const reply = await client.request('GET', path, { headers, timeoutMs: 60_000 });
    if (reply.status !== 200) throw new Error(`GET ${path}: HTTP ${reply.status}: ${reply.body.toString('utf8').slice(0, 200)}`);
    if (i === 0) {
      bytes = reply.body.length;
      if (options.isJson === false) continue;
      const parsed = JSON.parse(reply.body.toString('utf8')) as { items?: unknown[]; rows?: unknown[] };
      items = (parsed.items ?? parsed.rows ?? []).length;
    } else latencies.push(reply.ms);
  }
  return { latencies, bytes, items };
}

function figures(label: string, api: Timing, ref: Timing, goal: boolean): Figure[] {
  const p99 = percentile(api.latencies, 99);
  const size = `${(api.bytes / 1e6).toFixed(1)} MB, ${api.items} items`;
  return [
    {
      section: '4 list',
      name: `${label} p50 (${size})`,
      value: percentile(api.latencies, 50),
      unit: 'ms',
      reference: { name: 'bare node https, same body size, p50', value: percentile(ref.latencies, 50) },
    },
    {
      section: '4 list',
      name: `${label} p99`,
      value: p99,
      unit: 'ms',
      reference: { name: 'bare node https, same body size, p99', value: percentile(ref.latencies, 99) },
      ...(goal ? { goal: { text: '< 1000 ms', isMet: p99 < 1000 } } : {}),
    },
  ];
}

export async function benchList(partial: Partial<ListOptions> = {}): Promise<Figure[]> {
  const options = { ...defaults, ...partial };
  const dataDir = makeTempDir('list');
  const filledAt = nowMs();
  await fillStore(dataDir, options);
  progress(`list: wrote ${options.pods} pods into the store in ${((nowMs() - filledAt) / 1000).toFixed(1)} s`);
  const cluster = await startCluster({ store: 'sqlite', dataDir });
  progress(`list: cluster up in ${cluster.upMs.toFixed(0)} ms with ${options.pods} pods`);
  const client = new Client(cluster.creds, 1);
  let ref: RefServer | undefined;
  try {
    const json = await timeGets(client, '/api/v1/pods', options);
    if (json.items !== options.pods) throw new Error(`GET /api/v1/pods returned ${json.items} items, wanted ${options.pods}`);
    const table = await timeGets(client, '/api/v1/pods', { ...options, accept: tableAccept });
    ref = await startRefServer(join(dataDir, 'pki'), cluster.creds);
    const refJson = await timeGets(ref.client, `/blob?bytes=${json.bytes}`, { ...options, isJson: false });
    const refTable = await timeGets(ref.client, `/blob?bytes=${table.bytes}`, { ...options, isJson: false });
    return [...figures('GET /api/v1/pods', json, refJson, true), ...figures('GET /api/v1/pods as Table', table, refTable, true)];
  } finally {
    client.close();
    await ref?.stop();
    await cluster.stop();
  }
}
