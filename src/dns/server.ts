/**
 * UDP and TCP listeners around `respond`. Each listen address gets one UDP socket and one TCP
 * server on the same port. Errors on one packet or connection are logged and dropped; they
 * never reach the process.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { isIPv6 } from 'node:net';
import type { Logger } from '../lib/log.js';
import type { RecordIndex } from './records.js';
import type { Forwarder } from './forwarder.js';
import { respond, type Outcome } from './wire.js';
import { AnswerCache } from './answer-cache.js';
import { openBatchSocket } from '../lib/udp-batch.js';

export interface ListenAddress {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  /**
   * Forward names outside the zone to the upstreams. Only for listeners that cluster clients
   * alone can reach; a listener on the host's loopback answers cluster names only, so it is
   * not an open resolver.
   */
  recursion?: boolean;
  /**
   * Sockets already bound at host:port (in a sandbox namespace, passed over by its broker);
   * the server answers on them instead of binding its own.
   */
  sockets?: { udp: dgram.Socket; tcp: net.Server };
}

export interface DnsServerOptions {
  index: RecordIndex;
  synced: () => boolean;
  log: Logger;
  listen: ListenAddress[];
  forwarder?: Forwarder;
  /** Server-side search-path completion, default on. */
  complete?: boolean;
  /** UDP through the batching addon when it is built (default), or always through dgram. */
  udp?: 'batch' | 'dgram';
  /** Hears each query's outcome and how long it took, in seconds. */
  observe?: (outcome: Outcome, seconds: number) => void;
}

export interface DnsServer {
  /** The bound addresses, one per listen entry, with the real port. */
  addresses(): ListenAddress[];
  close(): Promise<void>;
}

/** A client that sends nothing for this long is dropped (RFC 7766 suggests seconds). */
const TCP_IDLE_MS = 10_000;
const MAX_TCP_MESSAGE = 65535;

/**
 * Answers one message and hands the reply to `send` (at once for zone answers, later for
 * forwarded ones); `drop` runs when there is nothing to send.
 */
interface Context {
  transport: 'udp' | 'tcp';
  recursion: boolean;
  cache: AnswerCache;
}

function answer(opts: DnsServerOptions, msg: Buffer, ctx: Context, send: (reply: Buffer) => void, drop: () => void): void {
  const started = opts.observe ? process.hrtime.bigint() : 0n;
  let outcome: Outcome | undefined;
  const finish = (reply: Buffer | undefined): void => {
    if (outcome && opts.observe) opts.observe(outcome, Number(process.hrtime.bigint() - started) / 1e9);
    if (reply) send(reply);
    else drop();
  };
  const fail = (err: unknown): void => {
    opts.log.warn({ err }, 'dns: failed to answer a query');
    drop();
  };
  try {
    const reply = respond(
      opts.index,
      msg,
      {
        synced: opts.synced(),
        transport: ctx.transport,
        cache: ctx.cache,
        ...(ctx.recursion && opts.forwarder ? { forwarder: opts.forwarder } : {}),
        ...(opts.complete === undefined ? {} : { complete: opts.complete }),
      },
      opts.observe ? (o) => (outcome = o) : undefined,
    );
    if (reply instanceof Promise) reply.then(finish, fail);
    else finish(reply);
  } catch (err) {
    fail(err);
  }
}

/** A bound UDP listener, whichever way it receives. */
interface UdpListener {
  port: number;
  close(): void;
}

/**
 * UDP through the batching addon (native/udp-batch): many datagrams per call in and out.
 * Zone answers of a batch go out in one sendmmsg; forwarded ones later, one at a time.
 * Undefined when the addon is not built, and the caller falls back to dgram.
 */
function bindBatchedUdp(opts: DnsServerOptions, addr: ListenAddress, cache: AnswerCache): UdpListener | undefined {
  if (opts.udp === 'dgram') return undefined;
  const ctx: Context = { transport: 'udp', recursion: addr.recursion === true, cache };
  const noop = (): void => undefined;
  const socket = openBatchSocket({
    host: addr.host,
    port: addr.port,
    onBatch(batch, s) {
      const replies: (Buffer | undefined)[] = new Array<Buffer | undefined>(batch.count);
      let inBatch = true;
      for (let i = 0; i < batch.count; i++) {
        const index = i;
        answer(opts, batch.packet(i), ctx, (reply) => {
          if (inBatch) replies[index] = reply;
          else s.sendTo(batch.source(index), reply);
        }, noop);
      }
      inBatch = false;
      s.reply(batch, replies);
    },
    onError: (err) => opts.log.warn({ err }, 'dns: failed to answer a batch'),
  });
  return socket ? { port: socket.port, close: () => socket.close() } : undefined;
}

