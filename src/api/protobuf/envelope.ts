/**
 * The Kubernetes protobuf envelope: the 4-byte magic `k8s\0`, then a runtime.Unknown
 * message carrying typeMeta {apiVersion, kind}, the object's own bytes in `raw`, and
 * contentEncoding / contentType (empty for plain protobuf).
 */

import { decodeMessage } from './decode.js';
import { ProtobufDecodeError } from './errors.js';
import { messageTable, rootMessageFor } from './kinds.js';
import { unknownEnvelope } from './meta-messages.js';
import { readFields, type WireFields } from './wire.js';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as a JSON client would have sent it, apiVersion and kind included. */
  object: Record<string, unknown>;
}

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export function isKubernetesProtobuf(contentType: string): boolean {
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === protobufMediaType;
}

export function decodeKubernetesProtobuf(body: Buffer): DecodedObject {
  if (body.length < magic.length || !body.subarray(0, magic.length).equals(magic)) {
    throw malformed('body does not start with the Kubernetes protobuf prefix k8s\\x00');
  }
  const envelope = readFields(body.subarray(magic.length));
  const typeMeta = decodeMessage(messageTable, 'meta.TypeMeta', bytesField(envelope, unknownEnvelope.typeMeta));
  const apiVersion = typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '';
  const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
  if (kind === '') throw malformed('envelope has no kind');
  const object = decodeRaw({ envelope, apiVersion, kind });
  return { apiVersion, kind, object: { kind, apiVersion, ...object } };
}

interface RawInput {
  envelope: WireFields;
  apiVersion: string;
  kind: string;
}

function decodeRaw({ envelope, apiVersion, kind }: RawInput): Record<string, unknown> {
  const raw = bytesField(envelope, unknownEnvelope.raw);
  const encoding = bytesField(envelope, unknownEnvelope.contentEncoding).toString('utf8');
  if (encoding !== '') throw malformed(`unsupported contentEncoding ${JSON.stringify(encoding)}`);
  const contentType = bytesField(envelope, unknownEnvelope.contentType).toString('utf8');
  if (contentType !== '' && !isKubernetesProtobuf(contentType)) {
    throw new ProtobufDecodeError('UnsupportedKind', `unsupported raw content type ${JSON.stringify(contentType)}`);
  }
  const rootMessage = rootMessageFor(apiVersion, kind);
  if (!rootMessage) {
    throw new ProtobufDecodeError('UnsupportedKind', `protobuf is not supported for ${kind} in ${apiVersion || '""'}; send JSON`);
  }
  return decodeMessage(messageTable, rootMessage, raw);
}

function bytesField(fields: WireFields, fieldNumber: number): Buffer {
  const last = fields.get(fieldNumber)?.at(-1);
  if (!last) return Buffer.alloc(0);
  if (last.wireType !== 2) throw malformed(`envelope field ${fieldNumber} is not length-delimited`);
  return last.value;
}

function malformed(detail: string): ProtobufDecodeError {
  return new ProtobufDecodeError('Malformed', `malformed protobuf: ${detail}`);
}
