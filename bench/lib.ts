/**
 * Shared pieces of the benchmark: starting and stopping a real cluster through the CLI, a
 * keep-alive HTTPS client, percentiles, process memory, and the figures table.
 * Everything runs on loopback; every process started here is stopped by its pid.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
export const cliPath = join(repoRoot, 'dist/src/cli/main.js');

export { credentialsFromKubeconfig, type Credentials } from '../src/client/kubeconfig.js';
import { credentialsFromKubeconfig, type Credentials } from '../src/client/kubeconfig.js';

/** Milliseconds on a clock that worker threads share (timeOrigin differs per thread). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function makeTempDir(label: string): string {
  return mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), `sb-bench-${label}-`));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runNode(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((done) => {
    execFile(process.execPath, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asks a process to stop, waits up to `graceMs`, then kills it; by pid only. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(25);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

export interface Cluster {
  dataDir: string;
  pid: number;
  api: string;
  creds: Credentials;
  /** Wall time of `up --detach` (spawn to exit). */
  upMs: number;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  store?: 'memory' | 'sqlite' | 'etcd';
  /** An existing data directory (e.g. one the benchmark filled); removed on stop. */
  dataDir?: string;
  timeoutMs?: number;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const dataDir = options.dataDir ?? makeTempDir('cluster');
  // The control-plane sections measure the control plane: no real node (the nodes section runs its own).
  const args = [cliPath, 'up', '--detach', '--quiet', '--data-dir', dataDir, '--api-port', '0', '--nodes', '0', '--store', options.store ?? 'sqlite'];
  const started = nowMs();
  const up = await runNode(args, options.timeoutMs ?? 120_000);
  const upMs = nowMs() - started;
  if (up.code !== 0) {
    let log = '';
    try {
      log = readFileSync(join(dataDir, 'switchboard.log.out'), 'utf8');
    } catch (err) {
      log = `(no log: ${(err as Error).message})`;
    }
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`switchboard up failed (${up.code}): ${up.stderr}\n${log}`);
  }
  const status = JSON.parse(readFileSync(join(dataDir, 'status.json'), 'utf8')) as { pid: number; api: string; kubeconfig: string };
  return {
    dataDir,
    pid: status.pid,
    api: status.api,
    creds: credentialsFromKubeconfig(status.kubeconfig),
    upMs,
    async stop() {
      await runNode([cliPath, 'down', '--data-dir', dataDir], 15_000);
      await stopPid(status.pid);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  body: Buffer;
  ms: number;
}

/** A keep-alive HTTPS client for one server; `maxSockets` bounds the connections it opens. */
export class Client {
  readonly agent: https.Agent;
  private readonly url: URL;

  constructor(
    readonly creds: Credentials,
    maxSockets = 16,
  ) {
    this.url = new URL(creds.server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: creds.ca, cert: creds.cert, key: creds.key });
  }

  request(method: string, path: string, options: { body?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Reply> {
    const started = nowMs();
    return new Promise((done, fail) => {
      const req = https.request(
        {
          method,
          host: this.url.hostname,
          port: this.url.port,
          path,
          agent: this.agent,
          headers: {
            ...(options.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(options.body)) } : {}),
            ...options.headers,
          },
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: nowMs() - started }));
          res.on('error', fail);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 30_000} ms`)));
      req.on('error', fail);
      req.end(options.body);
    });
  }

  async expect(method: string, path: string, wanted: number[], body?: unknown): Promise<Reply> {
    const reply = await this.request(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    if (!wanted.includes(reply.status)) {
      throw new Error(`${method} ${path}: HTTP ${reply.status}: ${reply.body.toString('utf8').slice(0, 300)}`);
    }
    return reply;
  }

  close(): void {
    this.agent.destroy();
  }
}

export async function ensureNamespace(client: Client, name: string): Promise<void> {
  await client.expect('POST', '/api/v1/namespaces', [201, 409], { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/**
 * Runs `count` tasks with at most `concurrency` in flight; stops starting new ones after
 * `deadlineMs` (the count done is returned so a cut-short run is reported as such).
 */
export async function runPool(options: { count: number; concurrency: number; deadlineMs: number; task: (i: number) => Promise<void> }): Promise<number> {
  let next = 0;
  let done = 0;
  const stopAt = Date.now() + options.deadlineMs;
  const worker = async (): Promise<void> => {
    while (next < options.count && Date.now() < stopAt) {
      const i = next++;
      await options.task(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  return done;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** One line of the figures table. A ratio > 1 is not necessarily good; `better` says which way is. */
export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  reference?: { name: string; value: number };
  goal?: { text: string; isMet: boolean };
  note?: string;
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return '-';
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function formatTable(figures: readonly Figure[]): string {
  const header = ['section', 'figure', 'value', 'reference (same run)', 'ref value', 'ratio', 'goal', 'met'];
  const rows = figures.map((f) => [
    f.section,
    f.name,
    `${formatNumber(f.value)} ${f.unit}`,
    f.reference?.name ?? '-',
    f.reference ? `${formatNumber(f.reference.value)} ${f.unit}` : '-',
    f.reference && f.reference.value !== 0 ? `${(f.value / f.reference.value).toFixed(2)}x` : '-',
    f.goal?.text ?? '-',
    f.goal ? (f.goal.isMet ? 'yes' : 'NO') : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = figures.filter((f) => f.note).map((f) => `  * ${f.section} / ${f.name}: ${f.note}`);
  return [line(header), rule, ...rows.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export interface RefServer {
  pid: number;
  /** Spawn until its /readyz answered. */
  readyMs: number;
  client: Client;
  stop(): Promise<void>;
}

/** Starts the bare HTTPS reference server with a cluster's certificates. */
export async function startRefServer(pkiDir: string, creds: Credentials): Promise<RefServer> {
  const started = nowMs();
  const child = spawn(process.execPath, [join(repoRoot, 'dist/bench/ref-server.js'), pkiDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('reference server did not start');
  const port = await new Promise<number>((done, fail) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error('reference server did not listen within 10 s')), 10_000);
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      const m = /"port":(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        done(Number(m[1]));
      }
    });
    child.on('exit', () => fail(new Error('reference server exited')));
  });
  const client = new Client({ ...creds, server: `https://127.0.0.1:${port}` }, 16);
  await waitReady(client, 10_000);
  const readyMs = nowMs() - started;
  return {
    pid,
    readyMs,
    client,
    async stop() {
      client.close();
      child.stdin.end();
      await stopPid(pid);
    },
  };
}

/** Polls /readyz until it answers 200; throws after `timeoutMs`. */
export async function waitReady(client: Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await client.request('GET', '/readyz', { timeoutMs: 2000 }).catch(() => undefined);
    if (reply?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${client.creds.server}/readyz did not answer 200 within ${timeoutMs} ms`);
    await sleep(5);
  }
}
