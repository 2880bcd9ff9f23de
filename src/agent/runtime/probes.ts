/**
 * Container probes as the kubelet runs them: httpGet and tcpSocket from the node (here: from
 * the node's namespace, through its socket broker) to the pod IP, and exec inside the
 * container's namespaces. Timing fields as in the API (initialDelaySeconds, periodSeconds 10,
 * timeoutSeconds 1, successThreshold 1, failureThreshold 3); a probe's state flips only after
 * that many consecutive results.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import type net from 'node:net';
import { isRecord } from '../../api/types.js';

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
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

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`timeout after ${ms} ms`));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One probe attempt: true on success. HTTP succeeds on 200-399, as the kubelet's. */
export async function probeOnce(spec: ProbeSpec, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = Math.max(1, spec.timeoutSeconds ?? 1) * 1000;
  if (spec.tcpSocket) {
    const port = portOf(spec.tcpSocket.port, target);
    if (port === undefined) return false;
    let socket: net.Socket | undefined;
    try {
      socket = await withTimeout(target.connect(spec.tcpSocket.host ?? target.podIP, port), timeoutMs, () => undefined);
      return true;
    } catch {
      return false;
    } finally {
      socket?.destroy();
    }
  }
  if (spec.httpGet) {
    const get = spec.httpGet;
    const port = portOf(get.port, target);
    if (port === undefined || (get.scheme ?? 'HTTP').toUpperCase() !== 'HTTP') return false;
    let socket: net.Socket | undefined;
    try {
      socket = await withTimeout(target.connect(get.host ?? target.podIP, port), timeoutMs, () => undefined);
      const conn = socket;
      socket.resume();
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
      for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
      const status = await withTimeout(
        new Promise<number>((resolve, reject) => {
          const req = http.request({ method: 'GET', path: get.path ?? '/', host: get.host ?? target.podIP, port, headers, createConnection: () => conn }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        }),
        timeoutMs,
        () => conn.destroy(),
      );
      return status >= 200 && status < 400;
    } catch {
      return false;
    } finally {
      socket?.destroy();
    }
  }
  if (spec.exec?.command && spec.exec.command.length > 0) {
    const pid = target.pid();
    if (pid === undefined) return false;
    const command = spec.exec.command;
    return new Promise<boolean>((resolve) => {
      const child = spawn('nsenter', ['-t', String(pid), '--net', '--uts', '--mount', '--', ...command], { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', () => resolve(false));
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
  }
  return false;
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
    const result = await probeOnce(this.spec, this.target);
    if (this.stopped) return;
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
