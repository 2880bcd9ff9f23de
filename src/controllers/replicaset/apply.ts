/**
 * Carrying out a ReplicaSet plan against the API: adopting and releasing pods, creating pods
 * from the template in slow-start batches, deleting surplus pods, writing status.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import type { ApiClient } from '../../client/rest.js';
import { keyOf } from '../../client/keys.js';
import { newControllerRef, withControllerRef, withoutOwner, type OwnerIdentity } from './ownership.js';
import { slowStartBatch } from './slow-start.js';
import type { Pod, ReplicaSet, ReplicaSetStatus } from './types.js';

export const podsResource = findResource('', 'pods') as ResourceInfo;

export interface Writer {
  client: ApiClient;
  fieldManager: string;
}

export function ownerIdentity(rs: ReplicaSet, kind: { kind: string; apiVersion: string }): OwnerIdentity {
  return { apiVersion: kind.apiVersion, kind: kind.kind, metadata: rs.metadata };
}

/** The pod a ReplicaSet creates: its template, named `<rs>-<random>` by the server. */
export function podFromTemplate(rs: ReplicaSet, owner: OwnerIdentity): KubeObject {
  const template = rs.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    metadata: {
      generateName: `${rs.metadata.name ?? ''}-`,
      namespace: rs.metadata.namespace,
      ownerReferences: [newControllerRef(owner)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/**
 * Sets the ownerReferences of a pod with a merge patch; the resourceVersion in the patch makes
 * it conditional, so a pod that changed meanwhile (adopted by another owner) is not overwritten.
 */
async function patchOwners(w: Writer, pod: Pod, ownerReferences: unknown[]): Promise<void> {
  const patch = { metadata: { ownerReferences, resourceVersion: pod.metadata.resourceVersion } };
  await w.client.patch(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', patch, { fieldManager: w.fieldManager });
}

export async function adoptPod(w: Writer, pod: Pod, owner: OwnerIdentity): Promise<void> {
  await patchOwners(w, pod, withControllerRef(pod, owner));
}

/** A pod already gone needs no release. */
export async function releasePod(w: Writer, pod: Pod, ownerUid: string): Promise<void> {
  try {
    await patchOwners(w, pod, withoutOwner(pod, ownerUid));
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
  }
}

/** Creates up to `count` pods; resolves with how many were created and the first error. */
export function createPods(w: Writer, rs: ReplicaSet, owner: OwnerIdentity, count: number): Promise<{ successes: number; error?: unknown }> {
  const pod = podFromTemplate(rs, owner);
  return slowStartBatch(count, 1, async () => {
    await w.client.create(podsResource, rs.metadata.namespace, pod, { fieldManager: w.fieldManager });
  });
}

/** Deletes pods concurrently; a pod already gone counts as deleted. Returns the ones that failed. */
export async function deletePods(w: Writer, pods: readonly Pod[]): Promise<{ failed: Pod[]; error?: unknown }> {
  const results = await Promise.allSettled(
    pods.map(async (pod) => {
      try {
        await w.client.delete(podsResource, pod.metadata.namespace, pod.metadata.name ?? '');
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
    }),
  );
  const failed: Pod[] = [];
  let error: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    failed.push(pods[i] as Pod);
    error ??= r.reason;
  });
  return error === undefined ? { failed } : { failed, error };
}

export async function updateStatus(w: Writer, info: ResourceInfo, rs: ReplicaSet, status: ReplicaSetStatus): Promise<void> {
  await w.client.update(info, { ...rs, status }, { subresource: 'status', fieldManager: w.fieldManager });
}

export function podKeys(pods: readonly Pod[]): string[] {
  return pods.map(keyOf);
}
