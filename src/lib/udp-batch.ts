/**
 * Batched UDP I/O for a server socket, through the native addon in native/udp-batch
 * (recvmmsg/sendmmsg, Linux). Node's dgram pays one JS callback per datagram and one send
 * call per reply; here a whole batch of datagrams arrives in one callback and its replies
 * leave in one system call.
 *
 * The addon is optional: when it is not built, or fails to load, `openBatchSocket` returns
 * undefined and the caller uses dgram. `udpBatchUnavailable()` says why.
 */
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The addon's own surface (native/udp-batch/src/udp_batch.c). */
interface Addon {
  ADDR_STRIDE: number;
  BATCH: number;
  open(
    host: string,
    port: number,
    ipv6: boolean,
    threaded: boolean,
    onBatch: (buf: Buffer, count: number) => void,
    maxBatch: number,
  ): { handle: object; port: number };
  close(handle: object): void;
  sendBatch(handle: object, replies: ReadonlyArray<Buffer | undefined>, addrs: Buffer): number;
  stats(handle: object): BatchSocketStats;
}

export interface BatchSocketStats {
  /** Datagrams handed to JS. */
  received: number;
  /** JS callbacks made (received / batches is the mean batch size). */
  batches: number;
  /** Datagrams longer than 1500 bytes, dropped. */
  truncated: number;
  sent: number;
  /** Replies the kernel refused or that found the send buffer full. */
  send_dropped: number;
}

/** One received batch. Views share one Buffer that JS may keep (nothing is reused). */
export interface ReceivedBatch {
  readonly count: number;
  /** Datagram i, as a view (no copy). */
  packet(i: number): Buffer;
  /** Where datagram i came from: an opaque key for `sendTo`, decodable by `sourceAddress`. */
  source(i: number): Buffer;
}

export interface BatchSocket {
  readonly port: number;
  /**
   * Sends replies[i] to the source of datagram i of `batch` in one sendmmsg; an undefined
   * entry sends nothing. Returns how many were sent.
   */
  reply(batch: ReceivedBatch, replies: ReadonlyArray<Buffer | undefined>): number;
  /** Sends one datagram to a source kept from an earlier batch (answers that come later). */
  sendTo(source: Buffer, data: Buffer): number;
  stats(): BatchSocketStats;
  /** Stops receiving and closes the socket; no callback runs after it returns. Idempotent. */
  close(): void;
}

export interface BatchSocketOptions {
  host: string;
  /** 0 picks a free port; see `BatchSocket.port`. */
  port: number;
  /**
   * 'loop' (default) receives on the main thread when libuv says the socket is readable: no
   * thread, the least CPU per datagram. 'thread' receives on a native thread and hands
   * batches over, overlapping receiving with JS; it did better when the CPUs were contended.
   */
  mode?: 'loop' | 'thread';
  /** Most datagrams per receive call and per onBatch, 1..64 (default 64). */
  maxBatch?: number;
  onBatch(batch: ReceivedBatch, socket: BatchSocket): void;
  /** Hears what onBatch throws; without it the error is uncaught, as for an event handler. */
  onError?(err: unknown): void;
  /** Where the compiled addon is; by default native/udp-batch/build/Release beside src/. */
  addonPath?: string;
}

const addonFile = 'native/udp-batch/build/Release/udp_batch.node';
// From src/lib (tsx) and from dist/src/lib (compiled) to the repository root.
const defaultPaths = [new URL(`../../${addonFile}`, import.meta.url), new URL(`../../../${addonFile}`, import.meta.url)];

let loaded: { addon?: Addon; path?: string; reason?: string } | undefined;

