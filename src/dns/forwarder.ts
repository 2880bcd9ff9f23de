/**
 * The upstream forwarder for names outside the cluster domain. Each upstream query goes out
 * from its own socket (a fresh source port) with a random ID, and a reply is taken only when
 * it comes from the upstream's address and port, carries that ID, is a response, and asks the
 * same question; anything else is ignored, as a spoofed packet must be. Truncated replies are
 * asked again over TCP. In-flight queries are bounded (REFUSED above the bound, as CoreDNS's
 * `max_concurrent`), identical questions in flight share one upstream query, and answers are
 * cached by their TTL (negative answers by the SOA minimum), with a size bound.
 */
import dgram from 'node:dgram';
import net, { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import dnsPacket, { type Answer as WireAnswer } from 'dns-packet';
import type { Logger } from '../lib/log.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  log: Logger;
  /** How long to wait for one upstream before trying the next, default 2000 ms. */
  timeoutMs?: number;
  /** Upstream queries in flight at once; more are REFUSED. Default 1000 (CoreDNS's default Corefile). */
  maxConcurrent?: number;
  /** Cached questions kept at most, default 10,000 (oldest dropped first). */
  cacheSize?: number;
  /** Longest time a positive answer is cached, default 3600 s. */
  maxTtl?: number;
  /** Longest time a negative answer is cached, default 300 s. */
  maxNegativeTtl?: number;
  now?: () => number;
}

/** An upstream answer, ready to be written under another header. */
export interface Forwarded {
  /** 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED ... */
  rcode: number;
  answers: WireAnswer[];
  authorities: WireAnswer[];
  additionals: WireAnswer[];
  /** True when served from the cache. */
  cached: boolean;
}

export interface ForwarderStats {
  queries: number;
  cacheHits: number;
  refused: number;
  failures: number;
  inFlight: number;
}

interface CacheEntry {
  reply: Omit<Forwarded, 'cached'>;
  storedAt: number;
  expiresAt: number;
}

const DEFAULT_TIMEOUT_MS = 2000;
const EDNS_PAYLOAD = 1232;
const SERVFAIL = 2;
const REFUSED = 5;

/** The nameservers of a resolv.conf, as the host's resolver would use them. */
export function upstreamsFromResolvConf(path = '/etc/resolv.conf'): Upstream[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    // The forwarder runs in the host's network namespace, so the host's nameservers (a
    // link-local one with its zone index too) are reachable as they are.
    return m?.[1] && net.isIP(m[1]) ? [{ host: m[1], port: 53 }] : [];
  });
}

function failure(rcode: number): Forwarded {
  return { rcode, answers: [], authorities: [], additionals: [], cached: false };
}

function sameQuestion(reply: dnsPacket.DecodedPacket, name: string, type: string, qclass: string): boolean {
  const q = reply.questions;
  if (q?.length !== 1 || q[0] === undefined) return false;
  return q[0].name.toLowerCase() === name.toLowerCase() && q[0].type === type && (q[0].class ?? 'IN') === qclass;
}

/** How long an answer may be cached: its smallest TTL, or for a negative answer the SOA's. */
function cacheSeconds(reply: Omit<Forwarded, 'cached'>, maxTtl: number, maxNegative: number): number {
  if (reply.rcode !== 0 && reply.rcode !== 3) return 0;
  if (reply.answers.length > 0) return Math.min(maxTtl, ...reply.answers.map((a) => ('ttl' in a ? (a.ttl ?? 0) : 0)));
  const soa = reply.authorities.find((a) => a.type === 'SOA');
  if (soa?.type !== 'SOA') return 0;
  return Math.min(maxNegative, soa.ttl ?? 0, soa.data.minimum ?? 0);
}

function withAgedTtl(records: WireAnswer[], elapsed: number): WireAnswer[] {
  return records.map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.max(0, (r.ttl ?? 0) - elapsed) }));
}

export class Forwarder {
  private readonly upstreams: Upstream[];
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly maxConcurrent: number;
  private readonly cacheSize: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<Forwarded>>();
  private readonly sockets = new Set<dgram.Socket | net.Socket>();
  private closed = false;
  readonly stats: ForwarderStats = { queries: 0, cacheHits: 0, refused: 0, failures: 0, inFlight: 0 };

  constructor(opts: ForwarderOptions) {
    this.upstreams = opts.upstreams;
    this.log = opts.log;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxConcurrent = opts.maxConcurrent ?? 1000;
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.maxTtl = opts.maxTtl ?? 3600;
    this.maxNegativeTtl = opts.maxNegativeTtl ?? 300;
    this.now = opts.now ?? Date.now;
  }

  get hasUpstreams(): boolean {
    return this.upstreams.length > 0;
  }

