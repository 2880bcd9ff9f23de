/**
 * The owner→dependents graph, read from the shared informers' caches: each watched resource's
 * cache is indexed by the uids its objects name as owners, so "who depends on X" is one
 * index lookup per resource. Owners of kinds not watched here are looked up on the server.
 */
import { findResource, findResourceByKind, parseApiVersion, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { InformerFactory } from '../../client/factory.js';
import type { Informer } from '../../client/informer.js';
import { keyOf, splitKey } from '../../client/keys.js';
import { foregroundFinalizer } from './plan.js';

/** Every resource served here whose objects can carry ownerReferences. */
export const collectedResources: readonly (readonly [string, string])[] = [
  ['', 'pods'],
  ['', 'services'],
  ['', 'endpoints'],
  ['', 'configmaps'],
  ['', 'secrets'],
  ['', 'serviceaccounts'],
  ['', 'events'],
  ['', 'replicationcontrollers'],
  ['apps', 'replicasets'],
  ['apps', 'deployments'],
  ['apps', 'statefulsets'],
  ['apps', 'daemonsets'],
  ['apps', 'controllerrevisions'],
  ['batch', 'jobs'],
  ['discovery.k8s.io', 'endpointslices'],
  ['coordination.k8s.io', 'leases'],
];

const ownerIndex = 'gc/owner-uid';

/** A work-queue key naming the resource too: `replicasets.apps|ns/name`, `pods.|ns/name`. */
export function itemKey(info: ResourceInfo, objectKey: string): string {
  return `${info.plural}.${info.group}|${objectKey}`;
}

export interface ItemRef {
  info: ResourceInfo;
  namespace?: string;
  name: string;
}

export function parseItemKey(key: string): ItemRef | undefined {
  const bar = key.indexOf('|');
  const resource = key.slice(0, bar);
  const dot = resource.indexOf('.');
  const info = findResource(resource.slice(dot + 1), resource.slice(0, dot));
  if (bar < 0 || dot < 0 || !info) return undefined;
  return { info, ...splitKey(key.slice(bar + 1)) };
}

/** Where an owner reference points: its resource and the key it would have in a cache. */
export interface OwnerLocation {
  info: ResourceInfo;
  namespace?: string;
  name: string;
  /** A namespaced owner named by a cluster-scoped dependent: such a reference can never resolve. */
  invalid: boolean;
}

export function locateOwner(dependent: KubeObject, ref: OwnerReference): OwnerLocation | undefined {
  const info = findResourceByKind(parseApiVersion(ref.apiVersion).group, ref.kind);
  if (!info) return undefined;
  const namespace = info.namespaced ? dependent.metadata.namespace : undefined;
  return { info, namespace, name: ref.name, invalid: info.namespaced && !dependent.metadata.namespace };
}

export function isDeletingDependents(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).includes(foregroundFinalizer);
}

export class OwnerGraph {
  private readonly informers = new Map<string, Informer>();

  constructor(factory: InformerFactory) {
    for (const [group, plural] of collectedResources) {
      const informer = factory.informer(group, plural);
      informer.cache.addIndex(ownerIndex, (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid));
      this.informers.set(`${plural}.${group}`, informer);
    }
  }

  all(): Informer[] {
    return [...this.informers.values()];
  }

  informerOf(info: ResourceInfo): Informer | undefined {
    return this.informers.get(`${info.plural}.${info.group}`);
  }

  get(ref: ItemRef): KubeObject | undefined {
    const key = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
    return this.informerOf(ref.info)?.cache.get(key);
  }

  /** Every cached object naming `uid` as an owner, with its work-queue key. */
  dependentsOf(uid: string): { key: string; obj: KubeObject }[] {
    const out: { key: string; obj: KubeObject }[] = [];
    for (const informer of this.informers.values()) {
      for (const obj of informer.cache.byIndex(ownerIndex, uid)) out.push({ key: itemKey(informer.info, keyOf(obj)), obj });
    }
    return out;
  }

  /** The cached owner a reference names, if it is watched here and present with that uid. */
  cachedOwner(dependent: KubeObject, ref: OwnerReference): { key: string; obj: KubeObject } | undefined {
    const loc = locateOwner(dependent, ref);
    if (!loc || loc.invalid) return undefined;
    const obj = this.get(loc);
    if (!obj || obj.metadata.uid !== ref.uid) return undefined;
    return { key: itemKey(loc.info, keyOf(obj)), obj };
  }
}
