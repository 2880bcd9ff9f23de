/**
 * Field selectors (`fieldSelector` query parameter, `kubectl --field-selector`): parsing,
 * the fields each kind lets you select on, and matching. Only `=`, `==` and `!=` exist.
 * The supported fields and the error texts follow the conversion functions registered
 * upstream (pkg/apis/core/v1/conversion.go, batch/v1); kinds without one accept only
 * metadata.name and metadata.namespace.
 */
import { isRecord } from './types.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

export interface FieldSelector {
  matches(obj: unknown): boolean;
  toString(): string;
  isEmpty(): boolean;
  readonly requirements: readonly FieldRequirement[];
}

/** `reason` tells a syntax error from a field the kind cannot select on; both are 400s. */
export class FieldSelectorError extends Error {
  constructor(
    readonly reason: 'Invalid' | 'UnsupportedField',
    message: string,
  ) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

type Getter = (obj: Record<string, unknown>) => string;

function path(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined;
  return cur;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

const at =
  (...keys: string[]): Getter =>
  (o) =>
    text(path(o, ...keys));
const bool =
  (...keys: string[]): Getter =>
  (o) =>
    String(path(o, ...keys) === true);
const count =
  (...keys: string[]): Getter =>
  (o) =>
    String(typeof path(o, ...keys) === 'number' ? path(o, ...keys) : 0);

const objectMeta: Record<string, Getter> = {
  'metadata.name': at('metadata', 'name'),
  'metadata.namespace': at('metadata', 'namespace'),
};

function firstPodIP(o: Record<string, unknown>): string {
  const ips = path(o, 'status', 'podIPs');
  const first = Array.isArray(ips) ? text(path(ips[0], 'ip')) : '';
  return first || text(path(o, 'status', 'podIP'));
}

interface KindFields {
  fields: Record<string, Getter>;
  /** Old names kept by upstream for compatibility. */
  aliases?: Record<string, string>;
  unsupported: (field: string) => string;
}

const coreUnsupported = (field: string): string => `field label not supported: ${field}`;

const kinds: Record<string, KindFields> = {
  Pod: {
    fields: {
      ...objectMeta,
      'spec.nodeName': at('spec', 'nodeName'),
      'spec.restartPolicy': at('spec', 'restartPolicy'),
      'spec.schedulerName': at('spec', 'schedulerName'),
      'spec.serviceAccountName': at('spec', 'serviceAccountName'),
      'spec.hostNetwork': bool('spec', 'hostNetwork'),
      'status.phase': at('status', 'phase'),
      'status.podIP': firstPodIP,
      'status.podIPs': firstPodIP,
      'status.nominatedNodeName': at('status', 'nominatedNodeName'),
    },
    aliases: { 'spec.host': 'spec.nodeName' },
    unsupported: coreUnsupported,
  },
  Node: {
    fields: { 'metadata.name': at('metadata', 'name'), 'spec.unschedulable': bool('spec', 'unschedulable') },
    unsupported: coreUnsupported,
  },
  ReplicationController: {
    fields: { ...objectMeta, 'status.replicas': count('status', 'replicas') },
    unsupported: coreUnsupported,
  },
  Event: {
    fields: {
      ...objectMeta,
      'involvedObject.kind': at('involvedObject', 'kind'),
      'involvedObject.namespace': at('involvedObject', 'namespace'),
      'involvedObject.name': at('involvedObject', 'name'),
      'involvedObject.uid': at('involvedObject', 'uid'),
      'involvedObject.apiVersion': at('involvedObject', 'apiVersion'),
      'involvedObject.resourceVersion': at('involvedObject', 'resourceVersion'),
      'involvedObject.fieldPath': at('involvedObject', 'fieldPath'),
      reason: at('reason'),
      reportingComponent: at('reportingComponent'),
      source: at('source', 'component'),
      type: at('type'),
    },
    unsupported: coreUnsupported,
  },
  Namespace: {
    fields: { 'metadata.name': at('metadata', 'name'), 'status.phase': at('status', 'phase') },
    unsupported: coreUnsupported,
  },
  Secret: { fields: { ...objectMeta, type: at('type') }, unsupported: coreUnsupported },
  Service: {
    fields: { ...objectMeta, 'spec.clusterIP': at('spec', 'clusterIP'), 'spec.type': at('spec', 'type') },
    unsupported: coreUnsupported,
  },
  Job: {
    fields: { ...objectMeta, 'status.successful': count('status', 'succeeded') },
    unsupported: (field) => `field label ${JSON.stringify(field)} not supported for batchv1.Job`,
  },
};

const defaultKind: KindFields = {
  fields: objectMeta,
  unsupported: (field) => `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

function kindFields(kind: string): KindFields {
  return kinds[kind] ?? defaultKind;
}

/** The selectable field names for a kind (for documentation and `why`). */
export function selectableFields(kind: string): string[] {
  return Object.keys(kindFields(kind).fields);
}

/** The value a field selector compares against, or undefined if the kind cannot select on it. */
export function fieldValue(kind: string, obj: unknown, field: string): string | undefined {
  const k = kindFields(kind);
  const getter = k.fields[k.aliases?.[field] ?? field];
  if (!getter) return undefined;
  return getter(isRecord(obj) ? obj : {});
}

// ---- syntax -------------------------------------------------------------------------

/** Splits on commas that are not escaped with a backslash. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] ?? '';
    if (c === '\\' && i + 1 < input.length) {
      current += c + (input[i + 1] ?? '');
      i++;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms;
}

function unescapeValue(value: string, selector: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\') {
      const next = value[i + 1];
      if (next !== '\\' && next !== ',' && next !== '=') {
        throw new FieldSelectorError('Invalid', `invalid field selector: '${selector}': invalid escape sequence`);
      }
      out += next;
      i++;
    } else if (c === ',' || c === '=') {
      throw new FieldSelectorError('Invalid', `invalid field selector: '${selector}': unescaped ${c}`);
    } else {
      out += c;
    }
  }
  return out;
}

const operators: FieldOperator[] = ['!=', '==', '='];

function parseTerm(term: string, selector: string): FieldRequirement {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    const operator = operators.find((op) => term.startsWith(op, i));
    if (!operator) continue;
    const field = term.slice(0, i).trim();
    const value = unescapeValue(term.slice(i + operator.length), selector);
    return { field, operator, value };
  }
  throw new FieldSelectorError('Invalid', `invalid selector: '${selector}'; can't understand '${term}'`);
}

function requirementString(r: FieldRequirement): string {
  const escaped = r.value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
  return `${r.field}${r.operator}${escaped}`;
}

/**
 * Parses `metadata.name=x,spec.nodeName!=y` for a kind. Throws FieldSelectorError with
 * reason 'Invalid' for bad syntax and 'UnsupportedField' for a field the kind lacks.
 */
export function parseFieldSelector(kind: string, selectorText: string): FieldSelector {
  const k = kindFields(kind);
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(selectorText)) {
    if (term.trim() === '') continue;
    const r = parseTerm(term, selectorText);
    const field = k.aliases?.[r.field] ?? r.field;
    if (!k.fields[field]) throw new FieldSelectorError('UnsupportedField', k.unsupported(r.field));
    requirements.push({ ...r, field });
  }
  return {
    requirements,
    isEmpty: () => requirements.length === 0,
    toString: () => requirements.map(requirementString).join(','),
    matches: (obj) =>
      requirements.every((r) => {
        const actual = fieldValue(kind, obj, r.field) ?? '';
        return r.operator === '!=' ? actual !== r.value : actual === r.value;
      }),
  };
}
