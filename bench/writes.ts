/**
 * Section 2: ConfigMap creates per second through the API (POST, keep-alive HTTPS, fixed
 * concurrency) against the floor of the SQLite engine: durable single-row inserts of values
 * of the same size into a file on the same filesystem with the same pragmas.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, ensureNamespace, makeTempDir, nowMs, percentile, progress, runPool, startCluster, startRefServer, type Figure } from './lib.js';

export interface WritesOptions {
  count: number;
  concurrency: number;
  valueBytes: number;
  deadlineMs: number;
}

const defaults: WritesOptions = { count: 3000, concurrency: 16, valueBytes: 256, deadlineMs: 120_000 };

interface Run {
  done: number;
  elapsedMs: number;
  latencies: number[];
}

export function configMap(namespace: string, name: string, valueBytes: number): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { value: 'v'.repeat(valueBytes) } };
}

async function createConfigMaps(client: Client, namespace: string, options: WritesOptions): Promise<Run> {
  const latencies: number[] = [];
  const started = nowMs();
  const done = await runPool({
    count: options.count,
    concurrency: options.concurrency,
    deadlineMs: options.deadlineMs,
    task: async (i) => {
      const reply = await client.expect('POST', `/api/v1/namespaces/${namespace}/configmaps`, [201], configMap(namespace, `cm-${i}`, options.valueBytes));
      latencies.push(reply.ms);
    },
  });
  return { done, elapsedMs: nowMs() - started, latencies };
}

/** The size of the value the API server stores for one of these ConfigMaps (JSON, no resourceVersion). */
async function storedValueBytes(client: Client, namespace: string): Promise<number> {
  const reply = await client.expect('GET', `/api/v1/namespaces/${namespace}/configmaps/cm-0`, [200]);
  const obj = JSON.parse(reply.body.toString('utf8')) as { metadata: Record<string, unknown> };
  delete obj.metadata.resourceVersion;
  return Buffer.byteLength(JSON.stringify(obj));
}

/** Durable inserts, one row per transaction, WAL + synchronous=FULL, as the SQLite store opens its file. */
export function rawInserts(dir: string, count: number, valueBytes: number): Run {
  const path = join(dir, 'raw.db');
  const db = new Database(path);
  const latencies: number[] = [];
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE raw (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO raw (key, value) VALUES (?, ?)');
    const value = 'v'.repeat(valueBytes);
    const started = nowMs();
    for (let i = 0; i < count; i++) {
      const t = nowMs();
      insert.run(`/registry/configmaps/raw/cm-${i}`, value);
      latencies.push(nowMs() - t);
    }
    return { done: count, elapsedMs: nowMs() - started, latencies };
  } finally {
    db.close();
    rmSync(path, { force: true });
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
  }
}

const perSecond = (run: Run): number => (run.done / run.elapsedMs) * 1000;

export async function benchWrites(partial: Partial<WritesOptions> = {}): Promise<Figure[]> {
  const options = { ...defaults, ...partial };
  const cluster = await startCluster({ store: 'sqlite' });
  const client = new Client(cluster.creds, options.concurrency);
  const rawDir = makeTempDir('raw');
  try {
    await ensureNamespace(client, 'bench-warmup');
    await ensureNamespace(client, 'bench-writes');
    await createConfigMaps(client, 'bench-warmup', { ...options, count: 200 });
    const valueBytes = await storedValueBytes(client, 'bench-warmup');
    const rawBefore = rawInserts(rawDir, options.count, valueBytes);
    const api = await createConfigMaps(client, 'bench-writes', options);
    const rawAfter = rawInserts(rawDir, options.count, valueBytes);
    const ref = await startRefServer(join(cluster.dataDir, 'pki'), cluster.creds);
    let echo: Run;
    try {
      echo = await createConfigMaps(ref.client, 'bench-writes', options);
    } finally {
      await ref.stop();
    }
    // The faster of the two baseline runs is the floor (disk noise only ever slows it).
    const raw = perSecond(rawBefore) >= perSecond(rawAfter) ? rawBefore : rawAfter;
    progress(`writes: api ${perSecond(api).toFixed(0)}/s (${api.done}/${options.count}), raw ${perSecond(rawBefore).toFixed(0)}/s and ${perSecond(rawAfter).toFixed(0)}/s, value ${valueBytes} B`);
    const cut = api.done < options.count ? `cut short by the ${options.deadlineMs / 1000} s bound: ${api.done} of ${options.count}` : undefined;
    const apiRate = perSecond(api);
    return [
      {
        section: '2 writes',
        name: `ConfigMap creates/s (N=${options.count}, concurrency ${options.concurrency}, ${valueBytes} B stored)`,
        value: apiRate,
        unit: '/s',
        reference: { name: 'raw SQLite inserts/s (WAL, sync=FULL, 1 row/txn)', value: perSecond(raw) },
        goal: { text: 'ratio >= 0.7', isMet: apiRate / perSecond(raw) >= 0.7 },
        note: cut,
      },
      {
        section: '2 writes',
        name: 'ConfigMap creates/s, same client and load',
        value: apiRate,
        unit: '/s',
        reference: { name: 'bare Node HTTPS server echoing the POST (no storage)', value: perSecond(echo) },
      },
      {
        section: '2 writes',
        name: 'create latency p50',
        value: percentile(api.latencies, 50),
        unit: 'ms',
        reference: { name: 'raw insert latency p50', value: percentile(raw.latencies, 50) },
      },
      {
        section: '2 writes',
        name: 'create latency p99',
        value: percentile(api.latencies, 99),
        unit: 'ms',
        reference: { name: 'raw insert latency p99', value: percentile(raw.latencies, 99) },
      },
    ];
  } finally {
    client.close();
    rmSync(rawDir, { recursive: true, force: true });
    await cluster.stop();
  }
}
