/**
 * An informer's local copy of objects, indexed by namespace and by label pair so a
 * controller can find a Service's pods without scanning every pod.
 */
import type { KubeObject } from '../api/types.js';
import { keyOf } from './keys.js';

export class ObjectCache<T extends KubeObject = KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly keysByNamespace = new Map<string, Set<string>>();
  private readonly keysByLabel = new Map<string, Set<string>>();
  private readonly customIndexes = new Map<string, { fn: (obj: T) => string[]; keysByValue: Map<string, Set<string>> }>();

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  listNamespace(namespace: string): T[] {
    return this.resolve(this.keysByNamespace.get(namespace));
  }

  /** Objects in `namespace` (all namespaces when undefined) whose labels include every pair of `labels`. */
  listByLabels(namespace: string | undefined, labels: Record<string, string>): T[] {
    const pairs = Object.entries(labels);
    if (pairs.length === 0) return namespace === undefined ? this.list() : this.listNamespace(namespace);
    let smallest: Set<string> | undefined;
    for (const [k, v] of pairs) {
      const keys = this.keysByLabel.get(`${k}=${v}`);
      if (!keys) return [];
      if (!smallest || keys.size < smallest.size) smallest = keys;
    }
    return this.resolve(smallest).filter(
      (obj) => (namespace === undefined || obj.metadata.namespace === namespace) && pairs.every(([k, v]) => obj.metadata.labels?.[k] === v),
    );
  }

  /** Adds a custom index; `fn` gives the index values of an object. Must be added before objects. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    const keysByValue = new Map<string, Set<string>>();
    for (const [key, obj] of this.objects) for (const v of fn(obj)) addTo(keysByValue, v, key);
    this.customIndexes.set(name, { fn, keysByValue });
  }

  byIndex(name: string, value: string): T[] {
    return this.resolve(this.customIndexes.get(name)?.keysByValue.get(value));
  }

  /** Stores an object; returns the previous version. */
  put(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.objects.get(key);
    if (old) this.unindex(key, old);
    this.objects.set(key, obj);
    this.index(key, obj);
    return old;
  }

  remove(key: string): T | undefined {
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.objects.delete(key);
    return old;
  }

  private index(key: string, obj: T): void {
    addTo(this.keysByNamespace, obj.metadata.namespace ?? '', key);
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) addTo(this.keysByLabel, `${k}=${v}`, key);
    for (const { fn, keysByValue } of this.customIndexes.values()) for (const v of fn(obj)) addTo(keysByValue, v, key);
  }

  private unindex(key: string, obj: T): void {
    removeFrom(this.keysByNamespace, obj.metadata.namespace ?? '', key);
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) removeFrom(this.keysByLabel, `${k}=${v}`, key);
    for (const { fn, keysByValue } of this.customIndexes.values()) for (const v of fn(obj)) removeFrom(keysByValue, v, key);
  }

  private resolve(keys: Set<string> | undefined): T[] {
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const obj = this.objects.get(k);
      if (obj) out.push(obj);
    }
    return out;
  }
}

function addTo(map: Map<string, Set<string>>, value: string, key: string): void {
  let set = map.get(value);
  if (!set) {
    set = new Set();
    map.set(value, set);
  }
  set.add(key);
}

function removeFrom(map: Map<string, Set<string>>, value: string, key: string): void {
  const set = map.get(value);
  if (!set) return;
  set.delete(key);
  if (set.size === 0) map.delete(value);
}
