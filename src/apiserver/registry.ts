/**
 * The generic registry: Kubernetes' write semantics over the revisioned store, for every
 * resource. Create, update (optimistic concurrency), guaranteed update for patches,
 * graceful deletion with finalizers, and the metadata the server owns.
 */
import { randomUUID } from 'node:crypto';
import { errors } from '../api/status.js';
import type { ResourceInfo } from '../api/resources.js';
import { groupVersion } from '../api/resources.js';
import { isRecord, type KubeObject } from '../api/types.js';
import { fieldErrors } from '../api/field.js';
import { isStorageError, type Store } from '../storage/types.js';
import { rfc3339, type Clock } from '../lib/clock.js';
import { decodeObject, encodeObject } from './codec.js';
import { objectKey } from './keys.js';
import type { FieldValidation, ResourceStrategy, Rollback, TypeHooks } from './hooks.js';
import type { WatchCache } from './cache.js';

export interface WriteOptions {
  namespace?: string;
  dryRun: boolean;
  fieldManager: string;
  fieldValidation: FieldValidation;
  subresource?: string;
  /** Server-side apply already recorded the manager's fields. */
  isApply?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

export interface RegistryDeps {
  store: Store;
  cache: WatchCache;
  hooks: TypeHooks;
  strategies: Map<string, ResourceStrategy>;
  clock: Clock;
  random?: () => number;
}

const generateNameRetries = 8;
const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export class Registry {
  constructor(private readonly deps: RegistryDeps) {}

  private strategy(info: ResourceInfo): ResourceStrategy {
    return this.deps.strategies.get(info.plural) ?? {};
  }

  private target(info: ResourceInfo, name: string): { group: string; resource: string; name: string } {
    return { group: info.group, resource: info.plural, name };
  }

  async get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.deps.store.get(objectKey(info, namespace, name));
    if (!kv) throw errors.notFound(this.target(info, name));
    return decodeObject(kv);
  }

