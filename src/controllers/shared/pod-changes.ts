/**
 * Creates and deletes a controller's pods with expectations: each creation and deletion is
 * expected before it is sent, and a failed one is counted as observed at once, so the
 * controller's next sync is not held back waiting for an event that will never come.
 */
import { findResource } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import type { ApiClient } from '../../client/rest.js';
import type { Expectations } from './expectations.js';

const podsInfo = findResource('', 'pods')!;

export async function applyPodChanges(args: {
  client: ApiClient;
  expectations: Expectations;
  key: string;
  create: readonly KubeObject[];
  delete: readonly KubeObject[];
  fieldManager: string;
}): Promise<void> {
  const { client, expectations, key, fieldManager } = args;
  expectations.expectCreations(key, args.create.length);
  expectations.expectDeletions(key, args.delete.map((p) => p.metadata.uid ?? ''));
  const creates = args.create.map(async (pod) => {
    try {
      await client.create(podsInfo, pod.metadata.namespace, pod, { fieldManager });
    } catch (err) {
      expectations.creationObserved(key);
      throw err;
    }
  });
  const deletes = args.delete.map(async (pod) => {
    try {
      await client.delete(podsInfo, pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      expectations.deletionObserved(key, pod.metadata.uid);
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  });
  const results = await Promise.allSettled([...creates, ...deletes]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
