/**
 * The declarative shape of Kubernetes' protobuf messages: for each message, field number
 * -> JSON name, kind and Go-side presence. Tables live in the `*-messages.ts` files.
 *
 * Presence mirrors what Go's encoding/json would write for the same object, because that
 * is what a JSON client sends. gogo-protobuf writes every non-pointer field, zero or not,
 * so wire presence alone cannot say whether a field belongs in the JSON:
 * - `omitempty` (default): a Go value field tagged omitempty; zero scalars are dropped.
 *   Value structs are never dropped (encoding/json does not omit structs).
 * - `pointer`: a Go pointer field; written exactly when it is on the wire, even if zero.
 * - `always`: a Go value field without omitempty; written even when zero or absent.
 */

export type Presence = 'omitempty' | 'pointer' | 'always';

export type ScalarKind = 'string' | 'int32' | 'int64' | 'bool' | 'double' | 'bytes';

/** Message types with their own JSON form (metav1.Time, intstr.IntOrString, ...). */
export type SpecialKind =
  | 'Time'
  | 'MicroTime'
  | 'Duration'
  | 'IntOrString'
  | 'Quantity'
  | 'FieldsV1'
  | 'RawExtension';

export type ValueKind = ScalarKind | SpecialKind | { message: string };

export interface FieldDescriptor {
  name: string;
  kind: ValueKind;
  presence: Presence;
  repeated?: boolean;
  /** map<string, V>: the wire holds repeated {1: key, 2: value} entries. */
  map?: boolean;
  /** Go's `json:",inline"` embedding: the sub-message's fields merge into this object. */
  inline?: boolean;
}

export type MessageDescriptor = Readonly<Record<number, FieldDescriptor>>;
export type MessageTable = Readonly<Record<string, MessageDescriptor>>;

const specialKinds: ReadonlySet<string> = new Set<SpecialKind>([
  'Time',
  'MicroTime',
  'Duration',
  'IntOrString',
  'Quantity',
  'FieldsV1',
  'RawExtension',
]);

export function isSpecialKind(kind: ValueKind | string): kind is SpecialKind {
  return typeof kind === 'string' && specialKinds.has(kind);
}

// Short constructors keep the tables one line per field, close to generated.proto.

export const ptr = 'pointer' as const;
export const always = 'always' as const;

type Field = FieldDescriptor;

/** A scalar, a special type, or a message name such as 'core.PodSpec'. */
type TypeRef = ScalarKind | SpecialKind | (string & {});

export const str = (name: string, presence: Presence = 'omitempty'): Field => ({ name, kind: 'string', presence });
export const i32 = (name: string, presence: Presence = 'omitempty'): Field => ({ name, kind: 'int32', presence });
export const i64 = (name: string, presence: Presence = 'omitempty'): Field => ({ name, kind: 'int64', presence });
export const bool = (name: string, presence: Presence = 'omitempty'): Field => ({ name, kind: 'bool', presence });
export const bytes = (name: string, presence: Presence = 'omitempty'): Field => ({ name, kind: 'bytes', presence });

/** A single embedded message or special type; value structs unless `ptr` is given. */
export const one = (name: string, kind: TypeRef, presence: Presence = 'omitempty'): Field => ({
  name,
  kind: toValueKind(kind),
  presence,
});

export const list = (name: string, kind: TypeRef): Field => ({
  ...one(name, kind),
  repeated: true,
});

export const map = (name: string, valueKind: TypeRef = 'string'): Field => ({
  ...one(name, valueKind),
  map: true,
});

export const inline = (kind: string): Field => ({ name: '', kind: { message: kind }, presence: 'omitempty', inline: true });

function toValueKind(kind: TypeRef): ValueKind {
  if (isScalar(kind) || isSpecialKind(kind)) return kind;
  return { message: kind };
}

function isScalar(kind: string): kind is ScalarKind {
  return ['string', 'int32', 'int64', 'bool', 'double', 'bytes'].includes(kind);
}
