/**
 * A real pod's status from what its runtime reports: phase, the kubelet's conditions,
 * containerStatuses (state, lastState, restartCount, ready, started) and addresses. Pure.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import type { ContainerView, Terminated } from './pod-runtime.js';

type Status = Record<string, unknown>;

export interface StatusFacts {
  now: Date;
  hostIP: string;
  podIP: string;
  init: ContainerView[];
  main: ContainerView[];
  /** Containers whose readiness probe passes (or that have none and run). */
  ready: Set<string>;
  restartPolicy: string;
  podError?: { reason: string; message: string };
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

function phaseOf(f: StatusFacts): string {
  const initsDone = f.init.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0);
  const initFailed = f.init.some((c) => 'terminated' in c.state && c.state.terminated.exitCode !== 0) && f.restartPolicy === 'Never';
  if (initFailed) return 'Failed';
  if (!initsDone) return 'Pending';
  const states = f.main.map((c) => c.state);
  if (states.some((s) => 'running' in s)) return 'Running';
  const ended = states.filter((s): s is { terminated: Terminated } => 'terminated' in s);
  if (ended.length === states.length && states.length > 0 && f.restartPolicy !== 'Always') {
    return ended.every((s) => s.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  // Restarting containers (back-off) keep a pod that has run in Running, as the kubelet does.
  return f.main.some((c) => c.restartCount > 0 || 'terminated' in c.state) ? 'Running' : 'Pending';
}

function containerStatus(c: ContainerView, uid: string, ready: boolean): Status {
  return {
    name: c.name,
    image: c.image,
    imageID: `switchboard://${c.image}`,
    containerID: `switchboard://${uid}/${c.name}`,
    ready,
    started: c.started,
    restartCount: c.restartCount,
    state: c.state,
    ...(c.lastState ? { lastState: c.lastState } : {}),
  };
}

function conditions(pod: KubeObject, f: StatusFacts, phase: string): Status[] {
  const current = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions.filter(isRecord) : [];
  const now = rfc3339(f.now);
  const make = (type: string, isTrue: boolean, reason?: string, message?: string): Status => {
    const status = isTrue ? 'True' : 'False';
    const old = current.find((c) => c.type === type);
    const out: Status = { type, status, lastTransitionTime: old?.status === status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now };
    if (!isTrue && reason) out.reason = reason;
    if (!isTrue && message) out.message = message;
    return out;
  };
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const unreadyInit = f.init.filter((c) => !('terminated' in c.state && c.state.terminated.exitCode === 0)).map((c) => c.name);
  const unready = f.main.filter((c) => !f.ready.has(c.name)).map((c) => c.name);
  const allReady = unready.length === 0 && !terminal;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const scheduled = current.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  return [
    make('PodReadyToStartContainers', f.podError === undefined),
    make('Initialized', unreadyInit.length === 0, 'ContainersNotInitialized', `containers with incomplete status: [${unreadyInit.join(' ')}]`),
    make('Ready', allReady, notReadyReason, notReadyMessage),
    make('ContainersReady', allReady, notReadyReason, notReadyMessage),
    scheduled ?? make('PodScheduled', true),
  ];
}

export function realPodStatus(pod: KubeObject, f: StatusFacts): Status {
  const current = isRecord(pod.status) ? pod.status : {};
  const phase = phaseOf(f);
  const uid = pod.metadata.uid ?? '';
  return {
    ...current,
    phase,
    hostIP: f.hostIP,
    hostIPs: [{ ip: f.hostIP }],
    podIP: f.podIP,
    podIPs: [{ ip: f.podIP }],
    startTime: typeof current.startTime === 'string' ? current.startTime : rfc3339(f.now),
    conditions: conditions(pod, f, phase),
    containerStatuses: f.main.map((c) => containerStatus(c, uid, f.ready.has(c.name) && 'running' in c.state)),
    ...(f.init.length > 0 ? { initContainerStatuses: f.init.map((c) => containerStatus(c, uid, 'terminated' in c.state && c.state.terminated.exitCode === 0)) } : {}),
  };
}
