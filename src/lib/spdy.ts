/**
 * The server side of SPDY/3.1 as Kubernetes' streaming clients use it (kubectl port-forward,
 * and exec's fallback): a session over one byte stream (an upgraded HTTP connection, or a
 * WebSocket that tunnels it), where the client opens streams with SYN_STREAM and a few
 * headers, the server accepts each with SYN_REPLY, and both sides send DATA frames, FIN to end
 * their half and RST_STREAM to abort. Header blocks are zlib-compressed with one context per
 * direction for the whole session, primed with the SPDY/3 dictionary. Flow control is not
 * enforced by Kubernetes' peer (spdystream), so WINDOW_UPDATE is read and ignored.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';

const CONTROL = 0x80;
const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
/** RST_STREAM status codes used here. */
export const RST = { protocolError: 1, invalidStream: 2, cancel: 5, internalError: 6 } as const;
/** Frames longer than this are refused (the length field allows 16 MiB). */
const MAX_FRAME = 1 << 24;
const MAX_DATA = 32 * 1024;

/** The SPDY/3 header compression dictionary: length-prefixed names, then a raw tail. */
function dictionary(): Buffer {
  const names = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
  ];
  const tail = [
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505',
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized',
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable',
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT',
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,',
    'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.',
  ].join('');
  const parts: Buffer[] = [];
  for (const n of names) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(n.length);
    parts.push(len, Buffer.from(n, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
}

export const SPDY3_DICTIONARY = dictionary();

/** Encodes a header block (before compression): count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

/** Decodes a decompressed header block; repeated values (NUL-separated) are joined with ", ". */
export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  if (block.length < 4) throw new Error('header block too short');
  const count = block.readUInt32BE(0);
  let at = 4;
  const take = (): string => {
    if (at + 4 > block.length) throw new Error('header block truncated');
    const len = block.readUInt32BE(at);
    at += 4;
    if (at + len > block.length) throw new Error('header block truncated');
    const s = block.subarray(at, at + len).toString('utf8');
    at += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take().toLowerCase();
    headers[name] = take().split('\0').join(', ');
  }
  return headers;
}

/** One zlib context for a whole session direction: each block is flushed with Z_SYNC_FLUSH. */
class HeaderCodec {
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  private inChain: Promise<unknown> = Promise.resolve();
  private outChain: Promise<unknown> = Promise.resolve();

  constructor() {
    // Errors surface through the flush callbacks below; keep the streams from throwing.
    this.inflate.on('error', () => undefined);
    this.deflate.on('error', () => undefined);
  }

  private static run(z: zlib.Inflate | zlib.Deflate, input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (c: Buffer): void => void chunks.push(c);
      const onError = (err: Error): void => {
        z.off('data', onData);
        reject(err);
      };
      z.on('data', onData);
      z.once('error', onError);
      z.write(input);
      z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        z.off('data', onData);
        z.off('error', onError);
        resolve(Buffer.concat(chunks));
      });
    });
  }

  decompress(input: Buffer): Promise<Buffer> {
    const p = this.inChain.then(() => HeaderCodec.run(this.inflate, input));
    this.inChain = p.catch(() => undefined);
    return p;
  }

  compress(input: Buffer): Promise<Buffer> {
    const p = this.outChain.then(() => HeaderCodec.run(this.deflate, input));
    this.outChain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.inflate.destroy();
    this.deflate.destroy();
  }
}

/** A control frame (version 3) around `body`. */
export function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(body.length, 4);
  head[4] = flags;
  return Buffer.concat([head, body]);
}

/** A DATA frame of one stream. */
export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(data.length, 4);
  head[4] = flags;
  return Buffer.concat([head, data]);
}

/**
 * One stream of a session, as a Duplex: reading yields the peer's DATA, writing sends DATA,
 * `end()` sends FIN. `reset()` aborts it with RST_STREAM.
 */
export class SpdyStream extends Duplex {
  private finSent = false;
  private finReceived = false;

  constructor(readonly id: number, readonly headers: Record<string, string>, private readonly session: SpdySession) {
    super({ allowHalfOpen: true });
  }

  /** Accepts the stream (SYN_REPLY), with optional headers. */
  reply(headers: Record<string, string> = {}): Promise<void> {
    return this.session.sendReply(this.id, headers);
  }

  reset(status: number = RST.cancel): void {
    this.session.sendReset(this.id, status);
    this.closed_(true);
  }

  /** Called by the session. */
  receive(data: Buffer, fin: boolean): void {
    if (this.finReceived) return;
    if (data.length > 0) this.push(data);
    if (fin) {
      this.finReceived = true;
      this.push(null);
      this.maybeDone();
    }
  }

