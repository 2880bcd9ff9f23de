/**
 * Field errors, as Kubernetes' validation reports them (apimachinery field.Error).
 * The `type` strings are the `reason` of a Status cause; `formatFieldError` gives the
 * message users see, e.g. `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`.
 */

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  /** The field path as Kubernetes writes it: `spec.ports[0].port`, `metadata.labels[app]`. */
  field: string;
  value?: unknown;
  detail?: string;
  /** For FieldValueNotSupported: the accepted values. */
  supported?: string[];
}

const typeWords: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

/** Renders a value the way Go's %#v / %d do in Kubernetes messages: strings quoted, numbers bare. */
export function formatFieldValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  // Go's %#v of a []string, which Kubernetes messages print for IP lists.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** The part of the message after the field path (used as a Status cause's message). */
export function formatFieldErrorBody(err: FieldError): string {
  const words = typeWords[err.type];
  const showsValue =
    err.type === 'FieldValueInvalid' ||
    err.type === 'FieldValueNotSupported' ||
    err.type === 'FieldValueDuplicate' ||
    err.type === 'FieldValueTypeInvalid';
  let body = words;
  if (showsValue && 'value' in err) body += `: ${formatFieldValue(err.value)}`;
  if (err.type === 'FieldValueNotSupported' && err.supported?.length) {
    body += `: supported values: ${err.supported.map((s) => JSON.stringify(s)).join(', ')}`;
  } else if (err.detail) {
    body += `: ${err.detail}`;
  }
  return body;
}

export function formatFieldError(err: FieldError): string {
  return err.field ? `${err.field}: ${formatFieldErrorBody(err)}` : formatFieldErrorBody(err);
}

export const fieldErrors = {
  required: (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    value,
    supported,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  tooLong: (field: string, value: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    value,
    detail: `may not be more than ${max} bytes`,
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field,
    value: actual,
    detail: `must have at most ${max} items`,
  }),
};

/** Builds child paths: `path('spec').child('ports').index(0).child('port').toString()`. */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name: string): FieldPath {
    return new FieldPath(name);
  }
  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}
