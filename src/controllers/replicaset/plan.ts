/**
 * The ReplicaSet planner: from a ReplicaSet (or ReplicationController) and the pods of its
 * namespace, what to adopt, release, create and delete, and the status to report. Pure:
 * the controller applies the plan.
 */
import { selectorFromLabelSelector, type Selector } from '../../api/labels.js';
import type { LabelSelector } from '../../api/types.js';
import { canonicalJson } from './canonical.js';
import { claimObjects, type OwnerIdentity } from './ownership.js';
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable, podsToDelete } from './pods.js';
import type { Pod, ReplicaSet, ReplicaSetStatus, WorkloadCondition } from './types.js';

/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
export const defaultBurstReplicas = 500;

export interface ReplicaSetPlanInput {
  rs: ReplicaSet;
  /** Candidate pods: the namespace's pods (the planner claims the ones it selects). */
  pods: readonly Pod[];
  now: Date;
  /** Defaults to the ReplicaSet's metav1.LabelSelector. */
  selector?: Selector;
  /** False while earlier creations/deletions are still unobserved: report status only. */
  manage?: boolean;
  burstReplicas?: number;
  /** Pods of sibling ReplicaSets (same Deployment), to spread deletions over nodes. */
  relatedPods?: readonly Pod[];
}

export interface ReplicaSetPlan {
  adopt: Pod[];
  release: Pod[];
  create: number;
  delete: Pod[];
  /** The difference between active pods and spec.replicas (negative: too few). */
  diff: number;
  status: ReplicaSetStatus;
  /** When to sync again so a ready pod is counted available after minReadySeconds. */
  requeueAfterMs?: number;
}

function ownerOf(rs: ReplicaSet): OwnerIdentity {
  return { apiVersion: rs.apiVersion ?? 'apps/v1', kind: rs.kind ?? 'ReplicaSet', metadata: rs.metadata };
}

export function planReplicaSet(input: ReplicaSetPlanInput): ReplicaSetPlan {
  const { rs, now } = input;
  const selector = input.selector ?? selectorFromLabelSelector(rs.spec?.selector as LabelSelector | undefined);
  const claim = claimObjects({ owner: ownerOf(rs), selector, candidates: input.pods });
  const active = claim.owned.filter(isPodActive);
  const desired = rs.spec?.replicas ?? 1;
  const diff = active.length - desired;
  const burst = input.burstReplicas ?? defaultBurstReplicas;
  const manage = input.manage !== false && !rs.metadata.deletionTimestamp;
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const plan: ReplicaSetPlan = {
    adopt: claim.adopt,
    release: claim.release,
    create: manage && diff < 0 ? Math.min(-diff, burst) : 0,
    delete: manage && diff > 0 ? podsToDelete(active, Math.min(diff, burst), input.relatedPods ?? active) : [],
    diff,
    status: replicaSetStatus({ rs, active, now }),
  };
  const waits = active.map((p) => msUntilAvailable(p, minReadySeconds, now)).filter((ms): ms is number => ms !== undefined);
  if (waits.length > 0) plan.requeueAfterMs = Math.min(...waits);
  return plan;
}

function hasAllLabels(pod: Pod, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/** The status from the active pods, before this sync's changes (as upstream reports it). */
export function replicaSetStatus(args: { rs: ReplicaSet; active: readonly Pod[]; now: Date }): ReplicaSetStatus {
  const { rs, active, now } = args;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => hasAllLabels(p, templateLabels)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReadySeconds, now)).length,
  };
  if (rs.metadata.generation !== undefined) status.observedGeneration = rs.metadata.generation;
  const conditions = rs.status?.conditions ?? [];
  if (conditions.length > 0) status.conditions = conditions.map((c) => ({ ...c }));
  return status;
}

/**
 * Adds or removes the ReplicaFailure condition after the plan was applied: set (once) when
 * creating or deleting failed, removed after a sync whose changes all went through.
 */
export function withManageResult(status: ReplicaSetStatus, args: { error?: string; diff: number; now: Date }): ReplicaSetStatus {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === 'ReplicaFailure');
  let next = conditions;
  if (args.error !== undefined && !existing) {
    const failure: WorkloadCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: args.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason: args.diff < 0 ? 'FailedCreate' : 'FailedDelete',
      message: args.error,
    };
    next = [...conditions, failure];
  } else if (args.error === undefined && existing) {
    next = conditions.filter((c) => c !== existing);
  }
  const out: ReplicaSetStatus = { ...status };
  if (next.length > 0) out.conditions = next;
  else delete out.conditions;
  return out;
}

/** Whether the stored status differs from the computed one (only then is it written). */
export function statusChanged(current: ReplicaSetStatus | undefined, next: ReplicaSetStatus): boolean {
  const c = current ?? { replicas: 0 };
  return (
    (c.replicas ?? 0) !== next.replicas ||
    (c.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (c.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (c.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    c.observedGeneration !== next.observedGeneration ||
    canonicalJson(c.conditions ?? []) !== canonicalJson(next.conditions ?? [])
  );
}
