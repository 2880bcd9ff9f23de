/**
 * The planner's scratch state: copies of the Deployment's status and ReplicaSets that the
 * rollout steps change in order, as upstream's steps change the live objects. What changed
 * becomes the plan.
 */
import type { ReplicaSet } from '../replicaset/types.js';
import { newControllerRef } from '../replicaset/ownership.js';
import { computePodTemplateHash } from './hash.js';
import { desiredReplicas, maxSurge } from './intstr.js';
import {
  byCreation,
  findNewReplicaSet,
  maxRevision,
  revisionOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  replicasAnnotationsNeedUpdate,
} from './replica-sets.js';
import { getCondition, hasProgressDeadline, newCondition, reasons, setCondition } from './status.js';
import { podTemplateHashLabel, revisionAnnotation, type Deployment, type DeploymentStatus } from './types.js';

export class Workspace {
  readonly status: DeploymentStatus;
  readonly replicaSets: ReplicaSet[];
  readonly changed = new Set<ReplicaSet>();
  readonly deleted: ReplicaSet[] = [];
  created?: ReplicaSet;
  /** The revision annotation the Deployment should carry, when it differs. */
  revision?: string;

  constructor(
    readonly d: Deployment,
    replicaSets: readonly ReplicaSet[],
    readonly now: Date,
  ) {
    this.status = structuredClone(d.status ?? {});
    this.replicaSets = replicaSets.map((rs) => structuredClone(rs));
  }

  /** The new ReplicaSet (made if asked and missing) and the old ones, revisions in sync. */
  newAndOld(createIfMissing: boolean): { newRS?: ReplicaSet; old: ReplicaSet[] } {
    const existing = findNewReplicaSet(this.d, this.replicaSets);
    const old = this.replicaSets.filter((rs) => rs !== existing);
    const newRevision = maxRevision(old) + 1;
    if (existing) {
      this.syncExisting(existing, newRevision);
      return { newRS: existing, old };
    }
    if (!createIfMissing) return { old };
    return { newRS: this.createNew(old, newRevision), old };
  }

  private syncExisting(rs: ReplicaSet, newRevision: number): void {
    const annotated = setNewReplicaSetAnnotations({ d: this.d, rs, newRevision, exists: true });
    const minReady = this.d.spec?.minReadySeconds ?? 0;
    if (annotated || (rs.spec?.minReadySeconds ?? 0) !== minReady) {
      rs.spec = { ...rs.spec, minReadySeconds: minReady };
      this.changed.add(rs);
    }
    this.setRevision(String(revisionOf(rs)));
    if (hasProgressDeadline(this.d) && !getCondition(this.status, 'Progressing')) {
      setCondition(this.status, newCondition('Progressing', 'True', reasons.foundNewRS, `Found new replica set "${rs.metadata.name ?? ''}"`, this.now));
    }
  }

  private createNew(old: ReplicaSet[], newRevision: number): ReplicaSet {
    const d = this.d;
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computePodTemplateHash(template, d.status?.collisionCount);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash } };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name ?? ''}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [newControllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata })],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec = { ...rs.spec, replicas: newReplicaSetReplicas(d, [...old, rs], rs) };
    setNewReplicaSetAnnotations({ d, rs, newRevision, exists: false });
    this.created = rs;
    this.replicaSets.push(rs);
    this.setRevision(String(newRevision));
    if (hasProgressDeadline(d)) {
      setCondition(this.status, newCondition('Progressing', 'True', reasons.newRSCreated, `Created new replica set "${rs.metadata.name ?? ''}"`, this.now));
    }
    return rs;
  }

  private setRevision(revision: string): void {
    if (this.d.metadata.annotations?.[revisionAnnotation] !== revision) this.revision = revision;
  }

  /** Sets a ReplicaSet's size and the Deployment size it was made for (upstream scaleReplicaSet). */
  scale(rs: ReplicaSet, replicas: number): void {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    if (specReplicas(rs) === replicas && !replicasAnnotationsNeedUpdate(rs, desired, max)) return;
    rs.spec = { ...rs.spec, replicas };
    setReplicasAnnotations(rs, desired, max);
    this.changed.add(rs);
  }

  /** Scales only when the size differs (upstream scaleReplicaSetAndRecordEvent). */
  scaleIfNeeded(rs: ReplicaSet, replicas: number): boolean {
    if (specReplicas(rs) === replicas) return false;
    this.scale(rs, replicas);
    return true;
  }

  /** Old ReplicaSets, oldest first. */
  sortedOld(old: readonly ReplicaSet[]): ReplicaSet[] {
    return [...old].sort(byCreation);
  }
}

/** The size of the new ReplicaSet for this step (upstream NewRSNewReplicas). */
export function newReplicaSetReplicas(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const desired = desiredReplicas(d);
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') === 'Recreate') return desired;
  const current = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, desired - specReplicas(newRS));
  return specReplicas(newRS) + up;
}