  /** Checks kind/apiVersion/namespace of a body and fills them in. */
  private adopt(info: ResourceInfo, body: unknown, namespace: string | undefined): KubeObject {
    if (!isRecord(body)) throw errors.badRequest('the body of the request must be a JSON or YAML object');
    const gv = groupVersion(info);
    if (body.apiVersion !== undefined && body.apiVersion !== gv) {
      throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
    }
    if (body.kind !== undefined && body.kind !== info.kind) {
      throw errors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${info.kind})`);
    }
    const metadata = isRecord(body.metadata) ? body.metadata : {};
    const obj = { ...body, apiVersion: gv, kind: info.kind, metadata: { ...metadata } } as KubeObject;
    if (info.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  private async checkNamespace(info: ResourceInfo, namespace: string | undefined): Promise<void> {
    if (!info.namespaced) return;
    if (!namespace) throw errors.badRequest('a namespace is required for namespaced resources');
    const kv = await this.deps.store.get(`/registry/namespaces/${namespace}`);
    if (!kv) throw errors.notFound({ group: '', resource: 'namespaces', name: namespace });
    const ns = decodeObject(kv);
    if (ns.metadata.deletionTimestamp) {
      throw errors.forbidden(
        { group: info.group, resource: info.plural, name: '' },
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private invalidIfErrors(info: ResourceInfo, obj: KubeObject, errs: ReturnType<TypeHooks['validateCreate']>): void {
    if (errs.length > 0) throw errors.invalid(info.kind, info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  private generateName(base: string): string {
    const random = this.deps.random ?? Math.random;
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += nameAlphabet[Math.floor(random() * nameAlphabet.length)];
    return `${base.slice(0, 58)}${suffix}`;
  }

  async create(info: ResourceInfo, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const { object: obj, warnings } = this.deps.hooks.checkFields(info, this.adopt(info, body, options.namespace), options.fieldValidation);
    await this.checkNamespace(info, obj.metadata.namespace);
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    if (generated) obj.metadata.name = this.generateName(obj.metadata.generateName as string);
    if (!obj.metadata.name) {
      throw errors.invalid(info.kind, info.group, '', [fieldErrors.required('metadata.name', 'name or generateName is required')]);
    }
    this.stampNew(info, obj);
    this.deps.hooks.applyDefaults(info, obj);
    this.strategy(info).prepareForCreate?.(obj);
    this.invalidIfErrors(info, obj, this.deps.hooks.validateCreate(info, obj));
    if (!options.isApply) this.deps.hooks.recordManager({ info, old: undefined, updated: obj, manager: options.fieldManager });
    const rollback = await this.strategy(info).beforeCreate?.(obj, { dryRun: options.dryRun });
    try {
      if (options.dryRun) {
        await rollback?.();
        return { object: obj, warnings };
      }
      return { object: await this.insert(info, obj, generated), warnings };
    } catch (err) {
      await rollback?.();
      throw err;
    }
  }

  private async insert(info: ResourceInfo, obj: KubeObject, generated: boolean): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const name = obj.metadata.name as string;
      try {
        const kv = await this.deps.store.create(objectKey(info, obj.metadata.namespace, name), encodeObject(obj));
        return decodeObject(kv);
      } catch (err) {
        if (!isStorageError(err, 'KeyExists')) throw err;
        if (!generated) throw errors.alreadyExists(this.target(info, name));
        if (attempt + 1 >= generateNameRetries) throw errors.generateNameConflict(this.target(info, name), 1);
        obj.metadata.name = this.generateName(obj.metadata.generateName as string);
      }
    }
  }

  private stampNew(info: ResourceInfo, obj: KubeObject): void {
    const m = obj.metadata;
    m.uid = randomUUID();
    m.creationTimestamp = rfc3339(this.deps.clock.now());
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.selfLink;
    if (tracksGeneration(info)) m.generation = 1;
    else delete m.generation;
  }

  /**
   * Replaces an object. `mutate` turns the current object into the desired one; it runs again
   * when a concurrent write wins (unless the caller pinned a resourceVersion: then 409).
   */
  async update(
    info: ResourceInfo,
    name: string,
    options: WriteOptions,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  ): Promise<WriteResult> {
    const key = objectKey(info, options.namespace, name);
    for (;;) {
      const kv = await this.deps.store.get(key);
      if (!kv) throw errors.notFound(this.target(info, name));
      const current = decodeObject(kv);
      const desired = await mutate(structuredClone(current));
      const pinned = desired.metadata.resourceVersion;
      if (pinned && pinned !== current.metadata.resourceVersion) throw errors.staleResourceVersion(this.target(info, name));
      const { object: next, warnings } = this.prepareUpdate(info, name, desired, current, options);
      const rollback = await this.strategy(info).beforeUpdate?.(next, current, { dryRun: options.dryRun });
      try {
        if (options.dryRun) {
          await rollback?.();
          return { object: next, warnings };
        }
        const written = await this.write(info, key, next, kv.modRevision);
        return { object: written, warnings };
      } catch (err) {
        await rollback?.();
        if (isStorageError(err, 'RevisionMismatch')) {
          if (pinned) throw errors.staleResourceVersion(this.target(info, name));
          continue;
        }
        throw err;
      }
    }
  }

  private prepareUpdate(
    info: ResourceInfo,
    name: string,
    body: KubeObject,
    current: KubeObject,
    options: WriteOptions,
  ): WriteResult {
    const adopted = this.adopt(info, body, options.namespace);
    if (adopted.metadata.name !== undefined && adopted.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${adopted.metadata.name}) does not match the name on the URL (${name})`);
    }
    const { object: obj, warnings } = this.deps.hooks.checkFields(info, adopted, options.fieldValidation);
    const next = mergeForSubresource(info, obj, current, options.subresource);
    const m = next.metadata;
    const old = current.metadata;
    m.name = name;
    m.uid = old.uid;
    m.creationTimestamp = old.creationTimestamp;
    m.deletionTimestamp = old.deletionTimestamp;
    m.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
    if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
    if (old.generateName !== undefined && m.generateName === undefined) m.generateName = old.generateName;
    this.strategy(info).prepareForUpdate?.(next, current);
    this.deps.hooks.applyDefaults(info, next);
    // A binding changes only spec.nodeName and the PodScheduled condition, which pod updates may not.
    if (options.subresource !== 'binding') this.invalidIfErrors(info, next, this.deps.hooks.validateUpdate(info, next, current));
    if (tracksGeneration(info)) {
      m.generation = (old.generation ?? 1) + (specChanged(next, current) ? 1 : 0);
    }
    if (!options.isApply) {
      this.deps.hooks.recordManager({ info, old: current, updated: next, manager: options.fieldManager, subresource: options.subresource });
    }
    return { object: next, warnings };
  }

  /** Stores an update; an object being deleted whose last finalizer went is removed instead. */
  private async write(info: ResourceInfo, key: string, obj: KubeObject, expected: number): Promise<KubeObject> {
    const strategy = this.strategy(info);
    const graceOver = obj.metadata.deletionGracePeriodSeconds === 0 || !strategy.gracePeriod;
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length && graceOver && !strategy.holdsDeletion?.(obj)) {
      return this.remove(info, key, obj, expected);
    }
    const kv = await this.deps.store.update(key, encodeObject(obj), expected);
    return decodeObject(kv);
  }

  private async remove(info: ResourceInfo, key: string, obj: KubeObject, expected: number): Promise<KubeObject> {
    const kv = await this.deps.store.delete(key, expected);
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(kv.modRevision) } };
    await this.strategy(info).afterDelete?.(gone);
    return gone;
  }

  async delete(info: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions): Promise<KubeObject> {
    const key = objectKey(info, namespace, name);
    for (;;) {
      const kv = await this.deps.store.get(key);
      if (!kv) throw errors.notFound(this.target(info, name));
      const current = decodeObject(kv);
      checkPreconditions(info, current, options.preconditions);
      const next = this.markDeleted(info, current, options);
      try {
        if (options.dryRun) return next ?? current;
        if (!next) return await this.remove(info, key, current, kv.modRevision);
        const stored = await this.deps.store.update(key, encodeObject(next), kv.modRevision);
        return decodeObject(stored);
      } catch (err) {
        if (isStorageError(err, 'RevisionMismatch') || isStorageError(err, 'KeyNotFound')) {
          if (options.preconditions?.resourceVersion) throw errors.staleResourceVersion(this.target(info, name));
          continue;
        }
        throw err;
      }
    }
  }

  /** The object as it stays while its deletion completes, or undefined to remove it now. */
  private markDeleted(info: ResourceInfo, current: KubeObject, options: DeleteOptions): KubeObject | undefined {
    const next = structuredClone(current);
    const m = next.metadata;
    const finalizers = new Set(m.finalizers ?? []);
    if (options.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    if (options.propagationPolicy === 'Orphan') finalizers.add('orphan');
    const strategy = this.strategy(info);
    const grace = strategy.gracePeriod?.(current, options.gracePeriodSeconds) ?? 0;
    if (finalizers.size === 0 && grace <= 0 && !strategy.holdsDeletion?.(current)) return undefined;
    if (!m.deletionTimestamp) strategy.prepareForDelete?.(next);
    const now = this.deps.clock.now();
    if (finalizers.size > 0) m.finalizers = [...finalizers];
    const deadline = rfc3339(new Date(now.getTime() + grace * 1000));
    if (!m.deletionTimestamp || deadline < m.deletionTimestamp) {
      m.deletionTimestamp = deadline;
      m.deletionGracePeriodSeconds = grace;
    }
    if (tracksGeneration(info)) m.generation = (m.generation ?? 1) + 1;
    return next;
  }
}

