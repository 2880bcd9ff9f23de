/**
 * Rendering definitions as OpenAPI schemas, in the two dialects Kubernetes serves:
 * swagger 2.0 (`/openapi/v2`, `#/definitions/...`) and OpenAPI 3.0 (`/openapi/v3`,
 * `#/components/schemas/...`, references wrapped in `allOf` so a description can sit beside them).
 */

import type { Definition, FieldSchema, ObjectDefinition, TypeRef } from './dsl.js';
import { requiredFields } from './dsl.js';

export type Dialect = 'v2' | 'v3';
export type JsonObject = Record<string, unknown>;

export function refTo(name: string, dialect: Dialect): JsonObject {
  return { $ref: dialect === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}` };
}

function freeObject(dialect: Dialect): JsonObject {
  // v2 consumers (kubectl's client-side validation) treat an object without properties as a
  // struct with no fields; an open additionalProperties makes it accept anything instead.
  const open = dialect === 'v2' ? { additionalProperties: {} } : {};
  return { type: 'object', ...open, 'x-kubernetes-preserve-unknown-fields': true };
}

export function renderType(type: TypeRef, dialect: Dialect): JsonObject {
  switch (type.kind) {
    case 'string':
      return type.format ? { type: 'string', format: type.format } : { type: 'string' };
    case 'integer':
      return { type: 'integer', format: type.format };
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      return { type: 'number', format: 'double' };
    case 'ref':
      return refTo(type.name, dialect);
    case 'list':
      return { type: 'array', items: renderType(type.items, dialect) };
    case 'map':
      return { type: 'object', additionalProperties: renderType(type.values, dialect) };
    case 'free':
      return freeObject(dialect);
  }
}

function patchExtensions(field: FieldSchema): JsonObject {
  const ext: JsonObject = {};
  if (field.listType) ext['x-kubernetes-list-type'] = field.listType;
  if (field.listMapKeys) ext['x-kubernetes-list-map-keys'] = [...field.listMapKeys];
  if (field.mapType) ext['x-kubernetes-map-type'] = field.mapType;
  if (field.mergeKey) ext['x-kubernetes-patch-merge-key'] = field.mergeKey;
  if (field.patchStrategy) ext['x-kubernetes-patch-strategy'] = field.patchStrategy;
  return ext;
}

export function renderField(field: FieldSchema, dialect: Dialect): JsonObject {
  const rendered = renderType(field.type, dialect);
  const typed = field.type.kind === 'ref' && dialect === 'v3' ? { allOf: [rendered] } : rendered;
  return { ...typed, description: field.description, ...patchExtensions(field) };
}

function renderObject(def: ObjectDefinition, dialect: Dialect): JsonObject {
  const properties = Object.fromEntries(Object.entries(def.fields).map(([name, f]) => [name, renderField(f, dialect)]));
  const schema: JsonObject = { description: def.description, type: 'object', properties };
  const required = requiredFields(def);
  if (required.length > 0) schema.required = required;
  if (def.atomic) schema['x-kubernetes-map-type'] = 'atomic';
  if (def.gvk) schema['x-kubernetes-group-version-kind'] = [{ group: def.gvk.group, kind: def.gvk.kind, version: def.gvk.version }];
  return schema;
}

export function renderDefinition(def: Definition, dialect: Dialect): JsonObject {
  if (def.kind === 'object') return renderObject(def, dialect);
  switch (def.check) {
    // v3 spells the two alternatives out (as Kubernetes does); v2 has no oneOf.
    case 'int-or-string':
      return dialect === 'v3'
        ? { description: def.description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] }
        : { description: def.description, type: 'string', format: 'int-or-string' };
    case 'quantity':
      return dialect === 'v3'
        ? { description: def.description, oneOf: [{ type: 'string' }, { type: 'number' }] }
        : { description: def.description, type: 'string' };
    case 'date-time':
      return { description: def.description, type: 'string', format: 'date-time' };
    case 'object':
      return { description: def.description, type: 'object' };
  }
}
