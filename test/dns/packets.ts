/**
 * Malformed and random DNS messages for the server fuzz test. Everything comes from a seeded
 * PRNG so a failing run replays from its seed, and every packet carries what the server may
 * send back for it: nothing, or a reply whose rcode is one of a short list.
 */

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

export type Expectation = { reply: false } | { reply: true; rcodes: readonly number[] };

export const PACKET_KINDS = [
  'random', 'mutated', 'short-header', 'label-overrun', 'reserved-label-bits', 'compression',
  'huge-counts', 'extra-records', 'edns', 'opcode', 'qr-set', 'long-name',
] as const;
export type PacketKind = (typeof PACKET_KINDS)[number];

export interface FuzzPacket {
  kind: PacketKind;
  /** Which variant of the kind, for the report and for reproducing a failure. */
  variant: string;
  bytes: Buffer;
  expect: Expectation;
}

/** Headless Services the fuzz server adds: `mid` fits 1232 bytes but not 512, `big` only TCP. */
export const LARGE_SERVICES = { mid: 15, big: 120 } as const;

const QR = 0x8000;
const RD = 0x0100;
const NO_REPLY: Expectation = { reply: false };
const FORMERR_ONLY: Expectation = { reply: true, rcodes: [RCODE.FORMERR] };
/** A well-formed query: the handler's codes (SERVFAIL left in for a future forwarder). */
const ANSWERED: Expectation = { reply: true, rcodes: [RCODE.NOERROR, RCODE.SERVFAIL, RCODE.NXDOMAIN, RCODE.REFUSED] };
/** Anything with a query header: a random body may still happen to be a valid query. */
const ANY_QUERY_REPLY: Expectation = { reply: true, rcodes: [...ANSWERED.rcodes, RCODE.FORMERR, RCODE.BADVERS] };

export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** mulberry32: tiny, fast and good enough to drive a fuzzer reproducibly. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  const float = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(float() * n);
  return {
    float,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    bytes: (n: number): Buffer => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}

// --- wire builders -------------------------------------------------------------------------

export interface HeaderFields {
  id?: number;
  flags?: number;
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}

export function header(h: HeaderFields): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt16BE(h.id ?? 0, 0);
  buf.writeUInt16BE(h.flags ?? RD, 2);
  buf.writeUInt16BE(h.qd ?? 1, 4);
  buf.writeUInt16BE(h.an ?? 0, 6);
  buf.writeUInt16BE(h.ns ?? 0, 8);
  buf.writeUInt16BE(h.ar ?? 0, 10);
  return buf;
}

/** Uncompressed wire name; '' and '.' are the root. */
export function encodeName(name: string): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function u16(...values: number[]): Buffer {
  const buf = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => buf.writeUInt16BE(v, i * 2));
  return buf;
}

export function question(name: string, type = 1, qclass = 1): Buffer {
  return Buffer.concat([encodeName(name), u16(type, qclass)]);
}

export interface OptFields {
  payload?: number;
  version?: number;
  extendedRcode?: number;
  flags?: number;
  options?: Buffer[];
  /** Overrides the real rdata length, to lie about it. */
  rdlength?: number;
}

export function ednsOption(code: number, data: Buffer): Buffer {
  return Buffer.concat([u16(code, data.length), data]);
}

export function optRecord(o: OptFields = {}): Buffer {
  const rdata = Buffer.concat(o.options ?? []);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(41, 0);
  fixed.writeUInt16BE(o.payload ?? 1232, 2);
  fixed.writeUInt8(o.extendedRcode ?? 0, 4);
  fixed.writeUInt8(o.version ?? 0, 5);
  fixed.writeUInt16BE(o.flags ?? 0, 6);
  fixed.writeUInt16BE(o.rdlength ?? rdata.length, 8);
  return Buffer.concat([Buffer.from([0]), fixed, rdata]);
}

