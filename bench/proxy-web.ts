/**
 * Goal (a) of the proxy section: wrk through a Service's cluster IP against wrk straight to the
 * pod, both from the node's network namespace, in the same run. Two server pods: `web-a` alone
 * behind `web-one` (one endpoint: the per-backend comparison) and both behind `web-two`. The
 * reference for `web-two` is two wrk processes at once, half the connections and threads each,
 * one per pod IP, their requests/s summed. Runs are interleaved (direct and through alternate
 * which goes first) and the best of the rounds is kept for each configuration, which is the
 * figure least disturbed by other work on a shared machine.
 */
import type { ApiClient } from '../src/client/rest.js';
import { createService, isPodReady, PATH, podInfo, podIP, podObject, SERVICE_PORT, type Server } from './proxy-backends.js';
import { startProbeLoop } from './proxy-loop.js';
import { runWrk, runWrkTogether, type WrkLoad, type WrkReport } from './proxy-wrk.js';
import { progress, sleep } from './lib.js';

export interface Comparison {
  /** The best round of each. */
  direct: WrkReport;
  through: WrkReport;
  /** through / direct requests/s of each round (the two ran back to back). */
  roundRatios: number[];
}

export interface WebResult {
  keepAlive: { one: Comparison; two: Comparison };
  close: { one: Comparison; two: Comparison };
  rounds: number;
  seconds: number;
  clusterIPs: { one: string; two: string };
  podIPs: { a: string; b: string };
}

export interface WebOptions {
  client: ApiClient;
  server: Server;
  namespace: string;
  nodeName: string;
  netns: string;
  rounds: number;
  seconds: number;
}

async function waitPodsReady(client: ApiClient, namespace: string, names: string[], timeoutMs: number): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = await Promise.all(names.map((n) => client.get(podInfo, namespace, n)));
    if (pods.every((p) => isPodReady(p) && podIP(p))) return Object.fromEntries(pods.map((p) => [p.metadata.name ?? '', podIP(p)]));
    if (Date.now() > deadline) throw new Error(`pods ${names.join(', ')} were not Ready within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Waits until the cluster IP answers with every one of `hostnames` (the proxy has programmed them). */
async function waitServing(netns: string, clusterIP: string, hostnames: string[]): Promise<void> {
  const loop = startProbeLoop(netns, { host: clusterIP, port: SERVICE_PORT, path: PATH, pauseMs: 0 });
  try {
    for (const h of hostnames) await loop.waitFor((s) => s === h, 30_000);
  } finally {
    await loop.stop();
  }
}

const better = (a: WrkReport | undefined, b: WrkReport): WrkReport => (a && a.rps >= b.rps ? a : b);

export async function measureWeb(o: WebOptions): Promise<WebResult> {
  const { client, namespace, netns } = o;
  for (const [name, backend] of [['web-a', 'a'], ['web-b', 'b']] as const) {
    await client.create(podInfo, namespace, podObject(o.server, name, namespace, o.nodeName, { app: 'proxy-web', backend }));
  }
  const ports = o.server.ports;
  const one = await createService(client, namespace, 'web-one', { backend: 'a' }, ports.one);
  const two = await createService(client, namespace, 'web-two', { app: 'proxy-web' }, ports.two);
  const ips = await waitPodsReady(client, namespace, ['web-a', 'web-b'], 60_000);
  const a = ips['web-a'] as string;
  const b = ips['web-b'] as string;
  await waitServing(netns, one, ['web-a']);
  await waitServing(netns, two, ['web-a', 'web-b']);

  const url = (host: string, port: number): string => `http://${host}:${port}${PATH}`;
  const direct = { one: [url(a, ports.direct)], two: [url(a, ports.direct), url(b, ports.direct)] };
  const through = { one: url(one, SERVICE_PORT), two: url(two, SERVICE_PORT) };
  const full = (close: boolean): WrkLoad => ({ connections: 32, threads: 2, seconds: o.seconds, close });
  const half = (close: boolean): WrkLoad => ({ connections: 16, threads: 1, seconds: o.seconds, close });
  // Warm-up (neighbour entries, the nginx worker's first connections): not part of any figure.
  await runWrk(netns, direct.one[0] as string, { ...full(false), seconds: 1 });

  const all = new Map<string, WrkReport[]>();
  const keep = (key: string, r: WrkReport): void => {
    all.set(key, [...(all.get(key) ?? []), r]);
  };
  for (let round = 0; round < o.rounds; round++) {
    for (const close of [false, true]) {
      const mode = close ? 'close' : 'keep';
      const runs: [string, () => Promise<WrkReport>][] = [
        [`${mode}-one-direct`, () => runWrk(netns, direct.one[0] as string, full(close))],
        [`${mode}-one-through`, () => runWrk(netns, through.one, full(close))],
        [`${mode}-two-direct`, () => runWrkTogether(netns, direct.two, half(close))],
        [`${mode}-two-through`, () => runWrk(netns, through.two, full(close))],
      ];
      // Odd rounds run each pair the other way round.
      const ordered = round % 2 === 0 ? runs : [1, 0, 3, 2].map((i) => runs[i] as [string, () => Promise<WrkReport>]);
      for (const [key, fn] of ordered) {
        const r = await fn();
        progress(`proxy: round ${round + 1} ${key}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
        keep(key, r);
      }
    }
  }
  const runsOf = (key: string): WrkReport[] => {
    const list = all.get(key);
    if (!list || list.length === 0) throw new Error(`no wrk run for ${key}`);
    return list;
  };
  const comparison = (mode: string, n: string): Comparison => {
    const direct = runsOf(`${mode}-${n}-direct`);
    const through = runsOf(`${mode}-${n}-through`);
    return {
      direct: direct.reduce<WrkReport | undefined>(better, undefined) as WrkReport,
      through: through.reduce<WrkReport | undefined>(better, undefined) as WrkReport,
      roundRatios: through.map((t, i) => t.rps / (direct[i]?.rps ?? Number.NaN)),
    };
  };
  return {
    keepAlive: { one: comparison('keep', 'one'), two: comparison('keep', 'two') },
    close: { one: comparison('close', 'one'), two: comparison('close', 'two') },
    rounds: o.rounds,
    seconds: o.seconds,
    clusterIPs: { one, two },
    podIPs: { a, b },
  };
}
