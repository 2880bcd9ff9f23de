/**
 * Carrying out a rollout plan: adopt and release ReplicaSets, create the new ReplicaSet
 * (handling a hash collision the way upstream does), resize, write the Deployment's status and
 * revision, prune old revisions.
 */
import { selectorFromLabelSelector } from '../../api/labels.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { ApiClient } from '../../client/rest.js';
import { claimObjects, controllerRefOf, withControllerRef, withoutOwner, type OwnerIdentity } from '../replicaset/ownership.js';
import type { ReplicaSet } from '../replicaset/types.js';
import type { RolloutPlan } from './plan.js';
import { templatesEqualIgnoringHash } from './replica-sets.js';
import { hasProgressDeadline, newCondition, reasons, setCondition } from './status.js';
import { revisionAnnotation, type Deployment, type DeploymentStatus } from './types.js';

export const deploymentsResource = findResource('apps', 'deployments') as ResourceInfo;
export const replicaSetsResource = findResource('apps', 'replicasets') as ResourceInfo;

export interface DeploymentWriter {
  client: ApiClient;
  fieldManager: string;
}

function ownerOf(d: Deployment): OwnerIdentity {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata };
}

/** The ReplicaSets a Deployment controls once it adopts matching orphans and releases the rest. */
export function claimReplicaSets(d: Deployment, candidates: readonly ReplicaSet[]): { owned: ReplicaSet[]; apply(w: DeploymentWriter): Promise<void> } {
  let selector;
  try {
    selector = selectorFromLabelSelector(d.spec?.selector);
  } catch {
    return { owned: [], apply: async () => undefined };
  }
  const claim = claimObjects({ owner: ownerOf(d), selector, candidates });
  const patchOwners = (w: DeploymentWriter, rs: ReplicaSet, ownerReferences: unknown[]) =>
    w.client.patch(replicaSetsResource, rs.metadata.namespace, rs.metadata.name ?? '', 'merge', {
      metadata: { ownerReferences, resourceVersion: rs.metadata.resourceVersion },
    }, { fieldManager: w.fieldManager });
  return {
    owned: claim.owned,
    async apply(w) {
      await Promise.all([
        ...claim.adopt.map((rs) => patchOwners(w, rs, withControllerRef(rs, ownerOf(d)))),
        ...claim.release.map((rs) => patchOwners(w, rs, withoutOwner(rs, d.metadata.uid ?? '')).catch(ignoreNotFound)),
      ]);
    },
  };
}

function ignoreNotFound(err: unknown): void {
  if (!isStatusError(err, 'NotFound')) throw err;
}

/** Applies the plan; returns when to sync again if nothing else triggers it. */
export async function applyRollout(args: {
  writer: DeploymentWriter;
  deployment: Deployment;
  plan: RolloutPlan;
  cached: (name: string) => ReplicaSet | undefined;
  now: Date;
}): Promise<number | undefined> {
  const { writer: w, deployment: d, plan } = args;
  // Not created (not seen yet, or a collision): look again shortly, with fresh caches.
  if (plan.create && !(await createReplicaSet({ w, d, rs: plan.create, cached: args.cached, now: args.now }))) return 100;
  await Promise.all(plan.update.map((rs) => w.client.update(replicaSetsResource, rs, { fieldManager: w.fieldManager })));
  // Status first: it carries the cached resourceVersion, which the annotation patch would change.
  if (plan.status) await writeStatus(w, d, plan.status);
  if (plan.revision !== undefined) {
    const patch = { metadata: { annotations: { [revisionAnnotation]: plan.revision } } };
    await w.client.patch(deploymentsResource, d.metadata.namespace, d.metadata.name ?? '', 'merge', patch, { fieldManager: w.fieldManager });
  }
  await Promise.all(
    plan.delete.map((rs) =>
      w.client.delete(replicaSetsResource, rs.metadata.namespace, rs.metadata.name ?? '', { preconditions: { uid: rs.metadata.uid } }).catch(ignoreNotFound),
    ),
  );
  return plan.requeueAfterMs;
}

function writeStatus(w: DeploymentWriter, d: Deployment, status: DeploymentStatus): Promise<unknown> {
  return w.client.update(deploymentsResource, { ...d, status }, { subresource: 'status', fieldManager: w.fieldManager });
}

/**
 * Creates the new ReplicaSet; false if the plan cannot go on. A ReplicaSet of that name that
 * is ours with the same template was just not seen yet; any other is a hash collision, and
 * collisionCount goes up so the next sync picks another name.
 */
async function createReplicaSet(args: { w: DeploymentWriter; d: Deployment; rs: ReplicaSet; cached: (name: string) => ReplicaSet | undefined; now: Date }): Promise<boolean> {
  const { w, d, rs, cached } = args;
  try {
    await w.client.create(replicaSetsResource, rs.metadata.namespace, rs, { fieldManager: w.fieldManager });
    return true;
  } catch (err) {
    if (isStatusError(err, 'AlreadyExists')) {
      const existing = cached(rs.metadata.name ?? '') ?? (await w.client.get<ReplicaSet>(replicaSetsResource, rs.metadata.namespace, rs.metadata.name ?? ''));
      const ours = controllerRefOf(existing)?.uid === d.metadata.uid && templatesEqualIgnoringHash(existing.spec?.template, d.spec?.template);
      if (ours) return false;
      await writeStatus(w, d, { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 });
      return false;
    }
    if (hasProgressDeadline(d)) {
      const status: DeploymentStatus = structuredClone(d.status ?? {});
      const message = `Failed to create new replica set "${rs.metadata.name ?? ''}": ${err instanceof Error ? err.message : String(err)}`;
      setCondition(status, newCondition('Progressing', 'False', reasons.failedRSCreate, message, args.now));
      await writeStatus(w, d, status);
    }
    throw err;
  }
}
