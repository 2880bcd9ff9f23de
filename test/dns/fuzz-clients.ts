/**
 * The fuzz test's clients: a UDP sender that fires packets in bursts and matches replies by ID,
 * a TCP session runner that frames messages in awkward ways and expects in-order replies, and
 * the rules every reply must follow. Violations are collected with the packets that caused them.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import { fuzzPacket, query, RCODE, type FuzzPacket, type Rng } from './packets.js';

/** A burst is over when every expected reply came, or nothing arrived for this long. */
const UDP_QUIET_MS = 100;
const TCP_SESSION_MS = 5_000;
const QR = 0x8000;
const TC = 0x0200;

// --- checking one reply ---------------------------------------------------------------------

/** Offset just past the first question, or undefined when it is cut off. */
function questionEnd(msg: Buffer): number | undefined {
  for (let at = 12; at < msg.length;) {
    const len = msg[at] ?? 0;
    if (len === 0) return at + 5 <= msg.length ? at + 5 : undefined;
    if ((len & 0xc0) === 0xc0) return at + 6 <= msg.length ? at + 6 : undefined;
    at += 1 + len;
  }
  return undefined;
}

/** The UDP size the asker allowed: 512, or its EDNS payload clamped to 512..1232. */
function udpLimit(msg: Buffer): number {
  try {
    const opt = dnsPacket.decode(msg).additionals?.find((a) => a.type === 'OPT');
    return opt?.type === 'OPT' ? Math.min(Math.max(opt.udpPayloadSize, 512), 1232) : 512;
  } catch {
    return 512;
  }
}

function extendedRcode(reply: DecodedPacket, flags: number): number {
  const opt = reply.additionals?.find((a) => a.type === 'OPT');
  return ((opt?.type === 'OPT' ? opt.extendedRcode : 0) << 4) | (flags & 0xf);
}

/** Everything wrong with `reply` as the answer to `sent`, or undefined when it is fine. */
function replyProblem(sent: FuzzPacket, reply: Buffer, transport: 'udp' | 'tcp'): string | undefined {
  if (!sent.expect.reply) return 'answered a packet that must get no answer (response, or shorter than a header)';
  if (reply.length < 12) return `reply of ${reply.length} bytes is shorter than a header`;
  const flags = reply.readUInt16BE(2);
  if (!(flags & QR)) return 'reply without the QR bit';
  if (reply.readUInt16BE(0) !== sent.bytes.readUInt16BE(0)) return 'reply ID differs from the query ID';
  let decoded: DecodedPacket;
  try {
    decoded = dnsPacket.decode(reply);
  } catch (err) {
    return `reply does not decode: ${String(err)}`;
  }
  const rcode = extendedRcode(decoded, flags);
  if (!sent.expect.rcodes.includes(rcode)) return `rcode ${rcode}, expected one of ${sent.expect.rcodes.join(',')}`;
  const qdcount = reply.readUInt16BE(4);
  if (qdcount > 1) return `reply carries ${qdcount} questions`;
  const end = qdcount === 1 ? questionEnd(reply) : 12;
  if (end === undefined || !reply.subarray(12, end).equals(sent.bytes.subarray(12, end))) return 'reply question is not the query question';
  if (transport === 'udp' && reply.length > 512 && reply.length > udpLimit(sent.bytes)) {
    return `UDP reply of ${reply.length} bytes exceeds the asker's limit of ${udpLimit(sent.bytes)} (TC=${(flags & TC) !== 0})`;
  }
  return undefined;
}

/** Violations by message, with the first few packets (hex) that caused each. */
export class Findings {
  readonly byProblem = new Map<string, { count: number; examples: string[] }>();
  total = 0;

  add(problem: string, packet: FuzzPacket): void {
    this.total++;
    const entry = this.byProblem.get(problem) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(`${packet.kind}/${packet.variant} ${packet.bytes.toString('hex')}`);
    this.byProblem.set(problem, entry);
  }

  report(): string {
    return [...this.byProblem].map(([p, e]) => `${p} (x${e.count}):\n    ${e.examples.join('\n    ')}`).join('\n');
  }
}

export interface Stats {
  sent: Map<string, number>;
  replies: Map<number, number>;
  missing: number;
  tcpSessions: number;
  tcpClosedByServer: number;
}

export function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

let nextId = 0;