async function bindAnyUdp(opts: DnsServerOptions, addr: ListenAddress, cache: AnswerCache): Promise<UdpListener> {
  if (addr.sockets) {
    const socket = addr.sockets.udp;
    serveUdp(opts, socket, { transport: 'udp', recursion: addr.recursion === true, cache });
    return { port: socket.address().port, close: () => socket.close() };
  }
  const batched = bindBatchedUdp(opts, addr, cache);
  if (batched) return batched;
  const socket = await bindUdp(opts, addr, cache);
  return { port: socket.address().port, close: () => socket.close() };
}

function serveUdp(opts: DnsServerOptions, socket: dgram.Socket, ctx: Context): void {
  const noop = (): void => undefined;
  socket.on('message', (msg, rinfo) => {
    answer(opts, msg, ctx, (reply) => socket.send(reply, rinfo.port, rinfo.address, (err) => err && opts.log.debug({ err }, 'dns: udp send failed')), noop);
  });
}

function bindUdp(opts: DnsServerOptions, addr: ListenAddress, cache: AnswerCache): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4' });
  serveUdp(opts, socket, { transport: 'udp', recursion: addr.recursion === true, cache });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(addr.port, addr.host, () => {
      socket.off('error', reject);
      socket.on('error', (err) => opts.log.warn({ err }, 'dns: udp socket error'));
      resolve(socket);
    });
  });
}

/** Reads length-prefixed messages (RFC 1035 4.2.2) and answers each in order. */
function serveConnection(opts: DnsServerOptions, conn: net.Socket, ctx: Context): void {
  const send = (reply: Buffer): void => {
    if (conn.destroyed) return;
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(reply.length, 0);
    conn.write(Buffer.concat([prefix, reply]));
  };
  const drop = (): void => void conn.destroy();
  let pending = Buffer.alloc(0);
  conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
  conn.on('error', (err) => opts.log.debug({ err }, 'dns: tcp connection error'));
  conn.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (length === 0 || length > MAX_TCP_MESSAGE) return void conn.destroy();
      if (pending.length < 2 + length) return;
      const msg = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      // Forwarded answers may come back out of order; RFC 7766 lets clients match them by ID.
      answer(opts, msg, ctx, send, drop);
      if (conn.destroyed) return;
    }
  });
}

function bindTcp(opts: DnsServerOptions, addr: ListenAddress, conns: Set<net.Socket>, cache: AnswerCache): Promise<net.Server> {
  const ctx: Context = { transport: 'tcp', recursion: addr.recursion === true, cache };
  const onConnection = (conn: net.Socket): void => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    serveConnection(opts, conn, ctx);
  };
  if (addr.sockets) {
    addr.sockets.tcp.on('connection', onConnection);
    return Promise.resolve(addr.sockets.tcp);
  }
  const server = net.createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      server.on('error', (err) => opts.log.warn({ err }, 'dns: tcp server error'));
      resolve(server);
    });
  });
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const udp: UdpListener[] = [];
  const tcp: net.Server[] = [];
  const bound: ListenAddress[] = [];
  const conns = new Set<net.Socket>();
  // Encoded zone answers, shared by every listener of this server.
  const cache = new AnswerCache();
  const close = async (): Promise<void> => {
    for (const s of udp) s.close();
    const closing = tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const c of conns) c.destroy();
    await Promise.all(closing);
  };
  try {
    for (const addr of opts.listen) {
      // Port 0: use the port the kernel gave UDP for TCP as well; if that TCP port is taken,
      // try another pair (a few times) rather than fail.
      for (let attempt = 0; ; attempt++) {
        const socket = await bindAnyUdp(opts, addr, cache);
        const port = socket.port;
        try {
          tcp.push(await bindTcp(opts, { ...addr, port }, conns, cache));
        } catch (err) {
          socket.close();
          const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
          if (addr.port !== 0 || !inUse || attempt >= 10) throw err;
          continue;
        }
        udp.push(socket);
        bound.push({ ...addr, port });
        break;
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { addresses: () => bound.map((a) => ({ ...a })), close };
}
