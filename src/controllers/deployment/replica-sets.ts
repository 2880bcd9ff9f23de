/**
 * Facts about a Deployment's ReplicaSets: revisions, which one is new (its template equals the
 * Deployment's, ignoring the hash label), replica sums, orderings, and the annotations the
 * controller keeps on them.
 */
import type { ReplicaSet } from '../replicaset/types.js';
import { canonicalJson } from './hash.js';
import { desiredReplicas, maxSurge } from './intstr.js';
import {
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  podTemplateHashLabel,
  revisionAnnotation,
  revisionHistoryAnnotation,
  type Deployment,
} from './types.js';

export function revisionOf(rs: { metadata: { annotations?: Record<string, string> } }): number {
  const n = Number(rs.metadata.annotations?.[revisionAnnotation] ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

/** A template's canonical form without the hash label; empty label maps count as absent. */
function templateKey(template: unknown): string {
  const copy = structuredClone((template ?? {}) as { metadata?: { labels?: Record<string, string> } });
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[podTemplateHashLabel];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return canonicalJson(copy);
}

export function templatesEqualIgnoringHash(a: unknown, b: unknown): boolean {
  return templateKey(a) === templateKey(b);
}

export function specReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 0;
}

export function sumSpecReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
}

type CountField = 'replicas' | 'readyReplicas' | 'availableReplicas';

export function sumStatus(rss: readonly (ReplicaSet | undefined)[], field: CountField): number {
  return rss.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);
}

export function activeReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

function created(rs: ReplicaSet): number {
  const t = Date.parse(rs.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Oldest first; ties by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Largest first, the newer on ties: where added replicas go first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Largest first, the older on ties: where removed replicas come from first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** The ReplicaSet running the Deployment's current template: the oldest such, if several. */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
}

function annotationsOf(rs: ReplicaSet): Record<string, string> {
  rs.metadata.annotations ??= {};
  return rs.metadata.annotations;
}

/** Records the Deployment size the ReplicaSet was sized for; true if anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = annotationsOf(rs);
  const changed = a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
  a[desiredReplicasAnnotation] = String(desired);
  a[maxReplicasAnnotation] = String(max);
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

export function desiredReplicasOf(rs: ReplicaSet): number | undefined {
  const v = Number(rs.metadata.annotations?.[desiredReplicasAnnotation]);
  return Number.isInteger(v) ? v : undefined;
}

export function maxReplicasOf(rs: ReplicaSet): number | undefined {
  const v = Number(rs.metadata.annotations?.[maxReplicasAnnotation]);
  return Number.isInteger(v) ? v : undefined;
}

/** Annotations that belong to the controller or to kubectl apply and are never copied. */
const notCopied = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const a = annotationsOf(rs);
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (notCopied.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * Brings the new ReplicaSet's annotations up to date: the Deployment's own annotations, and
 * the revision raised to `newRevision` (a rollback makes an old ReplicaSet new again; its old
 * revision goes into the history). A ReplicaSet about to be created also gets its sizes.
 */
export function setNewReplicaSetAnnotations(args: { d: Deployment; rs: ReplicaSet; newRevision: number; exists: boolean }): boolean {
  const { d, rs, newRevision, exists } = args;
  let changed = copyDeploymentAnnotations(d, rs);
  const a = annotationsOf(rs);
  const old = a[revisionAnnotation];
  const oldRevision = revisionOf(rs);
  if (oldRevision < newRevision) {
    a[revisionAnnotation] = String(newRevision);
    changed = true;
    if (old !== undefined && old !== '') {
      const history = a[revisionHistoryAnnotation];
      a[revisionHistoryAnnotation] = history ? `${history},${old}` : old;
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}
