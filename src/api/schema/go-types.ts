/**
 * How Kubernetes' JSON decoder describes values and types in its errors, e.g.
 * `json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32`.
 * Switchboard reproduces these messages so clients see what a real API server says.
 */

import type { Definition, FieldSchema, TypeRef } from './dsl.js';
import { lookupDefinition } from './registry.js';

/** The Go name of a definition's type: `v1.ServicePort`, `intstr.IntOrString`. */
export function definitionGoType(def: Definition): string {
  if (def.kind === 'scalar') return def.goType;
  return `v1.${shortName(def.name)}`;
}

/** The last segment of a definition name: `io.k8s.api.core.v1.ServicePort` -> `ServicePort`. */
export function shortName(definitionName: string): string {
  return definitionName.slice(definitionName.lastIndexOf('.') + 1);
}

/** The Go type a JSON value of this type decodes into. */
export function goTypeOf(type: TypeRef, fieldName: string): string {
  switch (type.kind) {
    case 'string':
      return type.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return type.format;
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'ref': {
      const def = lookupDefinition(type.name);
      return def ? definitionGoType(def) : shortName(type.name);
    }
    case 'list':
      return `[]${goTypeOf(type.items, fieldName)}`;
    case 'map':
      return `map[string]${goTypeOf(type.values, fieldName)}`;
    case 'free':
      // Unmodelled subtrees are Go structs upstream; their exact names are not tracked.
      return `v1.${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}`;
  }
}

/** The Go type named in an error about the field itself (a scalar field, or the field's container). */
export function fieldGoType(field: FieldSchema, fieldName: string): string {
  return field.goType ?? goTypeOf(field.type, fieldName);
}

/** How Go's decoder names the JSON value it could not store: `string`, `number 1.5`, `object`. */
export function jsonValueWord(value: unknown, exactNumber = false): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return exactNumber ? `number ${String(value)}` : 'number';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/** The full decode error for a value that does not fit the Go type of a field. */
export function unmarshalMessage(options: { value: unknown; struct: string; goPath: string; goType: string; exactNumber?: boolean }): string {
  const where = options.goPath ? `Go struct field ${options.struct}.${options.goPath}` : 'Go value';
  return `json: cannot unmarshal ${jsonValueWord(options.value, options.exactNumber)} into ${where} of type ${options.goType}`;
}

/** The message of the 400 BadRequest when a body cannot be decoded as its kind. */
export function cannotBeHandledMessage(kind: string, version: string, detail: string): string {
  return `${kind} in version "${version}" cannot be handled as a ${kind}: ${detail}`;
}

const QUANTITY_PATTERN = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_SUFFIXES = new Set(['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']);
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_PATTERN.source}'`;

/** Why a string is not a valid Quantity (resource.ParseQuantity's errors), or undefined if it is. */
export function quantityError(text: string): string | undefined {
  const match = QUANTITY_PATTERN.exec(text.trim());
  if (!match) return QUANTITY_FORMAT_ERROR;
  const numeric = match[1] ?? '';
  const suffix = match[2] ?? '';
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(numeric)) return 'unable to parse numeric part of quantity';
  if (!QUANTITY_SUFFIXES.has(suffix) && !/^[eE][-+]?\d+$/.test(suffix)) return "unable to parse quantity's suffix";
  return undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Why a string is not an RFC 3339 time (metav1.Time), or undefined if it is. */
export function timeError(text: string): string | undefined {
  if (text === '' || RFC3339.test(text)) return undefined;
  // Go reports the first layout element it could not match; for most bad input that is the year.
  return `parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(text)} as "2006"`;
}
