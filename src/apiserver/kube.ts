/**
 * Binds the API's type knowledge (schemas, defaulting, validation, selectors, patch engines,
 * table printers) into the hooks the generic registry and handlers call.
 */
import { errors, StatusError } from '../api/status.js';
import type { ResourceInfo } from '../api/resources.js';
import { groupVersion } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { applyDefaults } from '../api/defaults/index.js';
import { validateCreate, validateUpdate } from '../api/validation/index.js';
import { LabelSelectorError, parseLabelSelector } from '../api/labels.js';
import { parseFieldSelector } from '../api/fields.js';
import {
  cannotBeHandledMessage,
  findTypeErrors,
  formatFieldIssue,
  openapiV2Document,
  strictDecodingMessage,
  openapiV3Document,
  openapiV3Index,
  patchMetaFor,
  pruneUnknownFields,
  validateUnknownFields,
} from '../api/schema/index.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyServerSide,
  applyStrategicMergePatch,
  applyConflictError,
  isPatchError,
  recordUpdateManager,
} from './patch/index.js';
import { toTable } from './tables/index.js';
import { rfc3339, type Clock } from '../lib/clock.js';
import type { FieldValidation, SelectorParser, TypeHooks } from './hooks.js';
import type { Patcher, TableEncoder } from './resource-handler.js';

export const kubeTypeHooks: TypeHooks = {
  checkFields(info: ResourceInfo, obj: KubeObject, mode: FieldValidation) {
    const typeErrors = findTypeErrors(info.group, info.kind, obj);
    if (typeErrors[0]) throw errors.badRequest(cannotBeHandledMessage(info.kind, info.version, typeErrors[0].message));
    const issues = mode === 'Ignore' ? [] : validateUnknownFields(info.group, info.kind, obj);
    if (mode === 'Strict' && issues.length > 0) {
      throw errors.badRequest(cannotBeHandledMessage(info.kind, info.version, strictDecodingMessage(issues)));
    }
    return { object: pruneUnknownFields(info.group, info.kind, obj), warnings: issues.map(formatFieldIssue) };
  },
  applyDefaults: (info, obj) => applyDefaults(info.group, info.kind, obj),
  validateCreate: (info, obj) => validateCreate(info.group, info.kind, obj),
  validateUpdate: (info, obj, old) => validateUpdate(info.group, info.kind, obj, old),
  recordManager({ info, old, updated, manager, subresource }) {
    const recorded = recordUpdateManager({
      old,
      updated,
      manager,
      operation: 'Update',
      now: rfc3339(new Date()),
      apiVersion: groupVersion(info),
      lookup: patchMetaFor(info.group, info.kind),
      subresource,
    });
    if (recorded.metadata.managedFields) updated.metadata.managedFields = recorded.metadata.managedFields;
    else delete updated.metadata.managedFields;
  },
};

export const selectorParser: SelectorParser = (info, labelSelector, fieldSelector) => {
  let labels: ReturnType<typeof parseLabelSelector> | undefined;
  try {
    labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  } catch (err) {
    if (err instanceof LabelSelectorError) throw errors.badRequest(`Unable to find resources that match label selector "${labelSelector}": ${err.message}`);
    throw err;
  }
  let fields: ReturnType<typeof parseFieldSelector> | undefined;
  try {
    fields = fieldSelector ? parseFieldSelector(info.kind, fieldSelector) : undefined;
  } catch (err) {
    throw errors.badRequest(err instanceof Error ? err.message : String(err));
  }
  if (!labels && !fields) return () => true;
  return (obj) => (!labels || labels.matches(obj.metadata.labels ?? {})) && (!fields || fields.matches(obj));
};

function patchFailure(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (isPatchError(err)) return err.toStatusError();
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError(422, 'Invalid', message);
}

export const patcher: Patcher = {
  patch(type, info, current, patch) {
    try {
      if (type === 'json') return applyJsonPatch(current, patch) as KubeObject;
      if (type === 'merge') return applyMergePatch(current, patch) as KubeObject;
      return applyStrategicMergePatch(current, patch, patchMetaFor(info.group, info.kind)) as KubeObject;
    } catch (err) {
      throw patchFailure(err);
    }
  },
  apply({ info, live, applied, manager, force }) {
    const result = applyServerSide({
      live,
      applied,
      manager,
      force,
      lookup: patchMetaFor(info.group, info.kind),
      now: rfc3339(new Date()),
      apiVersion: groupVersion(info),
    });
    if (result.conflicts.length > 0) throw applyConflictError(result.conflicts);
    return result.object as KubeObject;
  },
};

export function tableEncoder(clock: Clock): TableEncoder {
  return (info, objs, options) => toTable(info.group, info.plural, objs, { ...options, now: clock.now() });
}

export const openapi = {
  v2: openapiV2Document,
  v3Index: openapiV3Index,
  v3Document: openapiV3Document,
};