  /** Resolves one question upstream (or from the cache). Never rejects: failures are SERVFAIL. */
  resolve(name: string, type: string, qclass = 'IN'): Promise<Forwarded> {
    this.stats.queries++;
    const key = `${name.toLowerCase()}|${type}|${qclass}`;
    const hit = this.fromCache(key);
    if (hit) {
      this.stats.cacheHits++;
      return Promise.resolve(hit);
    }
    const shared = this.pending.get(key);
    if (shared) return shared;
    if (this.closed || this.upstreams.length === 0) return Promise.resolve(failure(SERVFAIL));
    if (this.stats.inFlight >= this.maxConcurrent) {
      this.stats.refused++;
      return Promise.resolve(failure(REFUSED));
    }
    this.stats.inFlight++;
    const query = this.ask(name, type, qclass).then((reply) => {
      const ttl = cacheSeconds(reply, this.maxTtl, this.maxNegativeTtl);
      if (ttl > 0) this.store(key, reply, ttl);
      return { ...reply, cached: false };
    });
    this.pending.set(key, query);
    void query.finally(() => {
      this.stats.inFlight--;
      this.pending.delete(key);
    });
    return query;
  }

  close(): void {
    this.closed = true;
    for (const s of this.sockets) {
      try {
        if (s instanceof net.Socket) s.destroy();
        else s.close();
      } catch {
        // already closed
      }
    }
    this.sockets.clear();
  }

  private fromCache(key: string): Forwarded | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.expiresAt) {
      this.cache.delete(key);
      return undefined;
    }
    const elapsed = Math.floor((now - entry.storedAt) / 1000);
    const r = entry.reply;
    return {
      rcode: r.rcode,
      answers: withAgedTtl(r.answers, elapsed),
      authorities: withAgedTtl(r.authorities, elapsed),
      additionals: withAgedTtl(r.additionals, elapsed),
      cached: true,
    };
  }

  private store(key: string, reply: Omit<Forwarded, 'cached'>, ttl: number): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    const now = this.now();
    this.cache.set(key, { reply, storedAt: now, expiresAt: now + ttl * 1000 });
  }

  /** Tries each upstream in turn until one answers. */
  private async ask(name: string, type: string, qclass: string): Promise<Omit<Forwarded, 'cached'>> {
    for (const upstream of this.upstreams) {
      try {
        let reply = await this.askUdp(upstream, name, type, qclass);
        if (reply.flag_tc) reply = await this.askTcp(upstream, name, type, qclass);
        return {
          rcode: (reply.flags ?? 0) & 0xf,
          answers: reply.answers ?? [],
          authorities: reply.authorities ?? [],
          additionals: (reply.additionals ?? []).filter((a) => a.type !== 'OPT'),
        };
      } catch (err) {
        this.log.debug({ err, upstream, name, type }, 'dns: upstream did not answer');
      }
    }
    this.stats.failures++;
    return failure(SERVFAIL);
  }

  private encodeQuery(id: number, name: string, type: string, qclass: string): Buffer {
    return dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name, type: type as dnsPacket.RecordType, class: qclass as 'IN' }],
      additionals: [{ name: '.', type: 'OPT', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
  }

  /** The reply if it answers this query; undefined for anything else (ignored, not fatal). */
  private accept(buf: Buffer, id: number, name: string, type: string, qclass: string): dnsPacket.DecodedPacket | undefined {
    try {
      const reply = dnsPacket.decode(buf);
      if (reply.id !== id || !reply.flag_qr || !sameQuestion(reply, name, type, qclass)) return undefined;
      return reply;
    } catch {
      return undefined;
    }
  }

  private askUdp(upstream: Upstream, name: string, type: string, qclass: string): Promise<dnsPacket.DecodedPacket> {
    const id = randomInt(0x10000);
    const socket = dgram.createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
    this.sockets.add(socket);
    return new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('upstream timed out')), this.timeoutMs);
      socket.on('error', reject);
      socket.on('message', (msg, rinfo) => {
        if (rinfo.address !== upstream.host || rinfo.port !== upstream.port) return;
        const reply = this.accept(msg, id, name, type, qclass);
        if (reply) resolve(reply);
      });
      socket.send(this.encodeQuery(id, name, type, qclass), upstream.port, upstream.host, (err) => err && reject(err));
      socket.once('close', () => clearTimeout(timer));
    }).finally(() => {
      this.sockets.delete(socket);
      try {
        socket.close();
      } catch {
        // already closed by close()
      }
    });
  }

  private askTcp(upstream: Upstream, name: string, type: string, qclass: string): Promise<dnsPacket.DecodedPacket> {
    const id = randomInt(0x10000);
    const conn = net.connect({ host: upstream.host, port: upstream.port });
    this.sockets.add(conn);
    return new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
      conn.setTimeout(this.timeoutMs, () => reject(new Error('upstream timed out (tcp)')));
      conn.on('error', reject);
      conn.on('close', () => reject(new Error('upstream closed the connection')));
      let pending = Buffer.alloc(0);
      conn.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
          const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
          pending = pending.subarray(2 + msg.length);
          const reply = this.accept(msg, id, name, type, qclass);
          if (reply) return resolve(reply);
        }
      });
      const query = this.encodeQuery(id, name, type, qclass);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length, 0);
      conn.write(Buffer.concat([prefix, query]));
    }).finally(() => {
      this.sockets.delete(conn);
      conn.destroy();
    });
  }
}
