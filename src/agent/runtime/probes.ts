/**
 * Container probes as the kubelet runs them: httpGet and tcpSocket from the node (here: from
 * the node's namespace, through its socket broker) to the pod IP, and exec inside the
 * container's namespaces with its environment (the same runners serve lifecycle hooks).
 * Timing fields as in the API (initialDelaySeconds, periodSeconds 10, timeoutSeconds 1,
 * successThreshold 1, failureThreshold 3); a probe's state flips only after that many
 * consecutive results.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import type net from 'node:net';
import { isRecord } from '../../api/types.js';
import { environmentOf } from './container.js';

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  /** Liveness and startup: the grace period of a kill this probe causes (else the pod's). */
  terminationGracePeriodSeconds?: number;
}

export interface ProbeTarget {
  podIP: string;
  /** Container ports by name, for named probe ports. */
  namedPorts: Map<string, number>;
  /** A TCP connection from the node to host:port. */
  connect(host: string, port: number): Promise<net.Socket>;
  /** The container's pid, for exec probes. */
  pid(): number | undefined;
}

export function probeOf(container: unknown, kind: 'readinessProbe' | 'livenessProbe' | 'startupProbe'): ProbeSpec | undefined {
  if (!isRecord(container)) return undefined;
  const p = container[kind];
  return isRecord(p) ? (p as ProbeSpec) : undefined;
}

function portOf(port: number | string, target: ProbeTarget): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return target.namedPorts.get(port);
}

/** Rejects when `signal` aborts (after calling `onAbort`); otherwise settles as `p` does. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (!signal) return p;
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => listener && signal.removeEventListener('abort', listener));
}

/** The timeout and the caller's signal as one (either may be absent). */
function deadline(timeoutMs: number | undefined, signal: AbortSignal | undefined): AbortSignal | undefined {
  const signals = [...(timeoutMs === undefined ? [] : [AbortSignal.timeout(timeoutMs)]), ...(signal ? [signal] : [])];
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/** A connection from the node, given up (and closed, should it still come) when `signal` aborts. */
function connectUntil(target: ProbeTarget, host: string, port: number, signal: AbortSignal | undefined): Promise<net.Socket> {
  const connecting = target.connect(host, port);
  connecting.then((s) => signal?.aborted && s.destroy(), () => undefined);
  return untilAborted(connecting, signal, () => undefined);
}

export type HttpGetAction = NonNullable<ProbeSpec['httpGet']>;

/**
 * One GET from the node to the pod (or `host`), over a connection the target opens. Resolves
 * with the response's status; rejects on a connection or protocol error, a timeout or an abort.
 * Only the HTTP scheme.
 */
export async function httpGetFromNode(get: HttpGetAction, target: ProbeTarget, opts: { userAgent: string; timeoutMs?: number; signal?: AbortSignal }): Promise<number> {
  const port = portOf(get.port, target);
  if (port === undefined) throw new Error(`port ${String(get.port)} is not a number or a named container port`);
  const scheme = (get.scheme ?? 'HTTP').toUpperCase();
  if (scheme !== 'HTTP') throw new Error(`scheme ${scheme} is not supported`);
  const host = get.host ?? target.podIP;
  const signal = deadline(opts.timeoutMs, opts.signal);
  let socket: net.Socket | undefined;
  try {
    socket = await connectUntil(target, host, port, signal);
    const conn = socket;
    socket.resume();
    const headers: Record<string, string> = { 'User-Agent': opts.userAgent, Accept: '*/*' };
    for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
    return await untilAborted(
      new Promise<number>((resolve, reject) => {
        const req = http.request({ method: 'GET', path: get.path ?? '/', host, port, headers, createConnection: () => conn }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      }),
      signal,
      () => conn.destroy(),
    );
  } finally {
    socket?.destroy();
  }
}


export interface ExecResult {
  /** The command's exit code; undefined when it could not start, timed out or was aborted. */
  exitCode?: number;
  /** What it wrote to stdout and stderr (the first 10 KiB). */
  output: string;
  error?: string;
}

const EXEC_OUTPUT_LIMIT = 10 * 1024;

/**
 * Runs a command inside a container's namespaces with its environment, as its own process
 * group, so that a timeout or an abort kills everything the command started.
 */
export function execInContainer(pid: number, command: string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve) => {
    const child = spawn('nsenter', ['-t', String(pid), '--net', '--uts', '--mount', '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'], env: environmentOf(pid), detached: true });
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < EXEC_OUTPUT_LIMIT) output = (output + chunk.toString('utf8')).slice(0, EXEC_OUTPUT_LIMIT);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let stopped: string | undefined;
    const signal = deadline(opts.timeoutMs, opts.signal);
    const kill = (): void => {
      stopped = signal?.reason instanceof Error && signal.reason.name === 'TimeoutError' ? `timed out after ${opts.timeoutMs} ms` : 'stopped before it finished';
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    if (signal?.aborted) kill();
    else signal?.addEventListener('abort', kill, { once: true });
    const done = (result: ExecResult): void => {
      signal?.removeEventListener('abort', kill);
      // A process the command left behind may hold the pipes open; the result does not wait for it.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(result);
    };
    child.once('error', (err) => done({ output, error: err.message }));
    child.once('exit', (code, sig) => {
      if (stopped) return done({ output, error: stopped });
      if (code === null) return done({ output, error: `killed by ${sig ?? 'a signal'}` });
      done({ exitCode: code, output });
    });
  });
}

