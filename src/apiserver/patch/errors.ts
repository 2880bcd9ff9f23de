/**
 * Errors from applying a patch. Kubernetes answers malformed patches with 400 BadRequest and
 * patches that do not fit the object (a failed JSON-patch `test`, a missing path) with 422
 * Invalid whose message is the generic "the server rejected our request due to an error in
 * our request" and whose single cause carries the engine's own words (apiserver
 * handlers/patch.go via NewGenericServerResponse). kubectl prints the generic message.
 */
import { StatusError } from '../../api/status.js';

export type PatchErrorKind = 'BadRequest' | 'Invalid';

export const genericInvalidMessage = 'the server rejected our request due to an error in our request';

export class PatchError extends Error {
  constructor(
    readonly kind: PatchErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }

  get code(): 400 | 422 {
    return this.kind === 'BadRequest' ? 400 : 422;
  }

  /** The Status the API server returns for this error. */
  toStatusError(): StatusError {
    if (this.kind === 'BadRequest') return new StatusError(400, 'BadRequest', this.message);
    return new StatusError(422, 'Invalid', genericInvalidMessage, {
      causes: [{ reason: 'UnexpectedServerResponse', message: this.message }],
    });
  }
}

export function badRequest(message: string): PatchError {
  return new PatchError('BadRequest', message);
}

export function unprocessable(message: string): PatchError {
  return new PatchError('Invalid', message);
}

export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}

/** Messages of apimachinery's mergepatch package, kept word for word because clients match them. */
export const mergePatchMessages = {
  badJsonDoc: 'invalid JSON document',
  noListOfLists: 'lists of lists are not supported',
  badPrimitiveList: 'invalid patch format of primitive list',
  badRetainKeys: 'invalid patch format of retainKeys',
  badSetElementOrder: 'invalid patch format of setElementOrder list',
  retainKeysMismatch: "patch content doesn't match retainKeys list",
} as const;