/** A resource record with an uncompressed owner name (or raw owner bytes). */
export function record(owner: string | Buffer, type: number, rdata: Buffer): Buffer {
  const name = typeof owner === 'string' ? encodeName(owner) : owner;
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(30, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([name, fixed, rdata]);
}

export interface QueryFields {
  name: string;
  type?: number;
  qclass?: number;
  flags?: number;
  edns?: OptFields;
}

export function query(q: QueryFields): Buffer {
  const h = header({ flags: q.flags ?? RD, ar: q.edns ? 1 : 0 });
  return Buffer.concat([h, question(q.name, q.type, q.qclass), ...(q.edns ? [optRecord(q.edns)] : [])]);
}

// --- the valid queries everything else starts from ----------------------------------------

/** Names the fixture cluster answers in every way: hits, NODATA, NXDOMAIN, REFUSED, TC. */
const NAMES = [
  'backend.example.svc.cluster.local', 'BackEnd.Example.SVC.cluster.local.', '_http._tcp.backend.example.svc.cluster.local',
  'nginx.example.svc.cluster.local', 'nginx-0.nginx.example.svc.cluster.local', '_web._tcp.nginx.example.svc.cluster.local',
  'mid.example.svc.cluster.local', 'big.example.svc.cluster.local', '_web._tcp.big.example.svc.cluster.local',
  '20.0.96.10.in-addr.arpa', '5.1.244.10.in-addr.arpa', 'dns-version.cluster.local', 'cluster.local',
  'ext.example.svc.cluster.local', 'ext-internal.example.svc.cluster.local', 'ext-ip.example.svc.cluster.local',
  'v6.example.svc.cluster.local', '10-244-0-1.example.pod.cluster.local', 'nothing.example.svc.cluster.local',
  'example.svc.cluster.local', 'missing.svc.cluster.local', 'example.com', '',
];
/** A, AAAA, SRV, PTR, TXT, SOA, NS, CNAME, ANY, AXFR, IXFR, HTTPS, unknown, 0, 65535. */
const TYPES = [1, 1, 1, 28, 33, 33, 12, 16, 6, 2, 5, 255, 252, 251, 65, 1234, 0, 65535];
const CLASSES = [1, 1, 1, 1, 1, 1, 1, 3, 4, 254, 255, 0];
const PAYLOADS = [0, 1, 511, 512, 513, 1232, 1233, 4096, 65535];

function validQueryFields(rng: Rng): QueryFields {
  const fields: QueryFields = { name: rng.pick(NAMES), type: rng.pick(TYPES), qclass: rng.pick(CLASSES), flags: rng.int(2) ? RD : 0 };
  if (rng.int(3) === 0) fields.edns = { payload: rng.int(4) ? rng.pick(PAYLOADS) : rng.int(65536) };
  return fields;
}

export function validQuery(rng: Rng): Buffer {
  return query(validQueryFields(rng));
}

/** What the server must do with a packet judged only by its header. */
export function headerExpectation(bytes: Buffer): Expectation {
  if (bytes.length < 12) return NO_REPLY;
  const flags = bytes.readUInt16BE(2);
  if (flags & QR) return NO_REPLY;
  if ((flags >> 11) & 0xf) return { reply: true, rcodes: [RCODE.FORMERR, RCODE.NOTIMP] };
  return ANY_QUERY_REPLY;
}

/** Offsets of the label-length bytes of the name starting at 12 (uncompressed names only). */
function labelOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = 12; at < bytes.length && bytes[at] !== 0; at += 1 + (bytes[at] ?? 0)) out.push(at);
  return out;
}

function packet(kind: PacketKind, variant: string, bytes: Buffer, expect?: Expectation): FuzzPacket {
  return { kind, variant, bytes, expect: expect ?? headerExpectation(bytes) };
}

// --- generators, one per kind --------------------------------------------------------------

function randomBytes(rng: Rng): FuzzPacket {
  return packet('random', 'bytes', rng.bytes(rng.int(601)));
}

