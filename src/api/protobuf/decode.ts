/**
 * Turns one protobuf message into the JSON object Go's encoding/json would write for the
 * same Go value, driven by a MessageTable. Unknown field numbers are skipped, as a Go
 * server skips them.
 */

import { ProtobufDecodeError } from './errors.js';
import { isSpecialKind, type FieldDescriptor, type MessageTable, type ValueKind } from './schema.js';
import { decodeSpecial } from './special.js';
import { readFields, readPackedVarints, type WireValue } from './wire.js';

const empty = Buffer.alloc(0);

export function decodeMessage(table: MessageTable, type: string, bytes: Buffer): Record<string, unknown> {
  const descriptor = table[type];
  if (!descriptor) throw new ProtobufDecodeError('UnsupportedKind', `no protobuf schema for message ${type}`);
  const fields = readFields(bytes);
  const object: Record<string, unknown> = {};
  for (const [number, field] of Object.entries(descriptor)) {
    const occurrences = fields.get(Number(number)) ?? [];
    if (field.inline) {
      Object.assign(object, decodeInline(table, field, occurrences));
      continue;
    }
    const value = decodeField(table, field, occurrences);
    if (value !== undefined) object[field.name] = value;
  }
  return object;
}

function decodeInline(table: MessageTable, field: FieldDescriptor, occurrences: WireValue[]): Record<string, unknown> {
  const last = occurrences.at(-1);
  return decodeMessage(table, messageType(field.kind), last ? lengthDelimited(last, field) : empty);
}

/** Returns undefined when Go's encoding/json would leave the field out. */
function decodeField(table: MessageTable, field: FieldDescriptor, occurrences: WireValue[]): unknown {
  if (field.map) return occurrences.length === 0 ? undefined : decodeMap(table, field, occurrences);
  if (field.repeated) return occurrences.length === 0 ? undefined : decodeList(table, field, occurrences);
  const last = occurrences.at(-1);
  if (last === undefined) return absentValue(table, field);
  const value = decodeValue(table, field, last);
  if (field.presence === 'omitempty' && isScalarKind(field.kind) && isZero(value)) return undefined;
  return value;
}

/** A field missing from the wire: Go still writes value structs and non-omitempty scalars. */
function absentValue(table: MessageTable, field: FieldDescriptor): unknown {
  if (field.presence === 'pointer') return undefined;
  if (!isScalarKind(field.kind)) return decodeKind(table, field.kind, empty);
  if (field.presence === 'omitempty') return undefined;
  return zeroScalar(field.kind);
}

function decodeList(table: MessageTable, field: FieldDescriptor, occurrences: WireValue[]): unknown[] {
  const values: unknown[] = [];
  for (const occurrence of occurrences) {
    if (occurrence.wireType === 2 && isVarintKind(field.kind)) {
      for (const packed of readPackedVarints(occurrence.value)) values.push(varintToJson(field.kind, packed));
    } else {
      values.push(decodeValue(table, field, occurrence));
    }
  }
  return values;
}

function decodeMap(table: MessageTable, field: FieldDescriptor, occurrences: WireValue[]): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  const keyField: FieldDescriptor = { name: 'key', kind: 'string', presence: 'always' };
  for (const occurrence of occurrences) {
    const entry = readFields(lengthDelimited(occurrence, field));
    const key = entry.get(1)?.at(-1);
    const value = entry.get(2)?.at(-1);
    const name = key ? String(decodeValue(table, keyField, key)) : '';
    entries[name] = value ? decodeValue(table, field, value) : mapZero(table, field.kind);
  }
  return entries;
}

function mapZero(table: MessageTable, kind: ValueKind): unknown {
  return isScalarKind(kind) ? zeroScalar(kind) : decodeKind(table, kind, empty);
}

function decodeValue(table: MessageTable, field: FieldDescriptor, wire: WireValue): unknown {
  const kind = field.kind;
  if (isVarintKind(kind)) {
    if (wire.wireType !== 0) throw wrongWireType(field, wire);
    return varintToJson(kind, wire.value);
  }
  if (kind === 'double') {
    if (wire.wireType !== 1) throw wrongWireType(field, wire);
    return wire.value.readDoubleLE(0);
  }
  return decodeKind(table, kind, lengthDelimited(wire, field));
}

function decodeKind(table: MessageTable, kind: ValueKind, bytes: Buffer): unknown {
  if (kind === 'string') return bytes.toString('utf8');
  if (kind === 'bytes') return bytes.toString('base64');
  if (isSpecialKind(kind)) return decodeSpecial(kind, bytes);
  return decodeMessage(table, messageType(kind), bytes);
}

type VarintKind = 'int32' | 'int64' | 'bool';

function isVarintKind(kind: ValueKind): kind is VarintKind {
  return kind === 'int32' || kind === 'int64' || kind === 'bool';
}

function varintToJson(kind: VarintKind, value: bigint): number | boolean {
  if (kind === 'bool') return value !== 0n;
  // Negative int32s arrive sign-extended to 64 bits, so both widths read as int64.
  return Number(BigInt.asIntN(kind === 'int32' ? 32 : 64, value));
}

function isScalarKind(kind: ValueKind): kind is 'string' | 'bytes' | 'double' | VarintKind {
  return kind === 'string' || kind === 'bytes' || kind === 'double' || isVarintKind(kind);
}

function zeroScalar(kind: 'string' | 'bytes' | 'double' | VarintKind): unknown {
  if (kind === 'string') return '';
  if (kind === 'bool') return false;
  if (kind === 'bytes') return null;
  return 0;
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

function messageType(kind: ValueKind): string {
  if (typeof kind === 'object') return kind.message;
  throw new Error(`schema error: ${kind} is not a message type`);
}

function lengthDelimited(wire: WireValue, field: FieldDescriptor): Buffer {
  if (wire.wireType !== 2) throw wrongWireType(field, wire);
  return wire.value;
}

function wrongWireType(field: FieldDescriptor, wire: WireValue): ProtobufDecodeError {
  const name = field.name || 'inline field';
  return new ProtobufDecodeError('Malformed', `malformed protobuf: field ${name} has wire type ${wire.wireType}`);
}
