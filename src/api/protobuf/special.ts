/**
 * Message types whose JSON form is not an object of their fields: metav1.Time and
 * MicroTime (RFC 3339 strings), metav1.Duration (Go duration string),
 * intstr.IntOrString (number or string), resource.Quantity (string), and the byte
 * carriers FieldsV1 and runtime.RawExtension (embedded JSON).
 */

import { ProtobufDecodeError } from './errors.js';
import type { SpecialKind } from './schema.js';
import { readFields, type WireFields } from './wire.js';

export function decodeSpecial(kind: SpecialKind, bytes: Buffer): unknown {
  const fields = readFields(bytes);
  switch (kind) {
    case 'Time':
      return bytes.length === 0 ? null : formatTime(fields, false);
    case 'MicroTime':
      return bytes.length === 0 ? null : formatTime(fields, true);
    case 'Duration':
      return formatGoDuration(varintField(fields, 1));
    case 'IntOrString':
      return varintField(fields, 1) === 1n ? stringField(fields, 3) : Number(BigInt.asIntN(32, varintField(fields, 2)));
    case 'Quantity':
      return stringField(fields, 1) || '0';
    case 'FieldsV1':
    case 'RawExtension':
      return parseEmbeddedJson(lastBytes(fields, 1), kind);
  }
}

/** Go's Time marshals to whole seconds; MicroTime always carries six fractional digits. */
function formatTime(fields: WireFields, micro: boolean): string {
  const seconds = BigInt.asIntN(64, varintField(fields, 1));
  const nanos = Number(BigInt.asIntN(32, varintField(fields, 2)));
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) throw malformed('timestamp out of range');
  const wholeSeconds = date.toISOString().slice(0, 19);
  if (!micro) return `${wholeSeconds}Z`;
  const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
  return `${wholeSeconds}.${micros}Z`;
}

/** The same text Go's time.Duration.String() produces, which is what JSON clients send. */
export function formatGoDuration(nanoseconds: bigint): string {
  const value = BigInt.asIntN(64, nanoseconds);
  if (value === 0n) return '0s';
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  if (abs < 1_000n) return `${sign}${abs}ns`;
  if (abs < 1_000_000n) return `${sign}${fraction(abs, 1_000n)}µs`;
  if (abs < 1_000_000_000n) return `${sign}${fraction(abs, 1_000_000n)}ms`;
  const hours = abs / 3_600_000_000_000n;
  const minutes = (abs / 60_000_000_000n) % 60n;
  const seconds = `${fraction(abs % 60_000_000_000n, 1_000_000_000n)}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

function parseEmbeddedJson(raw: Buffer | undefined, kind: string): unknown {
  if (!raw || raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    // The bytes are the client's: report them as malformed rather than crash.
    throw malformed(`${kind} does not hold JSON`);
  }
}

function varintField(fields: WireFields, fieldNumber: number): bigint {
  const last = fields.get(fieldNumber)?.at(-1);
  if (!last) return 0n;
  if (last.wireType !== 0) throw malformed(`field ${fieldNumber} is not a varint`);
  return last.value;
}

function lastBytes(fields: WireFields, fieldNumber: number): Buffer | undefined {
  const last = fields.get(fieldNumber)?.at(-1);
  if (!last) return undefined;
  if (last.wireType !== 2) throw malformed(`field ${fieldNumber} is not length-delimited`);
  return last.value;
}

function stringField(fields: WireFields, fieldNumber: number): string {
  return lastBytes(fields, fieldNumber)?.toString('utf8') ?? '';
}

function malformed(detail: string): ProtobufDecodeError {
  return new ProtobufDecodeError('Malformed', `malformed protobuf: ${detail}`);
}
