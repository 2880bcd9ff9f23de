/**
 * ControllerRevisions: the template history of a StatefulSet (and DaemonSet). A revision
 * holds the pod template as the patch upstream stores (`{"spec":{"template":{...,
 * "$patch":"replace"}}}`) and is named `<owner>-<hash>`, the hash being FNV-32a of that
 * data (plus the collision count) spelled in Kubernetes' safe alphabet, as
 * `kubectl rollout history` and `controller-revision-hash` labels expect.
 */
import { deepEqual } from '../../api/validation/access.js';
import { isRecord, type KubeObject, type OwnerReference } from '../../api/types.js';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision?: number;
}

/** Kubernetes' rand.SafeEncodeString alphabet: no vowels, no look-alike digits. */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, so equal templates hash alike whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fnv32a(bytes: Buffer, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The revision hash: decimal FNV-32a of the data, each digit mapped to the safe alphabet. */
export function hashRevisionData(data: unknown, collisionCount = 0): string {
  let h = fnv32a(Buffer.from(canonicalJson(data)));
  if (collisionCount > 0) {
    const count = Buffer.alloc(4);
    count.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(count, h);
  }
  return [...String(h)].map((c) => safeAlphabet[c.charCodeAt(0) % safeAlphabet.length]).join('');
}

export function templateOf(owner: KubeObject): Record<string, unknown> {
  const spec = isRecord(owner.spec) ? owner.spec : {};
  return isRecord(spec.template) ? spec.template : {};
}

/** The data a revision stores for an owner's current template. */
export function revisionData(template: Record<string, unknown>): Record<string, unknown> {
  return { spec: { template: { ...template, $patch: 'replace' } } };
}

/** The pod template a revision holds (the `$patch` directive stripped). */
export function revisionTemplate(revision: ControllerRevision): Record<string, unknown> {
  const data = isRecord(revision.data) ? revision.data : {};
  const spec = isRecord(data.spec) ? data.spec : {};
  const template = isRecord(spec.template) ? { ...spec.template } : {};
  delete template.$patch;
  return template;
}

export function revisionNumber(revision: ControllerRevision): number {
  return typeof revision.revision === 'number' ? revision.revision : 0;
}

export function newRevision(args: {
  owner: KubeObject;
  ownerRef: OwnerReference;
  data: Record<string, unknown>;
  number: number;
  collisionCount: number;
}): ControllerRevision {
  const hash = hashRevisionData(args.data, args.collisionCount);
  const labels = labelsOf(templateOf(args.owner).metadata);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${args.owner.metadata.name ?? ''}-${hash}`,
      namespace: args.owner.metadata.namespace,
      labels: { ...labels, 'controller.kubernetes.io/hash': hash },
      ownerReferences: [args.ownerRef],
    },
    data: args.data,
    revision: args.number,
  };
}

function labelsOf(meta: unknown): Record<string, string> {
  if (!isRecord(meta) || !isRecord(meta.labels)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

export interface RevisionPlan {
  current: ControllerRevision;
  update: ControllerRevision;
  /** A revision to create (the update revision is new). */
  create?: ControllerRevision;
  /** An older revision equal to the template, to be renumbered as the newest (a rollback). */
  renumber?: ControllerRevision;
  collisionCount: number;
}

/**
 * Which revisions are current and update (upstream getStatefulSetRevisions): the update
 * revision is an existing revision equal to the template (renumbered as newest if it is an
 * old one, which is what a rollback is) or a new one; the current revision is the one the
 * status names, or the update revision when there is none.
 */
export function planRevisions(args: {
  owner: KubeObject;
  ownerRef: OwnerReference;
  revisions: readonly ControllerRevision[];
  currentRevisionName: string | undefined;
  collisionCount: number;
}): RevisionPlan {
  const sorted = [...args.revisions].sort((a, b) => revisionNumber(a) - revisionNumber(b));
  const newest = sorted[sorted.length - 1];
  const next = (newest ? revisionNumber(newest) : 0) + 1;
  const data = revisionData(templateOf(args.owner));
  const equal = sorted.filter((r) => deepEqual(r.data, data));
  const last = equal[equal.length - 1];
  let update: ControllerRevision;
  let create: ControllerRevision | undefined;
  let renumber: ControllerRevision | undefined;
  let collisionCount = args.collisionCount;
  if (last && last === newest) {
    update = last;
  } else if (last) {
    update = renumber = { ...last, revision: next };
  } else {
    update = newRevision({ ...args, data, number: next, collisionCount });
    // A name taken by a revision with other data is a hash collision: probe with a new count.
    while (sorted.some((r) => r.metadata.name === update.metadata.name)) {
      collisionCount++;
      update = newRevision({ ...args, data, number: next, collisionCount });
    }
    create = update;
  }
  const named = sorted.find((r) => r.metadata.name === args.currentRevisionName);
  const current = !named || named.metadata.name === update.metadata.name ? update : named;
  return { current, update, create, renumber, collisionCount };
}

/**
 * Revisions to delete beyond the history limit: the oldest of those that are neither the
 * current nor the update revision nor used by a live pod.
 */
export function revisionsToPrune(args: {
  revisions: readonly ControllerRevision[];
  live: ReadonlySet<string>;
  historyLimit: number;
}): ControllerRevision[] {
  const prunable = args.revisions
    .filter((r) => !args.live.has(r.metadata.name ?? ''))
    .sort((a, b) => revisionNumber(a) - revisionNumber(b));
  return prunable.slice(0, Math.max(0, prunable.length - args.historyLimit));
}