  /** Called by the session when the peer resets the stream or the session ends. */
  closed_(reset: boolean): void {
    if (!this.finReceived) {
      this.finReceived = true;
      this.push(null);
    }
    this.finSent = true;
    this.session.forget(this.id);
    if (reset) this.destroy();
  }

  private maybeDone(): void {
    if (this.finSent && this.finReceived) this.session.forget(this.id);
  }

  override _read(): void {
    /* data is pushed as frames arrive */
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.finSent) return cb(new Error('stream closed'));
    for (let at = 0; at < chunk.length; at += MAX_DATA) this.session.sendData(this.id, chunk.subarray(at, at + MAX_DATA), false);
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.finSent) {
      this.finSent = true;
      this.session.sendData(this.id, Buffer.alloc(0), true);
      this.maybeDone();
    }
    cb();
  }
}

export interface SpdySessionEvents {
  stream: [SpdyStream];
  close: [];
}

/**
 * A server session over `transport`. Emits 'stream' for each SYN_STREAM (the handler calls
 * `reply()` to accept it) and 'close' when the transport ends or the peer sends GOAWAY.
 */
export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly codec = new HeaderCodec();
  /** Frames are handled one at a time, in order (header blocks decompress asynchronously). */
  private handling: Promise<void> = Promise.resolve();
  /** Writes keep their order even when a SYN_REPLY waits on compression. */
  private writing: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(private readonly transport: Duplex) {
    super();
    transport.on('data', (chunk: Buffer) => this.onData(chunk));
    transport.on('end', () => this.close());
    transport.on('close', () => this.close());
    transport.on('error', () => this.close());
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (length >= MAX_FRAME) return this.fail();
      if (this.buffered.length < 8 + length) return;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      this.handling = this.handling.then(() => this.handle(frame)).catch(() => this.fail());
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.ended) return;
    const flags = frame[4] ?? 0;
    const body = frame.subarray(8);
    if (((frame[0] ?? 0) & CONTROL) === 0) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const stream = this.streams.get(id);
      if (stream) stream.receive(Buffer.from(body), (flags & FLAG_FIN) !== 0);
      else this.sendReset(id, RST.invalidStream);
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case SYN_STREAM: {
        if (body.length < 10) return this.fail();
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.codec.decompress(body.subarray(10)));
        const stream = new SpdyStream(id, headers, this);
        this.streams.set(id, stream);
        if (flags & FLAG_FIN) stream.receive(Buffer.alloc(0), true);
        this.emit('stream', stream);
        return;
      }
      case RST_STREAM: {
        if (body.length < 8) return this.fail();
        this.streams.get(body.readUInt32BE(0) & 0x7fffffff)?.closed_(true);
        return;
      }
      case PING:
        // The peer's ping comes back unchanged.
        this.write(controlFrame(PING, 0, Buffer.from(body)));
        return;
      case GOAWAY:
        this.close();
        return;
      default:
        // SYN_REPLY, SETTINGS, HEADERS and WINDOW_UPDATE need no answer from this server.
        return;
    }
  }

  private write(bytes: Buffer | Promise<Buffer>): void {
    const next = this.writing.then(async () => {
      const b = await bytes;
      if (!this.ended && !this.transport.destroyed) this.transport.write(b);
    });
    this.writing = next.catch(() => this.fail());
  }

  sendReply(id: number, headers: Record<string, string>): Promise<void> {
    const body = this.codec.compress(encodeHeaderBlock(headers)).then((block) => {
      const streamId = Buffer.alloc(4);
      streamId.writeUInt32BE(id & 0x7fffffff);
      return controlFrame(SYN_REPLY, 0, Buffer.concat([streamId, block]));
    });
    this.write(body);
    return body.then(() => undefined);
  }

  sendData(id: number, data: Buffer, fin: boolean): void {
    this.write(dataFrame(id, fin ? FLAG_FIN : 0, data));
  }

  sendReset(id: number, status: number): void {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(id & 0x7fffffff, 0);
    body.writeUInt32BE(status, 4);
    this.write(controlFrame(RST_STREAM, 0, body));
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  private fail(): void {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(1, 4);
    if (!this.ended && !this.transport.destroyed) this.transport.write(controlFrame(GOAWAY, 0, body));
    this.close();
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const s of [...this.streams.values()]) s.closed_(true);
    this.streams.clear();
    this.codec.close();
    this.transport.end();
    this.emit('close');
  }
}
