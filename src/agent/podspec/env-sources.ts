/**
 * ConfigMap and Secret reads for env and envFrom, with the kubelet's messages for what is
 * missing (the container then waits with CreateContainerConfigError).
 */
import { isRecord, type KubeObject } from '../../api/types.js';

/** Objects of the pod's namespace; undefined when the object does not exist. */
export interface EnvObjectLookup {
  configMap?: (name: string) => KubeObject | undefined;
  secret?: (name: string) => KubeObject | undefined;
}

export type SourceKind = 'configmap' | 'secret';

/** Key/value data of one ConfigMap (`data`) or Secret (`data`, base64-decoded). */
export type SourceData = ReadonlyMap<string, string>;

export function readSource(lookup: EnvObjectLookup, kind: SourceKind, name: string): SourceData | undefined {
  const object = kind === 'configmap' ? lookup.configMap?.(name) : lookup.secret?.(name);
  if (!object) return undefined;
  const data = isRecord(object.data) ? object.data : {};
  const entries: [string, string][] = [];
  for (const [key, raw] of Object.entries(data)) {
    if (typeof raw !== 'string') continue;
    entries.push([key, kind === 'secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw]);
  }
  return new Map(entries);
}

/** The API's NotFound message, e.g. `configmap "x" not found`. */
export function notFoundMessage(kind: SourceKind, name: string): string {
  return `${kind} "${name}" not found`;
}

export function missingKeyMessage(kind: SourceKind, namespace: string, name: string, key: string): string {
  const kindName = kind === 'configmap' ? 'ConfigMap' : 'Secret';
  return `couldn't find key ${key} in ${kindName} ${namespace}/${name}`;
}

/** Caches each object for the duration of one container's env, as the kubelet does. */
export function cachedReader(lookup: EnvObjectLookup): (kind: SourceKind, name: string) => SourceData | undefined {
  const cache = new Map<string, SourceData | undefined>();
  return (kind, name) => {
    const key = `${kind}/${name}`;
    if (!cache.has(key)) cache.set(key, readSource(lookup, kind, name));
    return cache.get(key);
  };
}
