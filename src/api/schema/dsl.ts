/**
 * A small language for declaring Switchboard's type schemas: named object definitions with
 * typed fields, short descriptions (shown by `kubectl explain`) and the patch metadata that
 * Kubernetes keeps in its Go struct tags. Everything else (OpenAPI documents, strict field
 * validation, strategic-merge-patch metadata) is generated from these declarations.
 */

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
export type ListType = 'atomic' | 'set' | 'map';
export type MapType = 'atomic' | 'granular';

/** The type of a field, or of a list item / map value. */
export type TypeRef =
  | { kind: 'string'; format?: 'byte' }
  | { kind: 'integer'; format: 'int32' | 'int64' }
  | { kind: 'boolean' }
  | { kind: 'number' }
  /** A named definition: an object, or a named scalar such as Quantity or Time. */
  | { kind: 'ref'; name: string }
  | { kind: 'map'; values: TypeRef }
  | { kind: 'list'; items: TypeRef }
  /** Any JSON object; its fields are not checked and always kept. */
  | { kind: 'free' };

export interface FieldSchema {
  type: TypeRef;
  description: string;
  required?: boolean;
  patchStrategy?: PatchStrategy;
  mergeKey?: string;
  listType?: ListType;
  listMapKeys?: string[];
  mapType?: MapType;
  /** The Go type name used in decode errors when the field has a named Go type (`v1.Protocol`). */
  goType?: string;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface ObjectDefinition {
  kind: 'object';
  name: string;
  description: string;
  fields: Record<string, FieldSchema>;
  /** Set for `+structType=atomic` types: the whole object is replaced, never merged. */
  atomic?: boolean;
  /** Set on top-level kinds. */
  gvk?: GroupVersionKind;
}

/**
 * A named type that is not an object with fields: how a value is checked.
 * `object` accepts any JSON object (FieldsV1, RawExtension).
 */
export type ScalarCheck = 'int-or-string' | 'quantity' | 'date-time' | 'object';

export interface ScalarDefinition {
  kind: 'scalar';
  name: string;
  description: string;
  check: ScalarCheck;
  /** Go type name used in decode errors (`intstr.IntOrString`). */
  goType: string;
}

export type Definition = ObjectDefinition | ScalarDefinition;

// Definition name prefixes, as Kubernetes names its OpenAPI definitions.
export const coreV1 = (name: string): string => `io.k8s.api.core.v1.${name}`;
export const appsV1 = (name: string): string => `io.k8s.api.apps.v1.${name}`;
export const batchV1 = (name: string): string => `io.k8s.api.batch.v1.${name}`;
export const discoveryV1 = (name: string): string => `io.k8s.api.discovery.v1.${name}`;
export const coordinationV1 = (name: string): string => `io.k8s.api.coordination.v1.${name}`;
export const autoscalingV1 = (name: string): string => `io.k8s.api.autoscaling.v1.${name}`;
export const metaV1 = (name: string): string => `io.k8s.apimachinery.pkg.apis.meta.v1.${name}`;

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = metaV1('Time');
export const MICRO_TIME = metaV1('MicroTime');
export const OBJECT_META = metaV1('ObjectMeta');
export const LIST_META = metaV1('ListMeta');
export const LABEL_SELECTOR = metaV1('LabelSelector');
export const CONDITION = metaV1('Condition');

/** Types for list items and map values. */
export const t = {
  string: { kind: 'string' } as TypeRef,
  bytes: { kind: 'string', format: 'byte' } as TypeRef,
  int32: { kind: 'integer', format: 'int32' } as TypeRef,
  int64: { kind: 'integer', format: 'int64' } as TypeRef,
  boolean: { kind: 'boolean' } as TypeRef,
  number: { kind: 'number' } as TypeRef,
  quantity: { kind: 'ref', name: QUANTITY } as TypeRef,
  free: { kind: 'free' } as TypeRef,
  ref: (name: string): TypeRef => ({ kind: 'ref', name }),
  map: (values: TypeRef): TypeRef => ({ kind: 'map', values }),
  list: (items: TypeRef): TypeRef => ({ kind: 'list', items }),
};

type FieldOptions = Omit<FieldSchema, 'type' | 'description'>;

export function field(type: TypeRef, description: string, options: FieldOptions = {}): FieldSchema {
  return { type, description, ...options };
}

export const str = (d: string, o?: FieldOptions): FieldSchema => field(t.string, d, o);
export const int32 = (d: string, o?: FieldOptions): FieldSchema => field(t.int32, d, o);
export const int64 = (d: string, o?: FieldOptions): FieldSchema => field(t.int64, d, o);
export const bool = (d: string, o?: FieldOptions): FieldSchema => field(t.boolean, d, o);
export const num = (d: string, o?: FieldOptions): FieldSchema => field(t.number, d, o);
export const time = (d: string, o?: FieldOptions): FieldSchema => field(t.ref(TIME), d, o);
export const microTime = (d: string, o?: FieldOptions): FieldSchema => field(t.ref(MICRO_TIME), d, o);
export const intOrString = (d: string, o?: FieldOptions): FieldSchema => field(t.ref(INT_OR_STRING), d, o);
export const quantity = (d: string, o?: FieldOptions): FieldSchema => field(t.quantity, d, o);
export const ref = (name: string, d: string, o?: FieldOptions): FieldSchema => field(t.ref(name), d, o);
/** A free-form object for subtrees Switchboard does not model; unknown fields are kept. */
export const free = (d: string, o?: FieldOptions): FieldSchema => field(t.free, d, o);
export const stringMap = (d: string, o?: FieldOptions): FieldSchema => field(t.map(t.string), d, o);
export const quantityMap = (d: string, o?: FieldOptions): FieldSchema => field(t.map(t.quantity), d, o);
export const mapOf = (values: TypeRef, d: string, o?: FieldOptions): FieldSchema => field(t.map(values), d, o);
export const listOf = (items: TypeRef, d: string, o?: FieldOptions): FieldSchema => field(t.list(items), d, o);
/** A list of strings replaced as a whole (`+listType=atomic`), the common case. */
export const strings = (d: string, o?: FieldOptions): FieldSchema => field(t.list(t.string), d, { listType: 'atomic', ...o });

/** A list merged by key: `patchStrategy:"merge" patchMergeKey:"<key>"`, list-map keyed the same way. */
export function mergeList(items: string, mergeKey: string, d: string, listMapKeys: string[] = [mergeKey]): FieldSchema {
  return field(t.list(t.ref(items)), d, { patchStrategy: 'merge', mergeKey, listType: 'map', listMapKeys });
}

/** A list replaced as a whole. */
export function atomicList(items: TypeRef | string, d: string, o?: FieldOptions): FieldSchema {
  const type = typeof items === 'string' ? t.ref(items) : items;
  return field(t.list(type), d, { listType: 'atomic', ...o });
}

export function object(
  name: string,
  description: string,
  fields: Record<string, FieldSchema>,
  options: { atomic?: boolean; gvk?: GroupVersionKind } = {},
): ObjectDefinition {
  return { kind: 'object', name, description, fields, ...options };
}

export function scalar(name: string, description: string, check: ScalarCheck, goType: string): ScalarDefinition {
  return { kind: 'scalar', name, description, check, goType };
}

/** The standard `apiVersion`, `kind` and `metadata` of a top-level object. */
export function typeMeta(): Record<string, FieldSchema> {
  return {
    apiVersion: str('The versioned schema of this object, e.g. `v1` or `apps/v1`.'),
    kind: str('The type of this object, in CamelCase.'),
    metadata: ref(OBJECT_META, "The object's name, namespace, labels, annotations and other metadata."),
  };
}

/** A top-level kind: type meta plus the given fields. */
export function kindObject(
  gvk: GroupVersionKind,
  name: string,
  description: string,
  fields: Record<string, FieldSchema>,
): ObjectDefinition {
  return object(name, description, { ...typeMeta(), ...fields }, { gvk });
}

/** Names of the required fields of an object definition, in declaration order. */
export function requiredFields(def: ObjectDefinition): string[] {
  return Object.entries(def.fields)
    .filter(([, f]) => f.required)
    .map(([n]) => n);
}
