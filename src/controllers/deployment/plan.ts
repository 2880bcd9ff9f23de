/**
 * The Deployment planner (upstream syncDeployment, as a pure function): from a Deployment,
 * the ReplicaSets it controls and their pods, which ReplicaSet to create, which to resize or
 * re-annotate, which to delete, the Deployment's revision and its new status.
 */
import type { Pod, ReplicaSet } from '../replicaset/types.js';
import { canonicalJson } from './hash.js';
import { scaleDeployment, isScalingEvent, cleanupHistory } from './scale.js';
import { rolloutRecreate, rolloutRolling } from './strategies.js';
import { calculateStatus, getCondition, hasProgressDeadline, msUntilDeadline, newCondition, reasons, rolloutStatus, setCondition, statusesEqual } from './status.js';
import type { Deployment, DeploymentStatus } from './types.js';
import { Workspace } from './workspace.js';

export interface RolloutInput {
  deployment: Deployment;
  /** The ReplicaSets the Deployment controls (after adoption and release). */
  replicaSets: readonly ReplicaSet[];
  /** Pods of those ReplicaSets: Recreate waits for the old ones to be gone. */
  pods?: readonly Pod[];
  now: Date;
}

export interface RolloutPlan {
  /** The new ReplicaSet to create, named `<deployment>-<pod-template-hash>`. */
  create?: ReplicaSet;
  /** ReplicaSets with a new size, annotations or minReadySeconds (whole objects to PUT). */
  update: ReplicaSet[];
  /** Old ReplicaSets beyond revisionHistoryLimit. */
  delete: ReplicaSet[];
  /** The Deployment's deployment.kubernetes.io/revision, when it changes. */
  revision?: string;
  /** The Deployment's status, when it changes. */
  status?: DeploymentStatus;
  /** Sync again after this long (the progress deadline), if nothing else happens. */
  requeueAfterMs?: number;
}

export function planRollout(input: RolloutInput): RolloutPlan {
  const d = input.deployment;
  const ws = new Workspace(d, input.replicaSets, input.now);
  if (canonicalJson(d.spec?.selector ?? null) === '{}') return selectsEverything(ws);
  if (d.metadata.deletionTimestamp) {
    const { newRS, old } = ws.newAndOld(false);
    return finish(ws, calculateStatus({ d, current: ws.status, all: withNew(old, newRS), newRS, now: input.now }));
  }
  checkPausedCondition(ws);
  if (d.spec?.paused || isScalingEvent(ws)) return finish(ws, syncScale(ws));
  const step = d.spec?.strategy?.type === 'Recreate' ? rolloutRecreate(ws, input.pods ?? []) : rolloutRolling(ws);
  return finish(ws, rolloutStatus({ d, current: ws.status, all: step.all, newRS: step.newRS, now: input.now }));
}

function withNew(old: ReplicaSet[], newRS: ReplicaSet | undefined): ReplicaSet[] {
  return newRS ? [...old, newRS] : old;
}

/** An empty selector would take every pod of the namespace: refuse, but record the generation. */
function selectsEverything(ws: Workspace): RolloutPlan {
  const gen = ws.d.metadata.generation;
  if (gen === undefined || (ws.status.observedGeneration ?? 0) >= gen) return { update: [], delete: [] };
  return { update: [], delete: [], status: { ...ws.status, observedGeneration: gen } };
}

function checkPausedCondition(ws: Workspace): void {
  if (!hasProgressDeadline(ws.d)) return;
  const cond = getCondition(ws.status, 'Progressing');
  if (cond?.reason === reasons.timedOut) return;
  const pausedShown = cond?.reason === reasons.paused;
  if (ws.d.spec?.paused && !pausedShown) {
    setCondition(ws.status, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', ws.now));
  } else if (!ws.d.spec?.paused && pausedShown) {
    setCondition(ws.status, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', ws.now));
  }
}

/** Paused or resized: scale the ReplicaSets we have, no rollout step. */
function syncScale(ws: Workspace): DeploymentStatus {
  const { newRS, old } = ws.newAndOld(false);
  scaleDeployment(ws, newRS, old);
  if (ws.d.spec?.paused) cleanupHistory(ws, old);
  return calculateStatus({ d: ws.d, current: ws.status, all: withNew(old, newRS), newRS, now: ws.now });
}

function finish(ws: Workspace, status: DeploymentStatus): RolloutPlan {
  const plan: RolloutPlan = {
    update: [...ws.changed].filter((rs) => rs !== ws.created),
    delete: ws.deleted,
  };
  if (ws.created) plan.create = ws.created;
  if (ws.revision !== undefined) plan.revision = ws.revision;
  if (!statusesEqual(ws.d.status, status)) plan.status = status;
  const wait = msUntilDeadline(ws.d, status, ws.now);
  if (wait !== undefined) plan.requeueAfterMs = wait;
  return plan;
}
