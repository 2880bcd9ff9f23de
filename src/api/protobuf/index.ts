/**
 * Reading request bodies that kubectl's typed clients send as Kubernetes protobuf
 * (`Content-Type: application/vnd.kubernetes.protobuf`) into the JSON objects the rest of
 * the API server works with.
 */

export { decodeKubernetesProtobuf, isKubernetesProtobuf, protobufMediaType, type DecodedObject } from './envelope.js';
export { ProtobufDecodeError, type ProtobufDecodeReason } from './errors.js';
export { supportedKinds } from './kinds.js';
