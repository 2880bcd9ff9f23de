/**
 * API errors as Kubernetes `Status` objects (apimachinery pkg/api/errors). Every error the
 * API server returns is one of these; clients read `reason` and `code`, users read `message`.
 */
import { type FieldError, formatFieldError, formatFieldErrorBody } from './field.js';

export type StatusReason =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'Timeout'
  | 'ServerTimeout'
  | 'InternalError'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

/** A Kubernetes API error. `toStatus()` is what goes on the wire. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

export function isStatusError(err: unknown, reason?: StatusReason): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}

/** Identifies the object an error is about: resource is the plural (`services`), group '' for core. */
export interface Target {
  group: string;
  resource: string;
  name: string;
}

function qualified(t: { group: string; resource: string }): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

export const errors = {
  notFound(t: Target): StatusError {
    return new StatusError(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, {
      name: t.name,
      group: t.group,
      kind: t.resource,
    });
  },
  alreadyExists(t: Target): StatusError {
    return new StatusError(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, {
      name: t.name,
      group: t.group,
      kind: t.resource,
    });
  },
  generateNameConflict(t: Target, retryAfterSeconds: number): StatusError {
    return new StatusError(
      409,
      'AlreadyExists',
      `${qualified(t)} "${t.name}" already exists, the server was not able to generate a unique name for the object`,
      { name: t.name, group: t.group, kind: t.resource, retryAfterSeconds },
    );
  },
  conflict(t: Target, detail: string): StatusError {
    return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${detail}`, {
      name: t.name,
      group: t.group,
      kind: t.resource,
    });
  },
  staleResourceVersion(t: Target): StatusError {
    return errors.conflict(
      t,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  /** Invalid (422): `Service "x" is invalid: spec.ports[0].port: Invalid value: ...`. kind is the Kind (`Service`). */
  invalid(kind: string, group: string, name: string, fieldErrors: FieldError[]): StatusError {
    const texts = fieldErrors.map(formatFieldError);
    const joined = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${joined}`, {
      name,
      group,
      kind,
      causes: fieldErrors.map((e) => ({ reason: e.type, message: formatFieldErrorBody(e), field: e.field })),
    });
  },
  badRequest(message: string): StatusError {
    return new StatusError(400, 'BadRequest', message);
  },
  gone(message: string): StatusError {
    return new StatusError(410, 'Expired', message);
  },
  tooOldResourceVersion(requested: number, oldest: number): StatusError {
    return new StatusError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
  },
  methodNotAllowed(verb: string, t: { group: string; resource: string }): StatusError {
    return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(t)}"`);
  },
  notAcceptable(message: string): StatusError {
    return new StatusError(406, 'NotAcceptable', message);
  },
  unsupportedMediaType(contentType: string): StatusError {
    return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType})`);
  },
  tooLarge(limitBytes: number): StatusError {
    return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);
  },
  unauthorized(): StatusError {
    return new StatusError(401, 'Unauthorized', 'Unauthorized');
  },
  forbidden(t: Target, detail: string): StatusError {
    return new StatusError(403, 'Forbidden', `${qualified(t)} "${t.name}" is forbidden: ${detail}`, {
      name: t.name,
      group: t.group,
      kind: t.resource,
    });
  },
  internal(message: string): StatusError {
    return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    });
  },
  timeout(message: string, retryAfterSeconds = 1): StatusError {
    return new StatusError(504, 'Timeout', message, { retryAfterSeconds });
  },
  serviceUnavailable(message: string): StatusError {
    return new StatusError(503, 'ServiceUnavailable', message);
  },
};
