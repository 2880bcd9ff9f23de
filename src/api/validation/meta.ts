/** ObjectMeta, labels, annotations and a few shared field checks (apimachinery's rules). */
import { type FieldError, fieldErrors } from '../field.js';
import { type Obj, deepEqual, rec, str, strMap, list } from './access.js';
import { type NameValidator, labelValueErrors, qualifiedNameErrors } from './names.js';

export const totalAnnotationSizeLimit = 256 * 1024;

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(strMap(labels) ?? {})) {
    for (const msg of qualifiedNameErrors(k)) errs.push(fieldErrors.invalid(path, k, msg));
    for (const msg of labelValueErrors(v)) errs.push(fieldErrors.invalid(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(strMap(annotations) ?? {})) {
    for (const msg of qualifiedNameErrors(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > totalAnnotationSizeLimit) errs.push(fieldErrors.tooLong(path, '', totalAnnotationSizeLimit));
  return errs;
}

export interface MetaRules {
  namespaced: boolean;
  validateName: NameValidator;
}

export function validateObjectMeta(metaValue: unknown, rules: MetaRules): FieldError[] {
  const meta = rec(metaValue) ?? {};
  const errs: FieldError[] = [];
  const name = str(meta.name) ?? '';
  const generateName = str(meta.generateName) ?? '';
  if (generateName) {
    for (const msg of rules.validateName(generateName, true)) errs.push(fieldErrors.invalid('metadata.generateName', generateName, msg));
  }
  if (!name) {
    if (!generateName) errs.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of rules.validateName(name, false)) errs.push(fieldErrors.invalid('metadata.name', name, msg));
  }
  const namespace = str(meta.namespace) ?? '';
  if (rules.namespaced && !namespace) errs.push(fieldErrors.required('metadata.namespace', ''));
  if (!rules.namespaced && namespace) errs.push(fieldErrors.forbidden('metadata.namespace', 'not allowed on this type'));
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list(finalizers).forEach((f, i) => {
    const s = String(f);
    for (const msg of qualifiedNameErrors(s)) errs.push(fieldErrors.invalid(`${path}[${i}]`, s, msg));
    if (seen.has(s)) errs.push(fieldErrors.duplicate(`${path}[${i}]`, s));
    seen.add(s);
  });
  return errs;
}

export const immutableMessage = 'field is immutable';

export function validateImmutable(value: unknown, old: unknown, path: string): FieldError[] {
  return deepEqual(value, old) ? [] : [fieldErrors.invalid(path, value, immutableMessage)];
}

export function validateObjectMetaUpdate(metaValue: unknown, oldValue: unknown): FieldError[] {
  const meta = rec(metaValue) ?? {};
  const old = rec(oldValue) ?? {};
  const errs: FieldError[] = [];
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    if (old[key] !== undefined && old[key] !== '') errs.push(...validateImmutable(meta[key], old[key], `metadata.${key}`));
  }
  if (old.deletionTimestamp !== undefined && meta.deletionTimestamp !== undefined) {
    errs.push(...validateImmutable(meta.deletionTimestamp, old.deletionTimestamp, 'metadata.deletionTimestamp'));
  }
  const oldGeneration = typeof old.generation === 'number' ? old.generation : 0;
  if (typeof meta.generation === 'number' && meta.generation < oldGeneration) {
    errs.push(fieldErrors.invalid('metadata.generation', meta.generation, 'must not be decremented'));
  }
  return errs;
}

export const nonNegativeMessage = 'must be greater than or equal to 0';

export function validateNonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [fieldErrors.invalid(path, value, nonNegativeMessage)] : [];
}

/** A field that must be one of a closed set: Required when empty, NotSupported otherwise. */
export function validateEnum(value: unknown, supported: string[], path: string, required = true): FieldError[] {
  if (value === undefined || value === null || value === '') return required ? [fieldErrors.required(path, '')] : [];
  return supported.includes(String(value)) ? [] : [fieldErrors.notSupported(path, value, supported)];
}

export type { Obj };
