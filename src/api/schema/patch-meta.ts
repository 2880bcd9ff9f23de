/**
 * Strategic-merge-patch metadata by field path, from the schemas' copy of Kubernetes' struct
 * tags (`patchStrategy`, `patchMergeKey`, `listType`, `listMapKeys`, `mapType`).
 */

import type { FieldSchema, ObjectDefinition, TypeRef } from './dsl.js';
import { kindDefinition, lookupDefinition } from './registry.js';

export interface PatchMeta {
  strategy?: string;
  mergeKey?: string;
  listType?: string;
  listMapKeys?: string[];
  /** `atomic` for maps and structs that are replaced whole. */
  mapType?: string;
}

/** The object definition values of this type hold, looking through lists and maps. */
function objectBehind(type: TypeRef): ObjectDefinition | undefined {
  if (type.kind === 'list') return objectBehind(type.items);
  if (type.kind === 'map') return objectBehind(type.values);
  if (type.kind !== 'ref') return undefined;
  const def = lookupDefinition(type.name);
  return def?.kind === 'object' ? def : undefined;
}

function metaOf(field: FieldSchema): PatchMeta {
  const meta: PatchMeta = {};
  if (field.patchStrategy) meta.strategy = field.patchStrategy;
  if (field.mergeKey) meta.mergeKey = field.mergeKey;
  if (field.listType) meta.listType = field.listType;
  if (field.listMapKeys) meta.listMapKeys = [...field.listMapKeys];
  const mapType = field.mapType ?? (field.type.kind === 'ref' && objectBehind(field.type)?.atomic ? 'atomic' : undefined);
  if (mapType) meta.mapType = mapType;
  return meta;
}

/**
 * A lookup of patch metadata for kind (group, kind). The path is field names from the object
 * root with list indexes and map keys dropped, e.g. ['spec', 'template', 'spec', 'containers', 'env'].
 * Answers undefined for paths the schema does not know (including inside free-form subtrees),
 * and `{}` for known fields without patch metadata.
 */
export function patchMetaFor(group: string, kind: string): (path: string[]) => PatchMeta | undefined {
  const root = kindDefinition(group, kind);
  return (path) => {
    let def: ObjectDefinition | undefined = root;
    let field: FieldSchema | undefined;
    for (const name of path) {
      if (!def) return undefined;
      field = def.fields[name];
      if (!field) return undefined;
      def = objectBehind(field.type);
    }
    return field ? metaOf(field) : undefined;
  };
}
