/**
 * A minimal reader for the protobuf wire format (proto2 as Kubernetes' gogo-protobuf
 * writes it). It knows nothing about messages: it splits bytes into numbered fields,
 * and the schema-driven decoder gives them meaning.
 */

import { ProtobufDecodeError } from './errors.js';

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** One field occurrence as it appears on the wire, before the schema interprets it. */
export type WireValue =
  | { wireType: 0; value: bigint }
  | { wireType: 1; value: Buffer }
  | { wireType: 2; value: Buffer }
  | { wireType: 5; value: Buffer };

/** Field number -> every occurrence, in wire order (repeated fields keep their order). */
export type WireFields = Map<number, WireValue[]>;

export class WireReader {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** Varints are read as bigint: int64 fields and negative int32s need all 64 bits. */
  readVarint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.bytes[this.offset];
      if (byte === undefined) throw malformed('truncated varint');
      this.offset++;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw malformed('varint longer than 10 bytes');
  }

  readBytes(length: number): Buffer {
    const end = this.offset + length;
    if (length < 0 || end > this.bytes.length) throw malformed('field length past end of message');
    const slice = this.bytes.subarray(this.offset, end);
    this.offset = end;
    return slice;
  }

  readLength(): number {
    const length = this.readVarint();
    if (length > BigInt(this.bytes.length)) throw malformed('field length past end of message');
    return Number(length);
  }
}

/** Splits one message's bytes into its fields. Groups (unused by Kubernetes) are refused. */
export function readFields(bytes: Buffer): WireFields {
  const reader = new WireReader(bytes);
  const fields: WireFields = new Map();
  while (!reader.done) {
    const key = reader.readVarint();
    const fieldNumber = Number(key >> 3n);
    if (fieldNumber === 0) throw malformed('field number 0');
    const value = readValue(reader, Number(key & 7n));
    const seen = fields.get(fieldNumber);
    if (seen) seen.push(value);
    else fields.set(fieldNumber, [value]);
  }
  return fields;
}

function readValue(reader: WireReader, wireType: number): WireValue {
  switch (wireType) {
    case WireType.Varint:
      return { wireType: 0, value: reader.readVarint() };
    case WireType.Fixed64:
      return { wireType: 1, value: reader.readBytes(8) };
    case WireType.LengthDelimited:
      return { wireType: 2, value: reader.readBytes(reader.readLength()) };
    case WireType.Fixed32:
      return { wireType: 5, value: reader.readBytes(4) };
    default:
      throw malformed(`unsupported wire type ${wireType}`);
  }
}

/** Reads a packed run of varints (proto3-style repeated scalars; gogo proto2 does not pack, but accept both). */
export function readPackedVarints(bytes: Buffer): bigint[] {
  const reader = new WireReader(bytes);
  const values: bigint[] = [];
  while (!reader.done) values.push(reader.readVarint());
  return values;
}

function malformed(detail: string): ProtobufDecodeError {
  return new ProtobufDecodeError('Malformed', `malformed protobuf: ${detail}`);
}
