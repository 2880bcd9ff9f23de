/**
 * RFC 6902 JSON patch (`application/json-patch+json`, `kubectl patch --type=json`) on top of
 * fast-json-patch. Every operation is validated against the document as it stands when the
 * operation runs, so a `remove` of a missing path fails instead of passing silently.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest, unprocessable, type PatchError } from './errors.js';
import { isRecord } from './json.js';

/** Shape errors mean the body is not a patch at all: 400. Everything else did not fit the object: 422. */
const shapeErrors = new Set(['SEQUENCE_NOT_AN_ARRAY', 'OPERATION_NOT_AN_OBJECT']);

/** Applies the operations to a copy of `obj`; the input is never changed. */
export function applyJsonPatch(obj: unknown, patchOps: unknown): unknown {
  if (!Array.isArray(patchOps)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return jsonpatch.applyPatch(obj, patchOps as Operation[], true, false).newDocument;
  } catch (err) {
    throw toPatchError(err);
  }
}

function toPatchError(err: unknown): PatchError | unknown {
  if (!(err instanceof jsonpatch.JsonPatchError)) return err;
  const op = describeOperation(err.operation);
  if (shapeErrors.has(err.name)) return badRequest(`invalid JSON patch: ${err.message}`);
  return unprocessable(messageFor(err.name, op, err.message));
}

interface OperationFacts {
  op: string;
  path: string;
  from: string;
}

function describeOperation(operation: unknown): OperationFacts {
  if (!isRecord(operation)) return { op: '', path: '', from: '' };
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { op: text(operation.op), path: text(operation.path), from: text(operation.from) };
}

/** Words close to evanphx/json-patch's, which is what Kubernetes users see in the Status cause. */
function messageFor(name: string, { op, path, from }: OperationFacts, fallback: string): string {
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
      return `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op} operation does not apply: doc is missing from path: ${JSON.stringify(from)}: missing value`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `${op} operation does not apply: invalid index in path ${JSON.stringify(path)}`;
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${op}`;
    default:
      return `${op} operation does not apply: ${fallback}`;
  }
}
