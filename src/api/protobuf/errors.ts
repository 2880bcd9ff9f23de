/**
 * Why a protobuf body could not be turned into JSON. `Malformed` is the client's broken
 * bytes (the API server answers 400 BadRequest); `UnsupportedKind` is a well-formed body
 * for a kind Switchboard has no schema for (415 UnsupportedMediaType, so the client can
 * retry as JSON).
 */
export type ProtobufDecodeReason = 'Malformed' | 'UnsupportedKind';

export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';

  constructor(
    readonly reason: ProtobufDecodeReason,
    message: string,
  ) {
    super(message);
  }
}
