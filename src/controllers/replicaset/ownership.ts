/**
 * Controller references: who owns a pod (or a ReplicaSet), and which objects an owner claims
 * (upstream ControllerRefManager): it keeps what it controls and still selects, adopts
 * matching orphans, and releases what it controls but no longer selects.
 */
import type { Selector } from '../../api/labels.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';

export interface OwnerIdentity {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; uid?: string; deletionTimestamp?: string };
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

export function newControllerRef(owner: OwnerIdentity): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface Claim<T> {
  /** Objects the owner controls after the claim, adopted ones included. */
  owned: T[];
  adopt: T[];
  release: T[];
}

/**
 * Splits candidates (objects in the owner's namespace) by what the owner does with them.
 * An owner being deleted neither adopts nor releases; an object being deleted is not adopted.
 */
export function claimObjects<T extends KubeObject>(args: { owner: OwnerIdentity; selector: Selector; candidates: readonly T[] }): Claim<T> {
  const { owner, selector } = args;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const claim: Claim<T> = { owned: [], adopt: [], release: [] };
  for (const obj of args.candidates) {
    const ref = controllerRefOf(obj);
    const selected = selector.matches(obj.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (selected) claim.owned.push(obj);
      else if (!ownerDeleting) claim.release.push(obj);
      continue;
    }
    if (!selected || ownerDeleting || obj.metadata.deletionTimestamp) continue;
    claim.adopt.push(obj);
    claim.owned.push(obj);
  }
  return claim;
}

/** The ownerReferences of an object adopted by `owner`. */
export function withControllerRef(obj: KubeObject, owner: OwnerIdentity): OwnerReference[] {
  return [...(obj.metadata.ownerReferences ?? []), newControllerRef(owner)];
}

/** The ownerReferences of an object released by the owner with this uid. */
export function withoutOwner(obj: KubeObject, uid: string): OwnerReference[] {
  return (obj.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== uid);
}

/**
 * An informer-cache index shared by the ReplicaSet and Deployment controllers: objects by the
 * uid of their controller, or `orphan/<namespace>` for objects without one.
 */
export const controllerUidIndex = 'replicaset.controller-uid';

export function controllerUidIndexValues(obj: KubeObject): string[] {
  const ref = controllerRefOf(obj);
  return [ref ? ref.uid : `orphan/${obj.metadata.namespace ?? ''}`];
}
