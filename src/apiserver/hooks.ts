/**
 * What the generic registry asks of the API's type knowledge (defaulting, validation,
 * unknown-field handling, managed fields) and of per-resource strategies (allocation,
 * graceful deletion). Injected so the registry stays generic and testable.
 */
import type { FieldError } from '../api/field.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface TypeHooks {
  /**
   * Decodes the object as its kind: type errors always fail (400); unknown fields fail under
   * Strict, become warnings under Warn, and are dropped in every mode that gets this far.
   */
  checkFields(info: ResourceInfo, obj: KubeObject, mode: FieldValidation): { object: KubeObject; warnings: string[] };
  applyDefaults(info: ResourceInfo, obj: KubeObject): void;
  validateCreate(info: ResourceInfo, obj: KubeObject): FieldError[];
  validateUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[];
  /** Records the writer in metadata.managedFields. */
  recordManager(args: { info: ResourceInfo; old: KubeObject | undefined; updated: KubeObject; manager: string; subresource?: string }): void;
}

/** Undoes an allocation made for a write that did not happen. */
export type Rollback = () => Promise<void>;

export interface WriteContext {
  dryRun: boolean;
}

export interface ResourceStrategy {
  /** Runs on a create after defaulting, before validation (e.g. Jobs derive their selector from the uid). */
  prepareForCreate?(obj: KubeObject): void;
  /** Runs on an update before defaulting and validation: carries over server-assigned fields. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Runs after validation, before the object is stored; may allocate. */
  beforeCreate?(obj: KubeObject, ctx: WriteContext): Promise<Rollback | void>;
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: WriteContext): Promise<Rollback | void>;
  /** Runs once the object is gone from the store. */
  afterDelete?(obj: KubeObject): Promise<void>;
  /**
   * Grace period for a delete request without one (pods: terminationGracePeriodSeconds when
   * bound to a node). 0 or undefined deletes at once.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /**
   * True while an object being deleted must stay although it has no metadata finalizers
   * (namespaces: until their content is gone and spec.finalizers is empty).
   */
  holdsDeletion?(obj: KubeObject): boolean;
  /** Changes an object gets when its deletion starts (namespaces: phase Terminating). */
  prepareForDelete?(obj: KubeObject): void;
}

/** Builds the object filter of a list or watch from its labelSelector and fieldSelector (throws a 400 on bad syntax). */
export type SelectorParser = (info: ResourceInfo, labelSelector?: string, fieldSelector?: string) => (obj: KubeObject) => boolean;