function checkPreconditions(info: ResourceInfo, obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  const target = { group: info.group, resource: info.plural, name: obj.metadata.name ?? '' };
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw errors.conflict(target, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw errors.conflict(
      target,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}

/** Workloads and pods count spec changes in metadata.generation. */
function tracksGeneration(info: ResourceInfo): boolean {
  return info.group === 'apps' || info.group === 'batch' || info.plural === 'pods' || info.plural === 'replicationcontrollers';
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.spec) !== JSON.stringify(b.spec);
}

/**
 * Writes to the main resource keep the stored status; writes to the status subresource
 * change only the status (as Kubernetes' status strategies do).
 */
function mergeForSubresource(info: ResourceInfo, obj: KubeObject, current: KubeObject, subresource: string | undefined): KubeObject {
  if (subresource === 'status') {
    return { ...current, status: obj.status, metadata: { ...current.metadata, resourceVersion: obj.metadata.resourceVersion } };
  }
  if (subresource === 'binding') return obj;
  if (subresource === 'finalize') {
    const finalizers = isRecord(obj.spec) ? obj.spec.finalizers : undefined;
    return {
      ...current,
      spec: { ...(isRecord(current.spec) ? current.spec : {}), finalizers },
      metadata: { ...current.metadata, resourceVersion: obj.metadata.resourceVersion },
    };
  }
  if (!info.subresources.includes('status')) return obj;
  const next: KubeObject = { ...obj, status: current.status };
  if (current.status === undefined) delete next.status;
  return next;
}