function isAddon(value: unknown): value is Addon {
  if (typeof value !== 'object' || value === null) return false;
  const fns = ['open', 'close', 'sendBatch', 'stats'];
  return fns.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

function loadFrom(paths: ReadonlyArray<string | URL>): { addon?: Addon; path?: string; reason?: string } {
  const require = createRequire(import.meta.url);
  const reasons: string[] = [];
  for (const path of paths) {
    const file = path instanceof URL ? fileURLToPath(path) : path;
    try {
      const mod: unknown = require(file);
      if (isAddon(mod)) return { addon: mod, path: file };
      reasons.push(`${file}: not the udp-batch addon`);
    } catch (err) {
      reasons.push(`${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  return { reason: `udp-batch addon unavailable (${reasons.join('; ')})` };
}

function load(addonPath: string | undefined): Addon | undefined {
  if (addonPath !== undefined) return loadFrom([addonPath]).addon;
  loaded ??= loadFrom(defaultPaths);
  return loaded.addon;
}

/** Where the default addon was loaded from, or undefined when it is unavailable. */
export function udpBatchAddonPath(): string | undefined {
  loaded ??= loadFrom(defaultPaths);
  return loaded.path;
}

/** Why the addon cannot be used, or undefined when it can. */
export function udpBatchUnavailable(): string | undefined {
  loaded ??= loadFrom(defaultPaths);
  return loaded.reason;
}

class Batch implements ReceivedBatch {
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];

  constructor(
    readonly buf: Buffer,
    readonly count: number,
    private readonly stride: number,
  ) {
    const lensAt = count * stride;
    let at = lensAt + count * 2;
    for (let i = 0; i < count; i++) {
      const length = buf.readUInt16LE(lensAt + i * 2);
      this.starts.push(at);
      this.lengths.push(length);
      at += length;
    }
  }

  packet(i: number): Buffer {
    const start = this.starts[i];
    if (start === undefined) throw new RangeError(`udp-batch: no datagram ${i} in a batch of ${this.count}`);
    return this.buf.subarray(start, start + (this.lengths[i] ?? 0));
  }

  source(i: number): Buffer {
    if (i < 0 || i >= this.count) throw new RangeError(`udp-batch: no datagram ${i} in a batch of ${this.count}`);
    return this.buf.subarray(i * this.stride, (i + 1) * this.stride);
  }

  /** The sources of all datagrams, back to back, as sendBatch takes them. */
  sources(): Buffer {
    return this.buf.subarray(0, this.count * this.stride);
  }
}

/** The addon's errors carry errno; give them dgram's `code` (EADDRINUSE ...) as well. */
function openAddon(addon: Addon, opts: BatchSocketOptions, onBatch: (buf: Buffer, count: number) => void): { handle: object; port: number } {
  try {
    return addon.open(opts.host, opts.port, isIPv6(opts.host), opts.mode === 'thread', onBatch, opts.maxBatch ?? addon.BATCH);
  } catch (err) {
    if (err instanceof Error && 'errno' in err && typeof err.errno === 'number') {
      const errno = err.errno;
      const code = Object.entries(constants.errno).find(([, value]) => value === errno)?.[0];
      if (code) Object.assign(err, { code });
    }
    throw err;
  }
}

/**
 * Opens a batching UDP socket, or returns undefined when the addon is not available. Throws
 * what bind throws (with `code`, e.g. EADDRINUSE), like dgram.
 */
export function openBatchSocket(opts: BatchSocketOptions): BatchSocket | undefined {
  const addon = load(opts.addonPath);
  if (!addon) return undefined;
  const stride = addon.ADDR_STRIDE;
  let socket: BatchSocket | undefined;
  const onBatch = (buf: Buffer, count: number): void => {
    if (!socket) return;
    try {
      opts.onBatch(new Batch(buf, count, stride), socket);
    } catch (err) {
      if (!opts.onError) throw err;
      opts.onError(err);
    }
  };
  const opened = openAddon(addon, opts, onBatch);
  const { handle } = opened;
  socket = {
    port: opened.port,
    reply: (batch, replies) => {
      if (!(batch instanceof Batch)) throw new TypeError('udp-batch: reply needs a batch from this socket');
      return addon.sendBatch(handle, replies, batch.sources());
    },
    sendTo: (source, data) => addon.sendBatch(handle, [data], source),
    stats: () => addon.stats(handle),
    close: () => addon.close(handle),
  };
  return socket;
}

export interface SourceAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** Decodes a source key (a Linux struct sockaddr_in or sockaddr_in6) for logs and tests. */
export function sourceAddress(source: Buffer): SourceAddress {
  // sa_family is in host byte order (little-endian on the machines we run on); the port is
  // in network order.
  const family = source.readUInt16LE(0);
  const port = source.readUInt16BE(2);
  if (family === 2) return { address: [...source.subarray(4, 8)].join('.'), port, family: 'IPv4' };
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(source.readUInt16BE(8 + i * 2).toString(16));
  return { address: compressIPv6(groups), port, family: 'IPv6' };
}

/** RFC 5952 form: the longest run of two or more zero groups becomes '::'. */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}
