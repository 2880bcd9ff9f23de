/**
 * The Job planner (upstream syncJob + manageJob, after finished pods are counted): the Job's
 * conditions and counters, and which pods to create or delete.
 *
 * - Running: keep min(parallelism, remaining completions) pods active (for Indexed Jobs, one per
 *   incomplete index, lowest first).
 * - More failures than backoffLimit, or activeDeadlineSeconds passed: FailureTarget; enough
 *   successes: SuccessCriteriaMet. Either way the remaining pods are deleted, and once none is
 *   left unfinalized the terminal condition (Failed, or Complete with completionTime) follows,
 *   with the same reason, as Kubernetes 1.31+ does.
 * - Suspended: no pods; the Suspended condition. Resuming resets startTime.
 */
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../lib/clock.js';
import { creationTime, isPodReady, isTerminal, isTerminating } from '../shared/pod-state.js';
import { completionIndexOf } from './pod.js';
import { findCondition, type JobCondition, type JobSpecView, type JobStatus, parseIndexes, setCondition } from './spec.js';

export interface JobInputs {
  spec: JobSpecView;
  /** The status with finished pods already counted (see tracking.ts). */
  status: JobStatus;
  /** Pods this Job controls. */
  pods: readonly KubeObject[];
  now: Date;
  /** False while earlier creates and deletes are not yet in the cache: plan no pod changes. */
  mayChangePods: boolean;
  /** Time left before failed pods may be replaced (exponential back-off); 0 when none. */
  backoffRemainingMs: number;
}

export interface JobPlan {
  /** Pods to create; `index` for Indexed Jobs. */
  create: Array<{ index?: number }>;
  delete: KubeObject[];
  status: JobStatus;
  /** Sync again after this long (deadline, back-off). */
  requeueAfterMs?: number;
}

const messages = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  CompletionsReached: 'Reached expected number of succeeded pods',
};

function totals(status: JobStatus): { succeeded: number; failed: number; uncounted: number } {
  const u = status.uncountedTerminatedPods ?? {};
  const uncountedSucceeded = u.succeeded?.length ?? 0;
  const uncountedFailed = u.failed?.length ?? 0;
  return {
    succeeded: (status.succeeded ?? 0) + uncountedSucceeded,
    failed: (status.failed ?? 0) + uncountedFailed,
    uncounted: uncountedSucceeded + uncountedFailed,
  };
}

/** The condition that ends the Job, if it is due now. */
function dueCondition(inputs: JobInputs, active: number, startTime: string): JobCondition | undefined {
  const { spec, status, now } = inputs;
  const { succeeded, failed } = totals(status);
  const condition = (type: string, reason: keyof typeof messages): JobCondition => ({ type, status: 'True', reason, message: messages[reason] });
  if (failed > spec.backoffLimit) return condition('FailureTarget', 'BackoffLimitExceeded');
  if (spec.activeDeadlineSeconds !== undefined && now.getTime() - Date.parse(startTime) >= spec.activeDeadlineSeconds * 1000) {
    return condition('FailureTarget', 'DeadlineExceeded');
  }
  const done =
    spec.completions === undefined
      ? succeeded > 0 && active === 0
      : (spec.indexed ? parseIndexes(status.completedIndexes).size : succeeded) >= spec.completions;
  return done ? condition('SuccessCriteriaMet', 'CompletionsReached') : undefined;
}

/** Pods to delete first: not ready before ready, then the newest. */
function byDeletionPreference(a: KubeObject, b: KubeObject): number {
  return Number(isPodReady(a)) - Number(isPodReady(b)) || creationTime(b) - creationTime(a);
}

function manageNonIndexed(inputs: JobInputs, active: KubeObject[], terminating: number): Pick<JobPlan, 'create' | 'delete'> {
  const { spec } = inputs;
  const { succeeded } = totals(inputs.status);
  let want: number;
  if (spec.completions === undefined) want = succeeded > 0 ? active.length : spec.parallelism;
  else want = Math.max(0, Math.min(spec.parallelism, spec.completions - succeeded));
  if (active.length > want) return { create: [], delete: [...active].sort(byDeletionPreference).slice(0, active.length - want) };
  const count = Math.max(0, want - active.length - (spec.replaceOnlyFailed ? terminating : 0));
  return { create: Array.from({ length: count }, () => ({})), delete: [] };
}