function mutated(rng: Rng): FuzzPacket {
  let bytes = validQuery(rng);
  const ops: string[] = [];
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const op = rng.pick(['flip', 'truncate', 'insert', 'delete', 'special'] as const);
    ops.push(op);
    const at = rng.int(bytes.length + 1);
    if (op === 'flip') {
      bytes = Buffer.from(bytes);
      for (let i = 1 + rng.int(8); i > 0; i--) {
        const pos = rng.int(bytes.length);
        bytes[pos] = (bytes[pos] ?? 0) ^ (1 << rng.int(8));
      }
    } else if (op === 'truncate') bytes = bytes.subarray(0, at);
    else if (op === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), rng.bytes(1 + rng.int(8)), bytes.subarray(at)]);
    else if (op === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + rng.int(8))]);
    else if (at < bytes.length) {
      bytes = Buffer.from(bytes);
      bytes[at] = rng.pick([0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff]);
    }
  }
  return packet('mutated', ops.join('+'), bytes);
}

function shortHeader(rng: Rng): FuzzPacket {
  const n = rng.int(12);
  const bytes = rng.int(2) ? rng.bytes(n) : validQuery(rng).subarray(0, n);
  return packet('short-header', `${n}-bytes`, bytes, NO_REPLY);
}

/** A label claims more bytes than the packet has left, in the question or a later record. */
function labelOverrun(rng: Rng): FuzzPacket {
  const claimed = 1 + rng.int(63);
  const partial = Buffer.concat([Buffer.from([claimed]), rng.bytes(rng.int(claimed))]);
  if (rng.int(2)) {
    const prefix = encodeName(rng.pick(NAMES)).subarray(0, -1);
    return packet('label-overrun', 'question', Buffer.concat([header({}), prefix, partial]), FORMERR_ONLY);
  }
  const bytes = Buffer.concat([header({ ar: 1 }), question(rng.pick(NAMES)), Buffer.from([3]), Buffer.from('www'), partial]);
  return packet('label-overrun', 'additional', bytes, FORMERR_ONLY);
}

/** A label length with the reserved 0x40 or 0x80 bit (so also any length over 63). */
function reservedLabelBits(rng: Rng): FuzzPacket {
  const bytes = Buffer.from(query({ name: rng.pick(NAMES.filter((n) => n !== '')), type: rng.pick(TYPES) }));
  const at = rng.pick(labelOffsets(bytes));
  const bad = rng.int(2) ? 0x40 | rng.int(0x40) : 0x80 | rng.int(0x40);
  bytes[at] = bad;
  if (rng.int(2)) return packet('reserved-label-bits', `0x${bad.toString(16)}`, bytes, FORMERR_ONLY);
  // A label that really is 64..191 bytes long, not just a flag on a short one.
  const long = Buffer.concat([header({}), Buffer.from([bad]), Buffer.alloc(bad, 0x61), Buffer.from([0]), u16(1, 1)]);
  return packet('reserved-label-bits', `long-${bad}`, long, FORMERR_ONLY);
}

function pointer(offset: number): Buffer {
  return u16(0xc000 | (offset & 0x3fff));
}

/** Compression pointers: loops, forward jumps and jumps off the end all decode as FORMERR. */
function compression(rng: Rng): FuzzPacket {
  const variant = rng.pick(['self', 'a-b-a', 'forward', 'past-end', 'record-self', 'into-header', 'backward-chain'] as const);
  const tail = u16(1, 1);
  switch (variant) {
    case 'self':
      return packet('compression', variant, Buffer.concat([header({}), pointer(12), tail]), FORMERR_ONLY);
    case 'a-b-a': // offset 12: label "a" then a pointer to 16; offset 16: a pointer back to 12
      return packet('compression', variant, Buffer.concat([header({}), Buffer.from([1, 0x61]), pointer(16), pointer(12), tail]), FORMERR_ONLY);
    case 'forward': { // the question points at a valid name placed after it
      const bytes = Buffer.concat([header({}), pointer(18), tail, encodeName(rng.pick(NAMES))]);
      return packet('compression', variant, bytes, FORMERR_ONLY);
    }
    case 'past-end':
      return packet('compression', variant, Buffer.concat([header({}), pointer(0x3fff - rng.int(0x3000)), tail]), FORMERR_ONLY);
    case 'record-self': { // a valid question, then an additional record whose owner points at itself
      const q = question(rng.pick(NAMES));
      const owner = pointer(12 + q.length);
      return packet('compression', variant, Buffer.concat([header({ ar: 1 }), q, record(owner, 1, Buffer.alloc(4))]), FORMERR_ONLY);
    }
    case 'into-header': // backward, so legal, but the "name" is header bytes: anything may happen
      return packet('compression', variant, Buffer.concat([header({ id: rng.int(65536) }), pointer(rng.int(12)), tail]));
    case 'backward-chain': { // a long, finite chain of backward pointers, kept in an opaque record's rdata
      const q = question(rng.pick(NAMES));
      const rdataStart = 12 + q.length + 11; // after the opaque record's root owner and fixed fields
      const links = Array.from({ length: 50 + rng.int(150) }, (_, i) => pointer(i === 0 ? 12 : rdataStart + (i - 1) * 2));
      const opaque = record('', 0xff00, Buffer.concat(links));
      const owner = pointer(rdataStart + (links.length - 1) * 2);
      const bytes = Buffer.concat([header({ ar: 2 }), q, opaque, record(owner, 1, Buffer.alloc(4))]);
      return packet('compression', variant, bytes, ANSWERED);
    }
  }
}

