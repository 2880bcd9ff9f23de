/**
 * Storage keys: `/registry/<plural>/<namespace>/<name>` for namespaced resources and
 * `/registry/<plural>/<name>` for cluster-scoped ones. Plurals are unique across the groups
 * Switchboard serves, so the plural alone names the resource.
 */
import type { ResourceInfo } from '../api/resources.js';

export const registryRoot = '/registry/';

export function resourcePrefix(info: ResourceInfo, namespace?: string): string {
  const base = `${registryRoot}${info.plural}/`;
  return info.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function objectKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${registryRoot}${info.plural}/${namespace ?? ''}/${name}` : `${registryRoot}${info.plural}/${name}`;
}

/** The plural a key belongs to, or undefined for keys outside the object space. */
export function pluralOfKey(key: string): string | undefined {
  if (!key.startsWith(registryRoot)) return undefined;
  const end = key.indexOf('/', registryRoot.length);
  return end < 0 ? undefined : key.slice(registryRoot.length, end);
}
