/**
 * Switchboard's type schemas and what is generated from them: OpenAPI v2/v3 documents,
 * strict field validation, pruning, and strategic-merge-patch metadata.
 */

export type {
  Definition,
  FieldSchema,
  GroupVersionKind,
  ListType,
  MapType,
  ObjectDefinition,
  PatchStrategy,
  ScalarDefinition,
  TypeRef,
} from './dsl.js';
export { definitions, kindDefinition, lookupDefinition, servedKinds } from './registry.js';
export { type FieldIssue, type TypeIssue, findTypeErrors, formatFieldIssue, strictDecodingMessage, validateUnknownFields } from './validate.js';
export { findDuplicateFields, orderFieldIssues } from './duplicates.js';
export { pruneUnknownFields } from './prune.js';
export { type PatchMeta, patchMetaFor } from './patch-meta.js';
export { cannotBeHandledMessage } from './go-types.js';
export { openapiV3Document, openapiV3Hash, openapiV3Index } from './openapi-v3.js';
export { openapiV2Document } from './openapi-v2.js';
export { groupVersionPaths } from './openapi-paths.js';