/** Section counts far beyond what the packet holds, or no question at all. */
function hugeCounts(rng: Rng): FuzzPacket {
  const bytes = Buffer.from(validQuery(rng));
  const field = rng.pick(['qd', 'an', 'ns', 'ar', 'all', 'qd-zero'] as const);
  const big = (): number => rng.pick([0xffff, 0xfffe, 0x8000, 2 + rng.int(0xfff0)]);
  if (field === 'qd-zero') bytes.writeUInt16BE(0, 4);
  else if (field === 'all') for (const at of [4, 6, 8, 10]) bytes.writeUInt16BE(big(), at);
  else if (field === 'ar') bytes.writeUInt16BE(Math.min(0xffff, bytes.readUInt16BE(10) + big()), 10);
  else bytes.writeUInt16BE(big(), { qd: 4, an: 6, ns: 8 }[field]);
  return packet('huge-counts', field, bytes, FORMERR_ONLY);
}

/** Several questions, or answer/authority records, in a query. */
function extraRecords(rng: Rng): FuzzPacket {
  const variant = rng.pick(['questions', 'answer', 'authority'] as const);
  if (variant === 'questions') {
    const n = 2 + rng.int(6);
    const qs = Array.from({ length: n }, () => question(rng.pick(NAMES), rng.pick(TYPES)));
    return packet('extra-records', `${n}-questions`, Buffer.concat([header({ qd: n }), ...qs]), FORMERR_ONLY);
  }
  const rr = record(rng.pick(NAMES), 1, Buffer.from([10, 0, 0, 1]));
  const h = variant === 'answer' ? header({ an: 1 }) : header({ ns: 1 });
  return packet('extra-records', variant, Buffer.concat([h, question(rng.pick(NAMES)), rr]), FORMERR_ONLY);
}

function manyOptions(rng: Rng): Buffer[] {
  // Local/experimental option codes carry opaque data, so any content decodes.
  return Array.from({ length: 10 + rng.int(60) }, () => ednsOption(65001 + rng.int(500), rng.bytes(rng.int(24))));
}

function edns(rng: Rng): FuzzPacket {
  const variant = rng.pick(['payload', 'version', 'many-options', 'several-opt', 'oversize-rdlength', 'opt-in-answer'] as const);
  const base = validQueryFields(rng);
  const q = question(base.name, base.type, base.qclass);
  switch (variant) {
    case 'payload':
      return packet('edns', variant, query({ ...base, edns: { payload: rng.pick(PAYLOADS), flags: rng.int(2) ? 0x8000 : 0 } }), ANSWERED);
    case 'version': {
      const version = 1 + rng.int(255);
      return packet('edns', `${variant}-${version}`, query({ ...base, edns: { version } }), { reply: true, rcodes: [RCODE.BADVERS] });
    }
    case 'many-options':
      return packet('edns', variant, query({ ...base, edns: { payload: rng.pick(PAYLOADS), options: manyOptions(rng) } }), ANSWERED);
    case 'several-opt': {
      const n = 2 + rng.int(3);
      const opts = Array.from({ length: n }, () => optRecord({ payload: rng.pick(PAYLOADS) }));
      return packet('edns', `${n}-opt`, Buffer.concat([header({ ar: n }), q, ...opts]), FORMERR_ONLY);
    }
    case 'oversize-rdlength': { // complete options, then a length that promises more of them
      const options = rng.int(2) ? manyOptions(rng).slice(0, rng.int(4)) : [];
      const actual = options.reduce((n, o) => n + o.length, 0);
      const rdlength = Math.min(0xffff, actual + 1 + rng.int(0xffff - actual));
      return packet('edns', variant, Buffer.concat([header({ ar: 1 }), q, optRecord({ options, rdlength })]), FORMERR_ONLY);
    }
    case 'opt-in-answer':
      return packet('edns', variant, Buffer.concat([header({ an: 1 }), q, optRecord()]), FORMERR_ONLY);
  }
}