export interface ProbeResult {
  ok: boolean;
  /** Why it failed, in the kubelet's words where it has some (the Unhealthy event's text). */
  output: string;
}

/** Connection errors as Go's dialer words them, which is what kubelet probe messages show. */
const DIAL_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
};

function errorText(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'context deadline exceeded';
  return err instanceof Error ? err.message : String(err);
}

function dialError(err: unknown, host: string, port: number | string): string | undefined {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  const text = typeof code === 'string' ? DIAL_ERRORS[code] : undefined;
  return text && `dial tcp ${host}:${String(port)}: ${text}`;
}

/** One probe attempt. HTTP succeeds on 200-399, as the kubelet's. */
export async function probeOnce(spec: ProbeSpec, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, spec.timeoutSeconds ?? 1) * 1000;
  if (spec.tcpSocket) {
    const port = portOf(spec.tcpSocket.port, target);
    if (port === undefined) return { ok: false, output: `port ${String(spec.tcpSocket.port)} is not a number or a named container port` };
    const host = spec.tcpSocket.host ?? target.podIP;
    let socket: net.Socket | undefined;
    try {
      socket = await connectUntil(target, host, port, AbortSignal.timeout(timeoutMs));
      return { ok: true, output: '' };
    } catch (err) {
      const why = err instanceof Error && err.name === 'TimeoutError' ? 'i/o timeout' : errorText(err);
      return { ok: false, output: dialError(err, host, port) ?? `dial tcp ${host}:${port}: ${why}` };
    } finally {
      socket?.destroy();
    }
  }
  if (spec.httpGet) {
    const get = spec.httpGet;
    const host = get.host ?? target.podIP;
    const port = portOf(get.port, target) ?? get.port;
    const url = `http://${host}:${String(port)}${get.path ?? '/'}`;
    try {
      const status = await httpGetFromNode(get, target, { userAgent: 'kube-probe/1.32', timeoutMs });
      const ok = status >= 200 && status < 400;
      return { ok, output: ok ? '' : `HTTP probe failed with statuscode: ${status}` };
    } catch (err) {
      return { ok: false, output: `Get "${url}": ${dialError(err, host, port) ?? errorText(err)}` };
    }
  }
  const command = spec.exec?.command ?? [];
  if (command.length > 0) {
    const pid = target.pid();
    if (pid === undefined) return { ok: false, output: 'the container is not running' };
    const result = await execInContainer(pid, command, { timeoutMs });
    if (result.exitCode === 0) return { ok: true, output: '' };
    if (result.error?.startsWith('timed out')) return { ok: false, output: `command "${command.join(' ')}" timed out` };
    // As the kubelet's: the command's output, whatever its exit code.
    return { ok: false, output: result.error && !result.output ? result.error : result.output.trimEnd() };
  }
  return { ok: false, output: 'the probe has no exec, httpGet or tcpSocket action' };
}

/**
 * Runs one probe on its period and reports when its state changes (after successThreshold
 * successes or failureThreshold failures in a row). `initial` is the state before any result:
 * readiness starts false, liveness and startup start true (not failing).
 */
export class Prober {
  private timer?: NodeJS.Timeout;
  private state: boolean;
  private streak = 0;
  private lastResult?: boolean;
  private stopped = false;

  constructor(
    private readonly spec: ProbeSpec,
    private readonly target: ProbeTarget,
    initial: boolean,
    private readonly onChange: (ok: boolean) => void,
    /** Called with the output of every failed attempt (the kubelet's Unhealthy events). */
    private readonly onFailure: (output: string) => void = () => undefined,
  ) {
    this.state = initial;
  }

  get ok(): boolean {
    return this.state;
  }

  start(): void {
    this.schedule((this.spec.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const { ok: result, output } = await probeOnce(this.spec, this.target);
    if (this.stopped) return;
    if (!result) this.onFailure(output);
    this.streak = result === this.lastResult ? this.streak + 1 : 1;
    this.lastResult = result;
    const needed = result ? (this.spec.successThreshold ?? 1) : (this.spec.failureThreshold ?? 3);
    if (result !== this.state && this.streak >= needed) {
      this.state = result;
      this.onChange(result);
    }
    this.schedule(Math.max(1, this.spec.periodSeconds ?? 10) * 1000);
  }
}
