/**
 * The patch engines of the API server: pure functions over plain JSON, no I/O. The API server
 * picks one by Content-Type and passes field metadata in as a `PatchMetaLookup`.
 */
export { applyJsonPatch } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic.js';
export {
  applyServerSide,
  recordUpdateManager,
  beforeFirstApplyManager,
  type ApplyOptions,
  type ApplyResult,
  type UpdateRecordOptions,
} from './apply.js';
export { formatApplyConflicts, applyConflictError, describeManager } from './conflicts.js';
export { PatchError, isPatchError, genericInvalidMessage, type PatchErrorKind } from './errors.js';
export { FieldSet, formatFieldPath } from './fieldset.js';
export type { PatchMeta, PatchMetaLookup, ApplyConflict, JsonObject } from './types.js';