function manageIndexed(inputs: JobInputs, active: KubeObject[], terminatingPods: KubeObject[]): Pick<JobPlan, 'create' | 'delete'> {
  const { spec } = inputs;
  const completions = spec.completions ?? 0;
  const completed = parseIndexes(inputs.status.completedIndexes);
  const del: KubeObject[] = [];
  const activeIndexes = new Set<number>();
  for (const pod of [...active].sort((a, b) => creationTime(a) - creationTime(b))) {
    const index = completionIndexOf(pod);
    // A pod without a valid index, for a completed index, or duplicating another, goes.
    if (index === undefined || index >= completions || completed.has(index) || activeIndexes.has(index)) del.push(pod);
    else activeIndexes.add(index);
  }
  const blocked = new Set(spec.replaceOnlyFailed ? terminatingPods.map(completionIndexOf) : []);
  const want = Math.min(spec.parallelism, completions - completed.size);
  const create: Array<{ index: number }> = [];
  for (let i = 0; i < completions && activeIndexes.size + create.length < want; i++) {
    if (!completed.has(i) && !activeIndexes.has(i) && !blocked.has(i)) create.push({ index: i });
  }
  return { create, delete: del };
}

export function planJob(inputs: JobInputs): JobPlan {
  const { spec, now } = inputs;
  const nowText = rfc3339(now);
  const active = inputs.pods.filter((p) => !isTerminal(p) && !isTerminating(p));
  const terminatingPods = inputs.pods.filter((p) => !isTerminal(p) && isTerminating(p));
  let status: JobStatus = { ...inputs.status, active: active.length, ready: active.filter(isPodReady).length, terminating: terminatingPods.length };
  const conditions = (c: JobCondition): void => {
    status = { ...status, conditions: setCondition(status.conditions ?? [], c, nowText) };
  };
  const none = { create: [], delete: [] };
  if (findCondition(status, 'Complete') || findCondition(status, 'Failed')) return { ...none, status };

  const ending = findCondition(status, 'FailureTarget') ?? findCondition(status, 'SuccessCriteriaMet');
  if (!ending && spec.suspend) {
    conditions({ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' });
    return { create: [], delete: inputs.mayChangePods ? active : [], status };
  }
  if (findCondition(status, 'Suspended')) {
    conditions({ type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' });
    status.startTime = nowText;
  }
  status.startTime ??= nowText;

  const target = ending ?? dueCondition(inputs, active.length, status.startTime);
  if (target) {
    if (!ending) conditions(target);
    const { uncounted } = totals(status);
    if (active.length === 0 && terminatingPods.length === 0 && uncounted === 0) {
      const success = target.type === 'SuccessCriteriaMet';
      conditions({ ...target, type: success ? 'Complete' : 'Failed' });
      if (success) status.completionTime = nowText;
    }
    return { create: [], delete: inputs.mayChangePods ? active : [], status };
  }

  const plan: JobPlan = { create: [], delete: [], status };
  if (spec.activeDeadlineSeconds !== undefined) {
    plan.requeueAfterMs = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now.getTime();
  }
  if (!inputs.mayChangePods) return plan;
  const changes = spec.indexed ? manageIndexed(inputs, active, terminatingPods) : manageNonIndexed(inputs, active, terminatingPods.length);
  plan.delete = changes.delete;
  if (changes.create.length > 0 && inputs.backoffRemainingMs > 0) {
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, inputs.backoffRemainingMs);
  } else {
    plan.create = changes.create;
  }
  return plan;
}

/**
 * ttlSecondsAfterFinished (the TTL-after-finished controller): milliseconds until the finished
 * Job is due for deletion (<= 0: now), or undefined when it is not finished or has no TTL.
 */
export function ttlRemainingMs(spec: JobSpecView, status: JobStatus, now: Date): number | undefined {
  if (spec.ttlSecondsAfterFinished === undefined) return undefined;
  const finished = findCondition(status, 'Complete') ?? findCondition(status, 'Failed');
  if (!finished) return undefined;
  const at = status.completionTime ?? finished.lastTransitionTime;
  const since = at ? Date.parse(at) : now.getTime();
  return since + spec.ttlSecondsAfterFinished * 1000 - now.getTime();
}
