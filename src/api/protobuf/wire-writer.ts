/**
 * Test support: writes protobuf fields by hand so tests can build the exact bytes a Go
 * client would send (including the zero-valued fields gogo-protobuf always writes).
 * Each helper returns one encoded field; a message is the concatenation of its fields.
 */

function varintBytes(value: bigint): Buffer {
  // Negative numbers go on the wire as their 64-bit two's complement, as Go writes them.
  let rest = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return Buffer.from(out);
}

function key(fieldNumber: number, wireType: number): Buffer {
  return varintBytes(BigInt((fieldNumber << 3) | wireType));
}

export function varint(fieldNumber: number, value: number | bigint | boolean): Buffer {
  const asBigint = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
  return Buffer.concat([key(fieldNumber, 0), varintBytes(asBigint)]);
}

export function bytes(fieldNumber: number, value: Buffer): Buffer {
  return Buffer.concat([key(fieldNumber, 2), varintBytes(BigInt(value.length)), value]);
}

export function str(fieldNumber: number, value: string): Buffer {
  return bytes(fieldNumber, Buffer.from(value, 'utf8'));
}

export function msg(fieldNumber: number, ...fields: Buffer[]): Buffer {
  return bytes(fieldNumber, Buffer.concat(fields));
}

export function fixed64(fieldNumber: number, value: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeDoubleLE(value);
  return Buffer.concat([key(fieldNumber, 1), payload]);
}

/** One map entry: gogo writes maps as repeated {1: key, 2: value} messages. */
export function entry(fieldNumber: number, mapKey: string, value: Buffer): Buffer {
  return msg(fieldNumber, str(1, mapKey), value);
}

export function stringMap(fieldNumber: number, values: Record<string, string>): Buffer {
  return Buffer.concat(Object.entries(values).map(([k, v]) => entry(fieldNumber, k, str(2, v))));
}

/** The full request body: magic prefix and runtime.Unknown around the object's bytes. */
export function envelope(apiVersion: string, kind: string, ...objectFields: Buffer[]): Buffer {
  const unknown = Buffer.concat([
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, Buffer.concat(objectFields)),
    str(3, ''),
    str(4, ''),
  ]);
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), unknown]);
}

/** ObjectMeta as kubectl writes it: the zero-valued scalars and empty Time are present. */
export function objectMeta(name: string, ...extra: Buffer[]): Buffer {
  return msg(
    1,
    str(1, name),
    str(2, ''),
    str(3, ''),
    str(4, ''),
    str(5, ''),
    str(6, ''),
    varint(7, 0),
    msg(8),
    ...extra,
  );
}