function opcode(rng: Rng): FuzzPacket {
  const op = 1 + rng.int(15);
  const bytes = Buffer.from(validQuery(rng));
  bytes.writeUInt16BE((bytes.readUInt16BE(2) & ~0x7800) | (op << 11), 2);
  return packet('opcode', `opcode-${op}`, bytes, { reply: true, rcodes: [RCODE.NOTIMP] });
}

/** Responses (QR set) must never be answered, whatever else is in them: no reflection loops. */
function qrSet(rng: Rng): FuzzPacket {
  const variant = rng.pick(['query', 'random', 'opcode'] as const);
  const bytes = variant === 'random' ? rng.bytes(12 + rng.int(589)) : Buffer.from(validQuery(rng));
  bytes[2] = (bytes[2] ?? 0) | 0x80;
  if (variant === 'opcode') bytes[2] = (bytes[2] ?? 0) | ((1 + rng.int(15)) << 3);
  return packet('qr-set', variant, bytes, NO_REPLY);
}

function labels(count: number, length: number): string {
  return Array.from({ length: count }, (_, i) => String.fromCharCode(0x61 + (i % 26)).repeat(length)).join('.');
}

/** Names over the 255-byte limit fail; names right at the limit are ordinary queries. */
function longName(rng: Rng): FuzzPacket {
  const variant = rng.pick(['63x4', 'many-short', 'at-limit', 'short-at-limit'] as const);
  switch (variant) {
    case '63x4': // 4 x 64 = 256 wire bytes before the root
      return packet('long-name', variant, query({ name: `${labels(4, 63)}.cluster.local` }), FORMERR_ONLY);
    case 'many-short': // 2 bytes a label: over 254 from 121 labels plus the zone on
      return packet('long-name', variant, query({ name: `${labels(121 + rng.int(40), 1)}.cluster.local` }), FORMERR_ONLY);
    case 'at-limit': // 3 x 64 + 48 + 14 = 254 bytes of labels: the longest legal name
      return packet('long-name', variant, query({ name: `${labels(3, 63)}.${'x'.repeat(47)}.cluster.local`, type: rng.pick(TYPES) }), ANSWERED);
    case 'short-at-limit':
      return packet('long-name', variant, query({ name: `${labels(120, 1)}.cluster.local` }), ANSWERED);
  }
}

const GENERATORS: Record<PacketKind, (rng: Rng) => FuzzPacket> = {
  'random': randomBytes, 'mutated': mutated, 'short-header': shortHeader, 'label-overrun': labelOverrun,
  'reserved-label-bits': reservedLabelBits, 'compression': compression, 'huge-counts': hugeCounts,
  'extra-records': extraRecords, 'edns': edns, 'opcode': opcode, 'qr-set': qrSet, 'long-name': longName,
};

/** Shares of each kind, in percent. */
const WEIGHTS: Record<PacketKind, number> = {
  'random': 15, 'mutated': 25, 'short-header': 4, 'label-overrun': 5, 'reserved-label-bits': 5, 'compression': 8,
  'huge-counts': 6, 'extra-records': 5, 'edns': 12, 'opcode': 5, 'qr-set': 5, 'long-name': 5,
};

export function fuzzPacket(rng: Rng): FuzzPacket {
  let roll = rng.int(100);
  for (const kind of PACKET_KINDS) {
    roll -= WEIGHTS[kind];
    if (roll < 0) return GENERATORS[kind](rng);
  }
  return GENERATORS.random(rng);
}
