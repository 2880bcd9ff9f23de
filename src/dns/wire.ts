/**
 * One DNS message in, one (or no) message out. Decoding is dns-packet's; the header and the
 * question are written here from the raw query, so an unknown type or class is echoed exactly.
 * Every failure ends in FORMERR or silence: a bad packet must never take the server down.
 */
import dnsPacket, { type Answer as WireAnswer } from 'dns-packet';
import type { Rcode } from './handler.js';
import type { RecordIndex } from './records.js';
import { RCODES, resolveQuestion, type Reply, type ResolveOptions } from './resolve.js';
import { cachedAnswer, parseSimpleQuery, replyFromCache, type AnswerCache, type SimpleQuery } from './answer-cache.js';

import { AA, CLASSIC_UDP_PAYLOAD, HEADER_BYTES, MAX_UDP_PAYLOAD, OPCODE, QR, RA, RD, TC } from './header.js';

export { MAX_UDP_PAYLOAD };

export interface RespondOptions extends ResolveOptions {
  transport: 'udp' | 'tcp';
  /** Encoded zone answers, reused while the index is unchanged (one cache per server). */
  cache?: AnswerCache;
}

/** What one query became, for metrics: its type and the reply's rcode and source. */
export interface Outcome {
  qtype: string;
  rcode: number;
  source: Reply['source'] | 'malformed';
}

interface Query {
  id: number;
  flags: number;
  question: Buffer;
  name: string;
  type: string;
  qclass: string;
  edns?: { payload: number; version: number };
}

/** Offset just past the first question, or undefined when the name or fixed part is cut off. */
function questionEnd(buf: Buffer): number | undefined {
  let at = HEADER_BYTES;
  for (let labels = 0; labels < 128; labels++) {
    const len = buf[at];
    if (len === undefined) return undefined;
    if (len === 0) return at + 1 + 4 <= buf.length ? at + 1 + 4 : undefined;
    // A pointer in the question could only point back into the header (the question is the
    // first name); echoed, it would corrupt the reply. Such a query is malformed.
    if ((len & 0xc0) !== 0) return undefined;
    at += 1 + len;
  }
  return undefined;
}

/**
 * True when the header's counts cannot fit the packet (each question takes at least 5 bytes,
 * each record 11). Such packets are refused before decoding, which would otherwise size its
 * arrays by the counts: a 12-byte packet could cost a millisecond of CPU.
 */
function countsOverrun(buf: Buffer): boolean {
  const records = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  return buf.readUInt16BE(4) * 5 + records * 11 > buf.length - HEADER_BYTES;
}

function parseQuery(buf: Buffer): Query | Rcode {
  const flags = buf.readUInt16BE(2);
  if ((flags >> 11) & 0xf) return 'NOTIMP'; // only standard queries
  if (countsOverrun(buf)) return 'FORMERR';
  const decoded = dnsPacket.decode(buf);
  const question = decoded.questions?.[0];
  const end = questionEnd(buf);
  if (decoded.questions?.length !== 1 || question === undefined || end === undefined) return 'FORMERR';
  if ((decoded.answers?.length ?? 0) > 0 || (decoded.authorities?.length ?? 0) > 0) return 'FORMERR';
  const opts = (decoded.additionals ?? []).filter((a) => a.type === 'OPT');
  if (opts.length > 1) return 'FORMERR';
  const opt = opts[0];
  return {
    id: decoded.id ?? 0,
    flags,
    question: buf.subarray(HEADER_BYTES, end),
    name: question.name,
    type: String(question.type),
    qclass: String(question.class ?? 'IN'),
    ...(opt?.type === 'OPT' ? { edns: { payload: opt.udpPayloadSize, version: opt.ednsVersion } } : {}),
  };
}

