/**
 * The pure half of the simulated node's pod loop: given a pod bound to the node and what the
 * node knows (the time, its addresses, when it started the pod), what the pod's status
 * should be, whether it should be removed, and when to look again. No I/O here.
 */
import { isDeepStrictEqual } from 'node:util';
import { isRecord, type KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../lib/clock.js';

/** Pod annotations that steer a simulated pod (for tests). */
export const simulatedAnnotations = {
  /** "false": Running but not Ready; anything else (or absent): Ready. */
  ready: 'switchboard.io/simulated-ready',
  /** "Failed" or "Succeeded": the pod ends (exit code 1 or 0). */
  phase: 'switchboard.io/simulated-phase',
  /** Milliseconds from start before the pod turns Ready. */
  startDelayMs: 'switchboard.io/simulated-start-delay-ms',
  /** Milliseconds from start before the pod ends Succeeded (Job tests). */
  completeAfterMs: 'switchboard.io/simulated-complete-after-ms',
  /** Milliseconds a deleted pod stays Terminating (bounded by its grace period); overrides the node's default. */
  terminationDelayMs: 'switchboard.io/simulated-termination-delay-ms',
} as const;

/** Node annotation: "paused" makes the simulated node stop renewing its Lease (a dead kubelet). */
export const simulatedLeaseAnnotation = 'switchboard.io/simulated-lease';

export interface PodFacts {
  nowMs: number;
  hostIP: string;
  /** The pod's address (held or newly allocated); undefined for a pod that will not run. */
  podIP: string | undefined;
  /** When this node started the pod. */
  startedAtMs: number;
  /** When this node first saw the pod's deletionTimestamp. */
  terminatingSinceMs: number | undefined;
  /** Upper bound on how long a terminating pod stays (its grace period is the other bound). */
  terminationDelayMs: number;
}

export interface PodPlan {
  /** The status to write, when it differs from the pod's. */
  status?: Record<string, unknown>;
  /** Remove the pod (grace period 0) once this time has come. */
  deleteAtMs?: number;
  /** Sync the pod again at this time. */
  recheckAtMs?: number;
  /** The pod has ended (or is ending with this write): its address goes back to the pool. */
  isTerminal?: boolean;
}

type Status = Record<string, unknown>;

/** The status fields the node owns; only these are compared, so server-side additions never cause a write loop. */
const ownedFields = ['phase', 'podIP', 'podIPs', 'hostIP', 'hostIPs', 'startTime', 'conditions', 'containerStatuses', 'initContainerStatuses'];

export function planPod(pod: KubeObject, facts: PodFacts): PodPlan {
  const current = isRecord(pod.status) ? pod.status : {};
  const phase = current.phase;
  const isDeleting = pod.metadata.deletionTimestamp !== undefined;
  if (phase === 'Succeeded' || phase === 'Failed') {
    return isDeleting ? { deleteAtMs: facts.nowMs, isTerminal: true } : { isTerminal: true };
  }
  if (isDeleting) return planTermination(pod, facts);
  if (facts.podIP === undefined) return {};
  const annotations = pod.metadata.annotations ?? {};
  const endPhase = annotations[simulatedAnnotations.phase];
  if (endPhase === 'Failed' || endPhase === 'Succeeded') return finish(pod, facts, endPhase);
  const completeAfter = millis(annotations[simulatedAnnotations.completeAfterMs]);
  const completeAt = completeAfter === undefined ? undefined : facts.startedAtMs + completeAfter;
  if (completeAt !== undefined && facts.nowMs >= completeAt) return finish(pod, facts, 'Succeeded');
  const readyAt = facts.startedAtMs + (millis(annotations[simulatedAnnotations.startDelayMs]) ?? 0);
  const isHeldUnready = annotations[simulatedAnnotations.ready] === 'false';
  const isReady = !isHeldUnready && facts.nowMs >= readyAt;
  const recheckAtMs = earliest(completeAt, !isHeldUnready && !isReady ? readyAt : undefined);
  return { ...changed(current, runningStatus(pod, facts, isReady)), ...(recheckAtMs !== undefined ? { recheckAtMs } : {}) };
}

/** A terminating pod: not ready at once, removed after min(grace period, the node's delay). */
function planTermination(pod: KubeObject, facts: PodFacts): PodPlan {
  const current = isRecord(pod.status) ? pod.status : {};
  const since = facts.terminatingSinceMs ?? facts.nowMs;
  const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  const delayMs = millis(pod.metadata.annotations?.[simulatedAnnotations.terminationDelayMs]) ?? facts.terminationDelayMs;
  const deleteAtMs = since + Math.min(graceMs, delayMs);
  // A pod that never got an address never ran: nothing to stop.
  if (typeof current.podIP !== 'string' || facts.podIP === undefined) return { deleteAtMs: facts.nowMs };
  return { ...changed(current, runningStatus(pod, facts, false)), deleteAtMs };
}

function finish(pod: KubeObject, facts: PodFacts, phase: 'Succeeded' | 'Failed'): PodPlan {
  const current = isRecord(pod.status) ? pod.status : {};
  return { ...changed(current, terminalStatus(pod, facts, phase)), isTerminal: true };
}

function changed(current: Status, desired: Status): { status?: Status } {
  const same = ownedFields.every((field) => isDeepStrictEqual(current[field], desired[field]));
  return same ? {} : { status: desired };
}

function runningStatus(pod: KubeObject, facts: PodFacts, isReady: boolean): Status {
  const base = baseStatus(pod, facts);
  const startedAt = base.startTime as string;
  const containers = containerNames(pod.spec, 'containers');
  const unready = isReady ? [] : containers.map((c) => c.name);
  return {
    ...base,
    phase: 'Running',
    conditions: podConditions(pod, facts, {
      containersReady: isReady,
      reason: isReady ? undefined : 'ContainersNotReady',
      message: isReady ? undefined : `containers with unready status: [${unready.join(' ')}]`,
    }),
    containerStatuses: containers.map((c) => ({
      ...containerIdentity(pod, c),
      ready: isReady,
      started: true,
      restartCount: 0,
      state: { running: { startedAt } },
    })),
    ...initStatuses(pod, startedAt),
  };
}

function terminalStatus(pod: KubeObject, facts: PodFacts, phase: 'Succeeded' | 'Failed'): Status {
  const base = baseStatus(pod, facts);
  const startedAt = base.startTime as string;
  const finishedAt = rfc3339(new Date(facts.nowMs));
  const exitCode = phase === 'Succeeded' ? 0 : 1;
  return {
    ...base,
    phase,
    conditions: podConditions(pod, facts, { containersReady: false, reason: 'PodCompleted' }),
    containerStatuses: containerNames(pod.spec, 'containers').map((c) => ({
      ...containerIdentity(pod, c),
      ready: false,
      started: false,
      restartCount: 0,
      state: {
        terminated: {
          exitCode,
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt,
          containerID: containerId(pod, c.name),
        },
      },
    })),
    ...initStatuses(pod, startedAt),
  };
}

/** What every state shares: the addresses and the start time. */
function baseStatus(pod: KubeObject, facts: PodFacts): Status {
  const current = isRecord(pod.status) ? pod.status : {};
  const podIP = typeof current.podIP === 'string' ? current.podIP : (facts.podIP ?? '');
  const startTime = typeof current.startTime === 'string' ? current.startTime : rfc3339(new Date(facts.startedAtMs));
  return {
    ...current,
    hostIP: facts.hostIP,
    hostIPs: [{ ip: facts.hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime,
  };
}

interface ReadyFacts {
  containersReady: boolean;
  reason?: string;
  message?: string;
}

/** The kubelet's five pod conditions; a condition keeps its lastTransitionTime while its status holds. */
function podConditions(pod: KubeObject, facts: PodFacts, ready: ReadyFacts): Status[] {
  const current = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions.filter(isRecord) : [];
  const now = rfc3339(new Date(facts.nowMs));
  const make = (type: string, isTrue: boolean, extra: { reason?: string; message?: string } = {}): Status => {
    const status = isTrue ? 'True' : 'False';
    const old = current.find((c) => c.type === type);
    const lastTransitionTime = old && old.status === status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now;
    const out: Status = { type, status, lastTransitionTime };
    if (!isTrue && extra.reason) out.reason = extra.reason;
    if (!isTrue && extra.message) out.message = extra.message;
    return out;
  };
  const scheduled = current.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  const containers = { reason: ready.reason, message: ready.message };
  return [
    make('PodReadyToStartContainers', true),
    make('Initialized', true),
    make('Ready', ready.containersReady, containers),
    make('ContainersReady', ready.containersReady, containers),
    scheduled ?? make('PodScheduled', true),
  ];
}

interface ContainerRef {
  name: string;
  image: string;
  restartPolicy?: string;
}

function containerNames(spec: unknown, field: 'containers' | 'initContainers'): ContainerRef[] {
  const list = isRecord(spec) && Array.isArray(spec[field]) ? spec[field] : [];
  return list.filter(isRecord).map((c) => ({
    name: typeof c.name === 'string' ? c.name : '',
    image: typeof c.image === 'string' ? c.image : '',
    ...(typeof c.restartPolicy === 'string' ? { restartPolicy: c.restartPolicy } : {}),
  }));
}

function containerId(pod: KubeObject, name: string): string {
  return `simulated://${pod.metadata.uid ?? ''}-${name}`;
}

function containerIdentity(pod: KubeObject, c: ContainerRef): Status {
  return { name: c.name, image: c.image, imageID: `simulated://${c.image}`, containerID: containerId(pod, c.name) };
}

/** Init containers ran to completion; sidecars (restartPolicy Always) keep running. */
function initStatuses(pod: KubeObject, startedAt: string): Status {
  const inits = containerNames(pod.spec, 'initContainers');
  if (inits.length === 0) return {};
  return {
    initContainerStatuses: inits.map((c) => {
      const isSidecar = c.restartPolicy === 'Always';
      const state = isSidecar
        ? { running: { startedAt } }
        : { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: startedAt, containerID: containerId(pod, c.name) } };
      return { ...containerIdentity(pod, c), ready: true, started: isSidecar, restartCount: 0, state };
    }),
  };
}

function millis(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

function earliest(...times: (number | undefined)[]): number | undefined {
  const defined = times.filter((t): t is number => t !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}
