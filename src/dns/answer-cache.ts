/**
 * The fast path for the common query: one question, no compression, at most an EDNS OPT
 * record. Such a query is recognised from its bytes alone, and the sections of its answer are
 * kept encoded, keyed by the question's exact bytes and valid while the index generation is
 * unchanged; a reply is then a header, the asker's question and those bytes. Anything unusual
 * goes the slow way (dns-packet), which also decides every error answer.
 */
import dnsPacket, { type Answer as WireAnswer } from 'dns-packet';

import { HEADER_BYTES, MAX_UDP_PAYLOAD, OPT_BYTES, OPT_TYPE, QR, RD, TC } from './header.js';

export interface SimpleQuery {
  id: number;
  flags: number;
  /** Offset just past the question. */
  questionEnd: number;
  /** The question's bytes (name, type, class) as a string key; case-sensitive. */
  key: string;
  /** The EDNS payload size, when the query has an OPT record (version 0). */
  ednsPayload?: number;
}

/** Encoded sections of a reply, without the OPT record. */
interface Sections {
  bytes: Buffer;
  an: number;
  ns: number;
  ar: number;
}

export interface CachedAnswer {
  generation: number;
  rcode: number;
  /** AA and RA bits. */
  flags: number;
  qtype: string;
  source: 'zone' | 'completed';
  full: Sections;
  /** The same without the additional section, for UDP answers that would not fit. */
  lean: Sections;
}

/** Parses the common query shape, or returns undefined to let the slow path decide. */
export function parseSimpleQuery(buf: Buffer): SimpleQuery | undefined {
  if (buf.length < HEADER_BYTES + 5) return undefined;
  const flags = buf.readUInt16BE(2);
  if (flags & 0xf800) return undefined; // a response, or an opcode other than QUERY
  if (buf.readUInt16BE(4) !== 1 || buf.readUInt16BE(6) !== 0 || buf.readUInt16BE(8) !== 0) return undefined;
  const arcount = buf.readUInt16BE(10);
  if (arcount > 1) return undefined;
  let at = HEADER_BYTES;
  for (;;) {
    const len = buf[at];
    if (len === undefined || len > 63) return undefined; // cut off, or compression / reserved bits
    at += 1 + len;
    if (len === 0) break;
    if (at - HEADER_BYTES > 255) return undefined;
  }
  const questionEnd = at + 4;
  if (questionEnd > buf.length) return undefined;
  const key = buf.toString('latin1', HEADER_BYTES, questionEnd);
  const base = { id: buf.readUInt16BE(0), flags, questionEnd, key };
  if (arcount === 0) return questionEnd === buf.length ? base : undefined;
  // The OPT record: root name, type 41, payload, extended rcode, version 0, flags, rdata.
  if (buf.length < questionEnd + OPT_BYTES || buf[questionEnd] !== 0 || buf.readUInt16BE(questionEnd + 1) !== OPT_TYPE) return undefined;
  if (buf[questionEnd + 6] !== 0) return undefined; // EDNS version > 0 gets BADVERS on the slow path
  if (questionEnd + OPT_BYTES + buf.readUInt16BE(questionEnd + 9) !== buf.length) return undefined;
  return { ...base, ednsPayload: buf.readUInt16BE(questionEnd + 3) };
}

function encodeSections(answers: WireAnswer[], authorities: WireAnswer[], additionals: WireAnswer[]): Sections {
  const packet = dnsPacket.encode({ type: 'response', questions: [], answers, authorities, additionals });
  return { bytes: packet.subarray(HEADER_BYTES), an: answers.length, ns: authorities.length, ar: additionals.length };
}

export function cachedAnswer(args: {
  generation: number;
  rcode: number;
  flags: number;
  qtype: string;
  source: 'zone' | 'completed';
  answers: WireAnswer[];
  authorities: WireAnswer[];
  additionals: WireAnswer[];
}): CachedAnswer {
  const full = encodeSections(args.answers, args.authorities, args.additionals);
  const lean = args.additionals.length === 0 ? full : encodeSections(args.answers, args.authorities, []);
  return { generation: args.generation, rcode: args.rcode, flags: args.flags, qtype: args.qtype, source: args.source, full, lean };
}

/** The reply to `query` from a cached answer, fitted to `limit` bytes as the slow path does. */
export function replyFromCache(buf: Buffer, query: SimpleQuery, entry: CachedAnswer, limit: number): Buffer {
  const questionBytes = query.questionEnd - HEADER_BYTES;
  const opt = query.ednsPayload === undefined ? 0 : OPT_BYTES;
  const fixed = HEADER_BYTES + questionBytes + opt;
  let sections = entry.full;
  let tc = 0;
  if (fixed + sections.bytes.length > limit) sections = entry.lean;
  if (fixed + sections.bytes.length > limit) {
    sections = { bytes: Buffer.alloc(0), an: 0, ns: 0, ar: 0 };
    tc = TC;
  }
  const out = Buffer.allocUnsafe(fixed + sections.bytes.length);
  out.writeUInt16BE(query.id, 0);
  out.writeUInt16BE(QR | (query.flags & RD) | entry.flags | tc | (entry.rcode & 0xf), 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(sections.an, 6);
  out.writeUInt16BE(sections.ns, 8);
  out.writeUInt16BE(sections.ar + (opt ? 1 : 0), 10);
  buf.copy(out, HEADER_BYTES, HEADER_BYTES, query.questionEnd);
  let at = query.questionEnd;
  at += sections.bytes.copy(out, at);
  if (opt) {
    // Our OPT: root name, type 41, our payload size, extended rcode 0, version 0, flags 0, no data.
    out[at] = 0;
    out.writeUInt16BE(OPT_TYPE, at + 1);
    out.writeUInt16BE(MAX_UDP_PAYLOAD, at + 3);
    out.writeUInt32BE(0, at + 5);
    out.writeUInt16BE(0, at + 9);
  }
  return out;
}

/** Encoded answers by question bytes; emptied when full (it refills from the index). */
export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  constructor(private readonly max = 50_000) {}

  get(key: string, generation: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    return entry?.generation === generation ? entry : undefined;
  }

  set(key: string, entry: CachedAnswer): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, entry);
  }
}
