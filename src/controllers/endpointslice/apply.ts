/** Writes a slice plan: creates first, then updates, then deletes, so readers never see a gap. */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { ApiClient } from '../../client/rest.js';
import type { SliceExpectations } from './expectations.js';
import type { SliceChanges } from './pack.js';
import type { EndpointSlice } from './types.js';

export const endpointSliceInfo = findResource('discovery.k8s.io', 'endpointslices') as ResourceInfo;

/** A create refused because the namespace is going away: nothing to retry. */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!isStatusError(err, 'Forbidden')) return false;
  const causes = err.details?.causes ?? [];
  return causes.some((c) => c.reason === 'NamespaceTerminating') || err.message.includes('being terminated');
}

export async function applySliceChanges(args: {
  client: ApiClient;
  ownerKey: string;
  changes: SliceChanges;
  expectations: SliceExpectations;
  fieldManager: string;
}): Promise<void> {
  const { client, changes, expectations, ownerKey } = args;
  const options = { fieldManager: args.fieldManager };
  for (const slice of changes.create) {
    try {
      const created = await client.create<EndpointSlice>(endpointSliceInfo, slice.metadata.namespace, slice, options);
      expectations.written(ownerKey, created);
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      throw err;
    }
  }
  for (const slice of changes.update) {
    const updated = await client.update<EndpointSlice>(endpointSliceInfo, slice, options);
    expectations.written(ownerKey, updated);
  }
  for (const slice of changes.delete) {
    const { namespace, name } = slice.metadata;
    try {
      await client.delete(endpointSliceInfo, namespace, name ?? '', { preconditions: { uid: slice.metadata.uid } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
    expectations.deleted(ownerKey, `${namespace ?? ''}/${name ?? ''}`);
  }
}
