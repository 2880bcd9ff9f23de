/**
 * Runs dnsperf against one server and reads its report. dnsperf 2.10 (Debian 12) prints the
 * average latency but no percentiles; with `-v` it prints every query's latency (`> NOERROR
 * name A 0.000123`), which is how p50/p99 are computed here, in a separate rate-limited run
 * so the printing does not slow the saturating one.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopPid } from './lib.js';

export interface DnsperfOptions {
  bin: string;
  port: number;
  queryFile: string;
  seconds: number;
  /** Queries per second cap (-Q); the saturating run sets it far above any server. */
  maxQps: number;
  /** Collect each query's latency (-v). */
  perQuery: boolean;
}

export interface DnsperfResult {
  qps: number;
  sent: number;
  lost: number;
  avgMs: number;
  maxMs: number;
  /** `NOERROR 1234 (85.00%), NXDOMAIN ...` as dnsperf prints it. */
  rcodes: string;
  /** Per-query latencies in ms (perQuery runs only). */
  latenciesMs: number[];
}

function field(report: string, label: string): string {
  const escaped = label.replace(/[()]/g, '\\$&');
  const m = new RegExp(`${escaped}:\\s+(.*)`).exec(report);
  if (!m?.[1]) throw new Error(`dnsperf printed no "${label}":\n${report.slice(-1500)}`);
  return m[1].trim();
}

export function parseReport(report: string, latenciesMs: number[]): DnsperfResult {
  const latency = /([\d.]+) \(min [\d.]+, max ([\d.]+)\)/.exec(field(report, 'Average Latency (s)'));
  return {
    qps: Number.parseFloat(field(report, 'Queries per second')),
    sent: Number.parseInt(field(report, 'Queries sent'), 10),
    lost: Number.parseInt(field(report, 'Queries lost'), 10),
    avgMs: Number(latency?.[1]) * 1000,
    maxMs: Number(latency?.[2]) * 1000,
    rcodes: field(report, 'Response codes'),
    latenciesMs,
  };
}

/**
 * One dnsperf run: one sending thread (-T 1) and 10 client sockets, 100 queries outstanding
 * (its default). On a two-core machine that leaves one core to the server under test.
 */
export async function runDnsperf(options: DnsperfOptions): Promise<DnsperfResult> {
  const args = ['-s', '127.0.0.1', '-p', String(options.port), '-d', options.queryFile, '-l', String(options.seconds)];
  args.push('-T', '1', '-c', '10', '-q', '100', '-t', '2', '-Q', String(options.maxQps));
  if (options.perQuery) args.push('-v');
  const child = spawn(options.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.bin} did not start`);
  const latenciesMs: number[] = [];
  const report: string[] = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const bound = setTimeout(() => void stopPid(pid, 1000), (options.seconds + 20) * 1000);
  try {
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? 1)));
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.startsWith('> ')) report.push(line);
      else {
        const seconds = Number(line.slice(line.lastIndexOf(' ') + 1));
        if (Number.isFinite(seconds)) latenciesMs.push(seconds * 1000);
      }
    }
    const code = await exited;
    if (code !== 0) throw new Error(`dnsperf exited ${code}: ${stderr.slice(-1500)}`);
    return parseReport(report.join('\n'), latenciesMs);
  } finally {
    clearTimeout(bound);
    await stopPid(pid, 1000);
  }
}
