/**
 * Section 1: `switchboard up --detach` until /readyz answers, and the server's idle memory.
 * Reference: a bare Node.js HTTPS server (bench/ref-server.ts) started and measured the same way.
 */
import { join } from 'node:path';
import { Client, median, progress, rssMb, sleep, startCluster, startRefServer, waitReady, nowMs, type Figure } from './lib.js';

export interface StartupOptions {
  rounds: number;
  idleMs: number;
}

interface Round {
  readyMs: number;
  rssMb: number;
  refReadyMs: number;
  refRssMb: number;
}

async function measureRound(options: StartupOptions): Promise<Round> {
  const started = nowMs();
  const cluster = await startCluster({ store: 'sqlite' });
  const client = new Client(cluster.creds, 1);
  try {
    await waitReady(client, 30_000);
    const readyMs = nowMs() - started;
    const ref = await startRefServer(join(cluster.dataDir, 'pki'), cluster.creds);
    try {
      await sleep(options.idleMs);
      return { readyMs, rssMb: rssMb(cluster.pid), refReadyMs: ref.readyMs, refRssMb: rssMb(ref.pid) };
    } finally {
      await ref.stop();
    }
  } finally {
    client.close();
    await cluster.stop();
  }
}

export async function benchStartup(options: StartupOptions = { rounds: 5, idleMs: 5000 }): Promise<Figure[]> {
  const rounds: Round[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const round = await measureRound(options);
    progress(`startup round ${i + 1}: ready ${round.readyMs.toFixed(0)} ms, rss ${round.rssMb.toFixed(1)} MB (bare node ${round.refReadyMs.toFixed(0)} ms, ${round.refRssMb.toFixed(1)} MB)`);
    rounds.push(round);
  }
  const readyMs = median(rounds.map((r) => r.readyMs));
  const rss = median(rounds.map((r) => r.rssMb));
  return [
    {
      section: '1 startup',
      name: `up --detach to /readyz (median of ${options.rounds}, fresh dirs)`,
      value: readyMs,
      unit: 'ms',
      reference: { name: 'bare node https server to /readyz', value: median(rounds.map((r) => r.refReadyMs)) },
      goal: { text: '< 1000 ms', isMet: readyMs < 1000 },
    },
    {
      section: '1 startup',
      name: `idle RSS after ${options.idleMs / 1000} s (median)`,
      value: rss,
      unit: 'MB',
      reference: { name: 'bare node https server RSS', value: median(rounds.map((r) => r.refRssMb)) },
      goal: { text: '< 150 MB', isMet: rss < 150 },
    },
  ];
}
