/**
 * Objects are stored as JSON without `metadata.resourceVersion`: the version is the store's
 * modRevision, added when an object is read, as Kubernetes' etcd3 storage does.
 */
import type { KubeObject } from '../api/types.js';
import type { KeyValue } from '../storage/types.js';

export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _dropped, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

export function decodeObject(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** The object of a deletion event: the last state, at the deletion's revision. */
export function decodeDeleted(kv: KeyValue, prev: KeyValue | undefined): KubeObject {
  const obj = JSON.parse(prev?.value ?? kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}
