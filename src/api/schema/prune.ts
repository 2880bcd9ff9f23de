/**
 * Dropping unknown fields, as the API server does for `fieldValidation=Ignore` (the default
 * for clients other than kubectl) and after warning for `Warn`.
 */

import { isRecord } from '../types.js';
import type { ObjectDefinition, TypeRef } from './dsl.js';
import { kindDefinition, lookupDefinition } from './registry.js';

function pruneObject(def: ObjectDefinition, value: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    const field = def.fields[name];
    if (field) kept[name] = pruneValue(field.type, child);
  }
  return kept;
}

function pruneValue(type: TypeRef, value: unknown): unknown {
  switch (type.kind) {
    case 'list':
      return Array.isArray(value) ? value.map((item) => pruneValue(type.items, item)) : value;
    case 'map':
      return isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pruneValue(type.values, v)])) : value;
    case 'ref': {
      const def = lookupDefinition(type.name);
      return def?.kind === 'object' && isRecord(value) ? pruneObject(def, value) : value;
    }
    default:
      return value;
  }
}

/**
 * A copy of `obj` without the fields kind (group, kind) does not have. Values of the wrong
 * type are left alone (they are a decode error, not an unknown field). Objects of kinds
 * without a schema are returned unchanged.
 */
export function pruneUnknownFields<T>(group: string, kind: string, obj: T): T {
  const def = kindDefinition(group, kind);
  if (!def || !isRecord(obj)) return obj;
  return pruneObject(def, obj) as T;
}