/** Gives a packet the next ID, so each reply names the packet it answers. */
export function withId(packet: FuzzPacket): FuzzPacket {
  if (packet.bytes.length < 2) return packet;
  const bytes = Buffer.from(packet.bytes);
  bytes.writeUInt16BE(nextId++ & 0xffff, 0);
  return { ...packet, bytes };
}

// --- UDP ------------------------------------------------------------------------------------

export interface InFlight {
  packet: FuzzPacket;
  replies: number;
}

/** Sends fuzz packets in bursts from one socket; replies are matched by ID. */
export class UdpFuzzer {
  private readonly socket = dgram.createSocket('udp4');
  /** By ID; an ID is reused only 65,536 packets later, long after its reply. */
  private readonly inFlight = new Map<number, InFlight>();
  private awaiting = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly port: number, private readonly findings: Findings, private readonly stats: Stats) {
    this.socket.on('message', (reply) => this.receive(reply));
  }

  private receive(reply: Buffer): void {
    const entry = reply.length >= 2 ? this.inFlight.get(reply.readUInt16BE(0)) : undefined;
    if (entry === undefined) return void this.findings.add('UDP reply with an ID that was never sent', { kind: 'random', variant: 'the reply itself', bytes: reply, expect: { reply: false } });
    entry.replies++;
    bump(this.stats.replies, reply.length >= 4 ? reply.readUInt16BE(2) & 0xf : -1);
    const problem = entry.replies > 1 ? 'two UDP replies to one packet' : replyProblem(entry.packet, reply, 'udp');
    if (problem !== undefined) this.findings.add(`udp: ${problem}`, entry.packet);
    if (entry.replies === 1 && entry.packet.expect.reply) this.awaiting--;
    this.wake?.(); // any reply restarts the quiet timer
  }

  private retire(id: number): void {
    const old = this.inFlight.get(id);
    if (old?.packet.expect.reply && old.replies === 0) this.stats.missing++;
    this.inFlight.delete(id);
  }

  private track(packet: FuzzPacket): InFlight {
    const entry = { packet, replies: 0 };
    if (packet.bytes.length >= 2) {
      const id = packet.bytes.readUInt16BE(0);
      this.retire(id);
      this.inFlight.set(id, entry);
    }
    this.socket.send(packet.bytes, this.port, '127.0.0.1');
    return entry;
  }

  /** Resolves true on the next reply, false after `ms` without one. */
  private nextReply(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.wake = () => (clearTimeout(timer), resolve(true));
    });
  }

  /** Sends one burst; returns the packets still owed a reply when it went quiet. */
  async burst(packets: FuzzPacket[]): Promise<InFlight[]> {
    this.awaiting = 0;
    const sent = packets.map((raw) => {
      const packet = withId(raw);
      bump(this.stats.sent, `udp ${packet.kind}`);
      if (packet.bytes.length >= 2 && packet.expect.reply) this.awaiting++;
      return this.track(packet);
    });
    while (this.awaiting > 0 && (await this.nextReply(UDP_QUIET_MS)));
    this.wake = undefined;
    return sent.filter((e) => e.packet.expect.reply && e.replies === 0);
  }

  /**
   * Sends a correct query from the fuzz socket and waits for its answer. The server answers in
   * the order it reads and the socket delivers in order, so once it is back every reply the
   * server sent before it has arrived. False when the server never answered.
   */
  async flush(): Promise<boolean> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const bytes = query({ name: 'backend.example.svc.cluster.local' });
      const marker = this.track(withId({ kind: 'random', variant: 'flush marker', bytes, expect: { reply: true, rcodes: [RCODE.NOERROR] } }));
      const deadline = Date.now() + 1_000;
      while (marker.replies === 0 && Date.now() < deadline) await this.nextReply(deadline - Date.now());
      this.wake = undefined;
      if (marker.replies > 0) return true;
    }
    return false;
  }

  /** Counts the packets still unanswered and closes the socket. */
  async close(): Promise<void> {
    await new Promise((r) => setTimeout(r, UDP_QUIET_MS));
    for (const id of [...this.inFlight.keys()]) this.retire(id);
    this.socket.close();
  }
}

// --- TCP ------------------------------------------------------------------------------------

export type Closer = 'none' | 'unanswerable' | 'zero-length' | 'short-then-end';
export type WriteMode = 'one-write' | 'chunks' | 'byte-by-byte';

export interface TcpSession {
  messages: FuzzPacket[];
  closer: Closer;
  /** The message that makes the server hang up (QR set or shorter than a header). */
  unanswerable?: FuzzPacket;
  writeMode: WriteMode;
}

