/**
 * Container lifecycle hooks as the kubelet runs them. postStart runs right after the container
 * starts, and the container does not count as running until it ends; preStop runs before the
 * SIGTERM of a container being stopped and shares the grace period with it. Handlers: `exec`
 * (inside the container, with its environment; success is exit code 0), `httpGet` (from the
 * node; any HTTP response is success, only a failed request fails) and `sleep`. `tcpSocket` is
 * deprecated and the kubelet has no runner for it: such a hook fails.
 */
import { isRecord } from '../../api/types.js';
import { execInContainer, httpGetFromNode, type HttpGetAction, type ProbeTarget } from './probes.js';

export interface LifecycleHandler {
  exec?: { command?: string[] };
  httpGet?: HttpGetAction;
  tcpSocket?: { port: number | string; host?: string };
  sleep?: { seconds?: number };
}

export interface ContainerLifecycle {
  postStart?: LifecycleHandler;
  preStop?: LifecycleHandler;
}

export type HookResult = { ok: true } | { ok: false; message: string };

/** What the kubelet sends as User-Agent for httpGet hooks. */
export const LIFECYCLE_USER_AGENT = 'kube-lifecycle/1.32';

/** The least time between SIGTERM and SIGKILL, even when preStop used up the grace period. */
export const MIN_TERMINATION_WINDOW_MS = 2000;

export function lifecycleOf(container: unknown): ContainerLifecycle {
  if (!isRecord(container) || !isRecord(container.lifecycle)) return {};
  const { postStart, preStop } = container.lifecycle;
  return {
    ...(isRecord(postStart) ? { postStart: postStart as LifecycleHandler } : {}),
    ...(isRecord(preStop) ? { preStop: preStop as LifecycleHandler } : {}),
  };
}

/** A handler in a few words, for messages. */
export function describeHandler(h: LifecycleHandler): string {
  if (h.exec) return `exec ${JSON.stringify(h.exec.command ?? [])}`;
  if (h.httpGet) return `httpGet ${h.httpGet.path ?? '/'} on port ${String(h.httpGet.port)}`;
  if (h.sleep) return `sleep ${h.sleep.seconds ?? 0}s`;
  if (h.tcpSocket) return `tcpSocket on port ${String(h.tcpSocket.port)}`;
  return 'an empty handler';
}

/**
 * The time between SIGTERM and SIGKILL: the grace period less what preStop took, counted in
 * whole seconds as the kubelet counts it, and never under 2 s.
 */
export function terminationWindowMs(graceMs: number, preStopMs = 0): number {
  return Math.max(MIN_TERMINATION_WINDOW_MS, graceMs - Math.floor(preStopMs / 1000) * 1000);
}

function sleepUntilAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs one handler until it ends or `signal` aborts it (which is a failure). */
export async function runHook(handler: LifecycleHandler, target: ProbeTarget, signal: AbortSignal): Promise<HookResult> {
  const fail = (why: string): HookResult => ({ ok: false, message: `${describeHandler(handler)}: ${why}` });
  if (handler.exec) {
    const command = handler.exec.command ?? [];
    if (command.length === 0) return fail('no command');
    const pid = target.pid();
    if (pid === undefined) return fail('the container is not running');
    const r = await execInContainer(pid, command, { signal });
    if (r.exitCode === 0) return { ok: true };
    const output = r.output.trim();
    return fail(`${r.error ?? `exit code ${r.exitCode}`}${output ? `, output: ${JSON.stringify(output)}` : ''}`);
  }
  if (handler.httpGet) {
    try {
      await httpGetFromNode(handler.httpGet, target, { userAgent: LIFECYCLE_USER_AGENT, signal });
      return { ok: true };
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
  }
  if (handler.sleep) {
    const finished = await sleepUntilAborted(Math.max(0, handler.sleep.seconds ?? 0) * 1000, signal);
    return finished ? { ok: true } : fail('the container stopped before the sleep ended');
  }
  return fail(handler.tcpSocket ? 'tcpSocket is not supported as a lifecycle handler' : 'no exec, httpGet or sleep');
}

export interface PreStopOutcome {
  result?: HookResult;
  /** How long the kubelet waited for the hook: until it ended, or the whole grace period. */
  elapsedMs: number;
  /** The hook was still running when the grace period ran out. */
  timedOut: boolean;
}

/**
 * Runs preStop and waits for it at most `graceMs`. A hook still running then goes on until the
 * container exits (as an exec'd process would die with its container), and is aborted then.
 */
export async function runPreStop(handler: LifecycleHandler, target: ProbeTarget, graceMs: number, exited: Promise<unknown>): Promise<PreStopOutcome> {
  const started = Date.now();
  const abort = new AbortController();
  void exited.then(() => abort.abort(new Error('the container exited')));
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), graceMs);
  });
  const result = await Promise.race([runHook(handler, target, abort.signal), graceOver]);
  clearTimeout(timer);
  return { ...(result ? { result } : {}), elapsedMs: result ? Date.now() - started : graceMs, timedOut: result === undefined };
}
