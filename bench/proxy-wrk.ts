/**
 * wrk runs for the proxy section, inside a node's network namespace (`nsenter --net`), and the
 * reading of wrk 4.1's report.
 */
import { execFile } from 'node:child_process';

export interface WrkReport {
  rps: number;
  requests: number;
  /** Latency percentiles from `--latency`, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Socket errors (connect + read + write + timeout) and non-2xx/3xx answers. */
  errors: number;
  non2xx: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 's') return n * 1000;
  if (unit === 'm') return n * 60_000;
  return n;
}

/** Reads wrk's report; throws when it lacks the Requests/sec line. */
export function parseWrk(text: string): WrkReport {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!rps) throw new Error(`wrk printed no "Requests/sec": ${text.slice(0, 400)}`);
  const requests = /^\s+(\d+) requests in /m.exec(text);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? toMs(m[1] as string, m[2] as string) : Number.NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    rps: Number(rps[1]),
    requests: Number(requests?.[1] ?? Number.NaN),
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    errors: socket ? socket.slice(1, 5).reduce((sum, v) => sum + Number(v), 0) : 0,
    non2xx: Number(non2xx?.[1] ?? 0),
  };
}

export interface WrkLoad {
  connections: number;
  threads: number;
  seconds: number;
  /** A new connection per request (`Connection: close`). */
  close: boolean;
}

/** One wrk run from `netns` against `url`. */
export function runWrk(netns: string, url: string, load: WrkLoad): Promise<WrkReport> {
  const args = [`--net=/run/netns/${netns}`, '--', 'wrk', `-c${load.connections}`, `-t${load.threads}`, `-d${load.seconds}s`, '--latency', ...(load.close ? ['-H', 'Connection: close'] : []), url];
  return new Promise((done, fail) => {
    execFile('nsenter', args, { timeout: (load.seconds + 20) * 1000 }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`wrk ${url} failed: ${String(stderr).trim() || err.message}`));
      try {
        done(parseWrk(String(stdout)));
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

/** Several wrk runs at once (one per URL), their requests/s summed; latencies are the worst. */
export async function runWrkTogether(netns: string, urls: string[], load: WrkLoad): Promise<WrkReport> {
  const reports = await Promise.all(urls.map((u) => runWrk(netns, u, load)));
  return {
    rps: reports.reduce((s, r) => s + r.rps, 0),
    requests: reports.reduce((s, r) => s + r.requests, 0),
    p50Ms: Math.max(...reports.map((r) => r.p50Ms)),
    p99Ms: Math.max(...reports.map((r) => r.p99Ms)),
    errors: reports.reduce((s, r) => s + r.errors, 0),
    non2xx: reports.reduce((s, r) => s + r.non2xx, 0),
  };
}
