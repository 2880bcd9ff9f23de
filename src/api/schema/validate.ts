/**
 * Field validation as the API server's typed decoder does it: fields a kind does not have
 * (reported, warned about or dropped per `fieldValidation=Strict|Warn|Ignore`), and values
 * whose JSON type does not fit the field (always a 400 upstream: the Go decoder fails).
 */

import { isRecord } from '../types.js';
import type { FieldSchema, ObjectDefinition, TypeRef } from './dsl.js';
import { definitionGoType, fieldGoType, goTypeOf, quantityError, shortName, timeError, unmarshalMessage } from './go-types.js';
import { kindDefinition, lookupDefinition } from './registry.js';

export interface FieldIssue {
  /** Path as the strict decoder writes it: `spec.template.spec.containers[0].foo`. */
  path: string;
  kind: 'unknown' | 'duplicate';
}

export interface TypeIssue {
  /** Path of the offending value, with list indexes: `spec.ports[0].port`. */
  path: string;
  /** The decoder's message, e.g. `json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32`. */
  message: string;
}

interface Findings {
  unknown: FieldIssue[];
  types: TypeIssue[];
}

/** Where the walk is: the path users see, the decoder's path (no indexes) and the enclosing Go struct. */
interface At {
  path: string;
  goPath: string;
  struct: string;
  fieldName: string;
  field?: FieldSchema;
}

const join = (base: string, name: string): string => (base ? `${base}.${name}` : name);

function walkObject(def: ObjectDefinition, value: Record<string, unknown>, at: At, out: Findings): void {
  const struct = shortName(def.name);
  for (const [name, child] of Object.entries(value)) {
    const field = def.fields[name];
    const path = join(at.path, name);
    if (!field) {
      out.unknown.push({ path, kind: 'unknown' });
      continue;
    }
    walkValue(field.type, child, { path, goPath: join(at.goPath, name), struct, fieldName: name, field }, out);
  }
}

function typeMismatch(value: unknown, at: At, goType: string, out: Findings, exactNumber = false): void {
  out.types.push({ path: at.path, message: unmarshalMessage({ value, struct: at.struct, goPath: at.goPath, goType, exactNumber }) });
}

/** The Go type named when a value at this position is wrong: the field's own type, or the item/value type. */
function goTypeAt(type: TypeRef, at: At): string {
  if (at.field && at.field.type === type) return fieldGoType(at.field, at.fieldName);
  return goTypeOf(type, at.fieldName);
}

function walkValue(type: TypeRef, value: unknown, at: At, out: Findings): void {
  // The decoder leaves a field at its zero value for JSON null; never an error.
  if (value === null || value === undefined) return;
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') typeMismatch(value, at, goTypeAt(type, at), out);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeMismatch(value, at, goTypeAt(type, at), out);
      return;
    case 'number':
      if (typeof value !== 'number') typeMismatch(value, at, goTypeAt(type, at), out);
      return;
    case 'integer':
      checkInteger(value, type.format, at, out);
      return;
    case 'list':
      walkList(type, value, at, out);
      return;
    case 'map':
      walkMap(type, value, at, out);
      return;
    case 'free':
      if (!isRecord(value)) typeMismatch(value, at, goTypeAt(type, at), out);
      return;
    case 'ref':
      walkRef(type.name, value, at, out);
      return;
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function checkInteger(value: unknown, format: 'int32' | 'int64', at: At, out: Findings): void {
  if (typeof value !== 'number') return typeMismatch(value, at, format, out);
  const fits = Number.isInteger(value) && (format === 'int64' || (value >= INT32_MIN && value <= INT32_MAX));
  if (!fits) typeMismatch(value, at, format, out, true);
}

function walkList(type: { kind: 'list'; items: TypeRef }, value: unknown, at: At, out: Findings): void {
  if (!Array.isArray(value)) return typeMismatch(value, at, goTypeAt(type, at), out);
  value.forEach((item, i) => walkValue(type.items, item, { ...at, path: `${at.path}[${i}]`, field: undefined }, out));
}

function walkMap(type: { kind: 'map'; values: TypeRef }, value: unknown, at: At, out: Findings): void {
  if (!isRecord(value)) return typeMismatch(value, at, goTypeAt(type, at), out);
  for (const [key, item] of Object.entries(value)) {
    walkValue(type.values, item, { ...at, path: `${at.path}[${key}]`, field: undefined }, out);
  }
}

function walkRef(name: string, value: unknown, at: At, out: Findings): void {
  const def = lookupDefinition(name);
  if (!def) return;
  if (def.kind === 'object') {
    if (!isRecord(value)) return typeMismatch(value, at, definitionGoType(def), out);
    walkObject(def, value, at, out);
    return;
  }
  switch (def.check) {
    case 'int-or-string':
      // IntOrString decodes non-strings as int32, so errors name int32.
      if (typeof value !== 'string') checkInteger(value, 'int32', at, out);
      return;
    case 'quantity':
      checkQuantity(value, at, out);
      return;
    case 'date-time':
      if (typeof value !== 'string') typeMismatch(value, at, 'string', out);
      else pushIfError(timeError(value), at, out);
      return;
    case 'object':
      return;
  }
}

function checkQuantity(value: unknown, at: At, out: Findings): void {
  if (typeof value === 'number') return;
  if (typeof value === 'string') return pushIfError(quantityError(value), at, out);
  pushIfError(quantityError(JSON.stringify(value)), at, out);
}

function pushIfError(message: string | undefined, at: At, out: Findings): void {
  if (message !== undefined) out.types.push({ path: at.path, message });
}

function inspect(group: string, kind: string, obj: unknown): Findings {
  const out: Findings = { unknown: [], types: [] };
  const def = kindDefinition(group, kind);
  if (!def || !isRecord(obj)) return out;
  walkObject(def, obj, { path: '', goPath: '', struct: kind, fieldName: '' }, out);
  return out;
}

/**
 * Fields of `obj` that kind (group, kind) does not have, in document order. Empty for kinds
 * Switchboard has no schema for. Duplicate fields need the raw body: see findDuplicateFields.
 */
export function validateUnknownFields(group: string, kind: string, obj: unknown): FieldIssue[] {
  return inspect(group, kind, obj).unknown;
}

/**
 * Values whose JSON type does not fit their field. The API server answers the first one with
 * a 400 BadRequest, as the Go decoder stops there; see cannotBeHandledMessage.
 */
export function findTypeErrors(group: string, kind: string, obj: unknown): TypeIssue[] {
  return inspect(group, kind, obj).types;
}

/** `unknown field "spec.foo"` / `duplicate field "spec.replicas"`: one Warn header, or one part of a Strict error. */
export function formatFieldIssue(issue: FieldIssue): string {
  return `${issue.kind} field ${JSON.stringify(issue.path)}`;
}

/** The Strict-mode error detail: `strict decoding error: unknown field "spec.foo", duplicate field "spec.replicas"`. */
export function strictDecodingMessage(issues: FieldIssue[]): string {
  return `strict decoding error: ${issues.map(formatFieldIssue).join(', ')}`;
}
