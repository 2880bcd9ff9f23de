/**
 * Deployment status and its Progressing and Available conditions, computed as upstream does,
 * because `kubectl rollout status` decides from exactly these fields.
 */
import { rfc3339 } from '../../lib/clock.js';
import { canonicalJson } from '../replicaset/canonical.js';
import type { ReplicaSet, WorkloadCondition } from '../replicaset/types.js';
import { desiredReplicas, maxUnavailable } from './intstr.js';
import { sumSpecReplicas, sumStatus } from './replica-sets.js';
import type { Deployment, DeploymentStatus } from './types.js';

export const reasons = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedRSCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function newCondition(type: string, status: WorkloadCondition['status'], reason: string, message: string, now: Date): WorkloadCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus, type: string): WorkloadCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/** Same status and reason: nothing changes. Same status: the transition time is kept. */
export function setCondition(status: DeploymentStatus, condition: WorkloadCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length > 0) status.conditions = rest;
  else delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** The counts from the ReplicaSets, and Available by whether enough pods are available. */
export function calculateStatus(args: { d: Deployment; current: DeploymentStatus; all: readonly ReplicaSet[]; newRS?: ReplicaSet; now: Date }): DeploymentStatus {
  const { d, all, newRS, now } = args;
  const available = sumStatus(all, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(all, 'replicas'),
    updatedReplicas: sumStatus([newRS], 'replicas'),
    readyReplicas: sumStatus(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpecReplicas(all) - available),
  };
  if (args.current.conditions) status.conditions = args.current.conditions.map((c) => ({ ...c }));
  if (args.current.collisionCount !== undefined) status.collisionCount = args.current.collisionCount;
  if (available >= desiredReplicas(args.d) - maxUnavailable(args.d)) {
    setCondition(status, newCondition('Available', 'True', reasons.minimumAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.minimumUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every pod of the current template is there and available, and the spec was observed. */
export function isDeploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const n = desiredReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === n &&
    (status.replicas ?? 0) === n &&
    (status.availableReplicas ?? 0) === n &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Progress since the last status: more updated, ready or available pods, or fewer old ones. */
function isProgressing(old: DeploymentStatus, next: DeploymentStatus): boolean {
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const nextOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    nextOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function isTimedOut(d: Deployment, status: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, 'Progressing');
  if (!cond || cond.reason === reasons.newRSAvailable) return false;
  if (cond.reason === reasons.timedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}

/**
 * The status after a rollout step (upstream syncRolloutStatus): counts, Available, and
 * Progressing as complete, progressing or timed out; ReplicaFailure mirrors the ReplicaSets'.
 */
export function rolloutStatus(args: { d: Deployment; current: DeploymentStatus; all: readonly ReplicaSet[]; newRS?: ReplicaSet; now: Date }): DeploymentStatus {
  const { d, current, newRS, now } = args;
  const next = calculateStatus(args);
  if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing');
  const progressing = getCondition(current, 'Progressing');
  const complete = next.replicas === next.updatedReplicas && progressing?.reason === reasons.newRSAvailable;
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name ?? ''}"` : `Deployment "${d.metadata.name ?? ''}"`;
  if (hasProgressDeadline(d) && !complete) {
    if (isDeploymentComplete(d, next)) {
      setCondition(next, newCondition('Progressing', 'True', reasons.newRSAvailable, `${subject} has successfully progressed.`, now));
    } else if (isProgressing(current, next)) {
      const cond = newCondition('Progressing', 'True', reasons.rsUpdated, `${subject} is progressing.`, now);
      if (progressing?.status === 'True' && progressing.lastTransitionTime) cond.lastTransitionTime = progressing.lastTransitionTime;
      removeCondition(next, 'Progressing');
      setCondition(next, cond);
    } else if (isTimedOut(d, next, now)) {
      setCondition(next, newCondition('Progressing', 'False', reasons.timedOut, `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(args.all, newRS);
  if (failure) setCondition(next, { ...failure, lastUpdateTime: failure.lastTransitionTime });
  else removeCondition(next, 'ReplicaFailure');
  return next;
}

function replicaFailure(all: readonly ReplicaSet[], newRS: ReplicaSet | undefined): WorkloadCondition | undefined {
  const ordered = newRS ? [newRS, ...all.filter((rs) => rs !== newRS)] : all;
  for (const rs of ordered) {
    const cond = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (cond) return { ...cond };
  }
  return undefined;
}

/** When to look again so a stalled rollout is marked ProgressDeadlineExceeded on time. */
export function msUntilDeadline(d: Deployment, status: DeploymentStatus, now: Date): number | undefined {
  const cond = getCondition(status, 'Progressing');
  if (!hasProgressDeadline(d) || !cond || isDeploymentComplete(d, status) || cond.reason === reasons.timedOut) return undefined;
  if (cond.reason === reasons.newRSAvailable || cond.status !== 'True') return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  return Math.max(1000, from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now.getTime() + 1000);
}

export function statusesEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return canonicalJson(normalize(a ?? {})) === canonicalJson(normalize(b));
}

function normalize(s: DeploymentStatus): DeploymentStatus {
  return {
    observedGeneration: s.observedGeneration,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    unavailableReplicas: s.unavailableReplicas ?? 0,
    conditions: s.conditions ?? [],
    collisionCount: s.collisionCount,
  };
}