export function frame(msg: Buffer, claimed = msg.length): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(claimed, 0);
  return Buffer.concat([prefix, msg]);
}

/** Answerable messages first, then perhaps one thing that ends the connection. */
export function planSession(rng: Rng, budget: number): TcpSession {
  const messages: FuzzPacket[] = [];
  let unanswerable: FuzzPacket | undefined;
  const want = 1 + rng.int(Math.min(60, budget));
  while (messages.length < want) {
    const p = withId(fuzzPacket(rng));
    if (p.bytes.length === 0) continue; // a zero length prefix is its own closer
    if (p.expect.reply) messages.push(p);
    else unanswerable ??= p;
  }
  const closer = rng.pick(['none', 'none', 'unanswerable', 'unanswerable', 'zero-length', 'short-then-end'] as const);
  const size = messages.reduce((n, m) => n + m.bytes.length, 0);
  const writeMode = size < 1500 && rng.int(4) === 0 ? 'byte-by-byte' : rng.pick(['one-write', 'chunks'] as const);
  return { messages, closer: closer === 'unanswerable' && unanswerable === undefined ? 'none' : closer, writeMode, ...(unanswerable ? { unanswerable } : {}) };
}

function sessionBytes(s: TcpSession, rng: Rng): Buffer {
  const parts = s.messages.map((m) => frame(m.bytes));
  if (s.closer === 'unanswerable' && s.unanswerable) parts.push(frame(s.unanswerable.bytes));
  if (s.closer === 'zero-length') parts.push(frame(Buffer.alloc(0)));
  if (s.closer === 'short-then-end') parts.push(frame(rng.bytes(rng.int(40)), 41 + rng.int(65000)));
  return Buffer.concat(parts);
}

async function writeAll(sock: net.Socket, data: Buffer, mode: WriteMode, rng: Rng): Promise<void> {
  const write = (b: Buffer): Promise<void> => new Promise((resolve) => sock.write(b, () => resolve()));
  if (mode === 'one-write') return write(data);
  for (let at = 0; at < data.length;) {
    const n = mode === 'byte-by-byte' ? 1 : 1 + rng.int(200);
    await write(data.subarray(at, at + n));
    at += n;
  }
}

/** Runs one connection: every message answered in order, then the expected ending. True if it hung. */
export async function runSession(port: number, s: TcpSession, rng: Rng, findings: Findings, stats: Stats): Promise<boolean> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  let buffered = Buffer.alloc(0);
  let answered = 0;
  const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  sock.on('error', () => undefined); // a reset after the server hangs up is expected
  sock.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const reply = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + reply.length);
      const sent = s.messages[answered++];
      if (sent === undefined) {
        findings.add('tcp: a reply to a message that must end the connection', s.unanswerable ?? s.messages[0]!);
        return void sock.destroy();
      }
      bump(stats.replies, reply.length >= 4 ? reply.readUInt16BE(2) & 0xf : -1);
      const problem = replyProblem(sent, reply, 'tcp');
      if (problem !== undefined) findings.add(`tcp: ${problem}`, sent);
      if (answered === s.messages.length && (s.closer === 'none' || s.closer === 'short-then-end')) sock.end();
    }
  });
  const connected = await new Promise<boolean>((resolve) => {
    sock.once('connect', () => resolve(true));
    sock.once('close', () => resolve(false));
  });
  if (!connected) {
    findings.add('tcp: connection refused', s.messages[0]!);
    return true;
  }
  for (const m of s.messages) bump(stats.sent, `tcp ${m.kind}`);
  if (s.closer === 'unanswerable' && s.unanswerable) bump(stats.sent, `tcp ${s.unanswerable.kind}`);
  await writeAll(sock, sessionBytes(s, rng), s.writeMode, rng);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([closed.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), TCP_SESSION_MS)))]);
  clearTimeout(timer);
  stats.tcpSessions++;
  if (timedOut) sock.destroy();
  if (answered < s.messages.length) {
    findings.add(`tcp: connection ${timedOut ? 'hung' : 'closed'} after ${answered} of ${s.messages.length} replies (${s.writeMode}, closer ${s.closer})`, s.messages[answered]!);
  } else if (timedOut) findings.add(`tcp: the server kept the connection open after closer ${s.closer}`, s.unanswerable ?? s.messages[0]!);
  else if (s.closer === 'unanswerable' || s.closer === 'zero-length') stats.tcpClosedByServer++;
  return timedOut;
}