function optRecord(extendedRcode: number): WireAnswer {
  return { name: '.', type: 'OPT', udpPayloadSize: MAX_UDP_PAYLOAD, extendedRcode, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

interface Sections {
  answers: WireAnswer[];
  authorities: WireAnswer[];
  additionals: WireAnswer[];
}

function build(query: Query, rcode: number, flags: number, sections: Sections): Buffer {
  // Extended rcodes (BADVERS) keep their upper bits in the OPT record.
  const additionals = query.edns ? [...sections.additionals, optRecord(rcode >> 4)] : sections.additionals;
  // dns-packet never compresses names, so its records can be cut from its output and reused.
  const body = dnsPacket.encode({ type: 'response', questions: [], answers: sections.answers, authorities: sections.authorities, additionals });
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(query.id, 0);
  header.writeUInt16BE(QR | (query.flags & RD) | flags | (rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(sections.answers.length, 6);
  header.writeUInt16BE(sections.authorities.length, 8);
  header.writeUInt16BE(additionals.length, 10);
  return Buffer.concat([header, query.question, body.subarray(HEADER_BYTES)]);
}

/** FORMERR with only the ID (and the question when it could be read). */
function formErr(buf: Buffer, rcode: number): Buffer {
  const end = questionEnd(buf);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(buf.readUInt16BE(0), 0);
  // The opcode is copied back, as RFC 1035 asks (it tells a NOTIMP client what was refused).
  header.writeUInt16BE(QR | (buf.readUInt16BE(2) & (RD | OPCODE)) | rcode, 2);
  if (end !== undefined && rcode === RCODES.NOTIMP) {
    header.writeUInt16BE(1, 4);
    return Buffer.concat([header, buf.subarray(HEADER_BYTES, end)]);
  }
  return header;
}

/** The largest UDP answer the asker takes: 512 without EDNS, else its size within 512..1232. */
function udpLimit(ednsPayload: number | undefined): number {
  if (ednsPayload === undefined) return CLASSIC_UDP_PAYLOAD;
  return Math.min(Math.max(ednsPayload, CLASSIC_UDP_PAYLOAD), MAX_UDP_PAYLOAD);
}

/** Fits a UDP answer: drop the additional section first, then send an empty answer with TC. */
function fit(query: Query, reply: Reply, flags: number, limit: number): Buffer {
  const full = build(query, reply.rcode, flags, reply);
  if (full.length <= limit) return full;
  const lean = build(query, reply.rcode, flags, { ...reply, additionals: [] });
  if (lean.length <= limit) return lean;
  return build(query, reply.rcode, flags | TC, { answers: [], authorities: [], additionals: [] });
}

type Response = Buffer | undefined;

/**
 * Answers one message. Zone answers come back at once; answers that need an upstream come
 * back as a promise. `observe` hears what each query became (for metrics).
 */
export function respond(index: RecordIndex, buf: Buffer, opts: RespondOptions, observe?: (o: Outcome) => void): Response | Promise<Response> {
  const simple = opts.cache && opts.synced ? parseSimpleQuery(buf) : undefined;
  if (simple && opts.cache) {
    // The recursion setting changes answers (chased ExternalNames), so it is part of the key.
    const key = `${opts.forwarder ? 'r' : 'n'}${simple.key}`;
    const hit = opts.cache.get(key, index.generation);
    if (hit) {
      observe?.({ qtype: hit.qtype, rcode: hit.rcode, source: hit.source });
      return replyFromCache(buf, simple, hit, opts.transport === 'udp' ? udpLimit(simple.ednsPayload) : 65535);
    }
  }
  return respondSlowly(index, buf, opts, observe, simple);
}

function respondSlowly(index: RecordIndex, buf: Buffer, opts: RespondOptions, observe: ((o: Outcome) => void) | undefined, simple: SimpleQuery | undefined): Response | Promise<Response> {
  if (buf.length < HEADER_BYTES) return undefined; // no ID to answer to
  if (buf.readUInt16BE(2) & QR) return undefined; // never answer responses: no reflection loops
  let query: Query | Rcode;
  try {
    query = parseQuery(buf);
  } catch {
    query = 'FORMERR';
  }
  if (typeof query === 'string') {
    observe?.({ qtype: 'none', rcode: RCODES[query], source: 'malformed' });
    return formErr(buf, RCODES[query]);
  }
  if (query.edns && query.edns.version > 0) {
    observe?.({ qtype: query.type, rcode: RCODES.BADVERS, source: 'malformed' });
    // BADVERS is an extended rcode: its upper bits travel in the OPT record, low bits are 0.
    return build(query, RCODES.BADVERS, 0, { answers: [], authorities: [], additionals: [] });
  }
  const q = query;
  const limit = opts.transport === 'udp' ? udpLimit(q.edns?.payload) : 65535;
  const encode = (reply: Reply): Buffer => {
    observe?.({ qtype: q.type, rcode: reply.rcode, source: reply.source });
    const flags = (reply.authoritative ? AA : 0) | (opts.forwarder ? RA : 0);
    return fit(q, reply, flags, limit);
  };
  const generation = index.generation;
  const reply = resolveQuestion(index, { name: q.name, type: q.type, class: q.qclass }, opts);
  if (reply instanceof Promise) return reply.then(encode);
  const source = reply.source;
  if (simple && opts.cache && (source === 'zone' || source === 'completed')) {
    const flags = (reply.authoritative ? AA : 0) | (opts.forwarder ? RA : 0);
    const { rcode, answers, authorities, additionals } = reply;
    opts.cache.set(`${opts.forwarder ? 'r' : 'n'}${simple.key}`, cachedAnswer({ generation, rcode, flags, qtype: q.type, source, answers, authorities, additionals }));
  }
  return encode(reply);
}
