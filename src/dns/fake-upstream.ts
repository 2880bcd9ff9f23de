/**
 * A scriptable upstream DNS server on loopback, for tests of the forwarder: each query is
 * handed to `behave`, which answers it (or misbehaves: wrong ID, wrong question, another
 * source port, truncation, silence). Over TCP it always answers properly.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer as WireAnswer, type DecodedPacket } from 'dns-packet';

export interface UpstreamQuery {
  packet: DecodedPacket;
  transport: 'udp' | 'tcp';
}

export type Behaviour =
  | { kind: 'answer'; rcode?: number; answers?: WireAnswer[]; authorities?: WireAnswer[]; truncated?: boolean; delayMs?: number }
  /** A forged reply; with `thenAnswer` the real one follows 20 ms later. */
  | { kind: 'wrong-id' | 'wrong-question' | 'wrong-source'; thenAnswer?: boolean }
  | { kind: 'silent' };

export interface FakeUpstream {
  host: string;
  port: number;
  queries: UpstreamQuery[];
  close(): Promise<void>;
}

function reply(query: DecodedPacket, b: Extract<Behaviour, { kind: 'answer' }>, overrides: { id?: number; name?: string } = {}): Buffer {
  const q = query.questions?.[0];
  const flags = dnsPacket.RECURSION_AVAILABLE | (b.truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | (b.rcode ?? 0);
  return dnsPacket.encode({
    type: 'response',
    id: overrides.id ?? query.id ?? 0,
    flags,
    questions: q ? [{ ...q, name: overrides.name ?? q.name }] : [],
    answers: b.truncated ? [] : (b.answers ?? []),
    authorities: b.authorities ?? [],
  });
}

/** An A answer for the asked name, as a default good behaviour. */
export function aRecord(name: string, ip: string, ttl = 60): WireAnswer {
  return { name, type: 'A', class: 'IN', ttl, data: ip };
}

export async function startFakeUpstream(behave: (q: DecodedPacket, transport: 'udp' | 'tcp') => Behaviour): Promise<FakeUpstream> {
  const queries: UpstreamQuery[] = [];
  const rogue = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => rogue.bind(0, '127.0.0.1', resolve));
  const { udp, tcp } = await bindPair((conn) => serveTcp(conn, queries, behave));
  const port = udp.address().port;
  udp.on('message', (msg, rinfo) => {
    const packet = dnsPacket.decode(msg);
    queries.push({ packet, transport: 'udp' });
    const b = behave(packet, 'udp');
    const good: Extract<Behaviour, { kind: 'answer' }> = b.kind === 'answer' ? b : { kind: 'answer', answers: [aRecord(packet.questions?.[0]?.name ?? '', '192.0.2.66')] };
    const send = (buf: Buffer, from = udp): void => from.send(buf, rinfo.port, rinfo.address);
    if (b.kind !== 'answer' && b.kind !== 'silent' && b.thenAnswer) setTimeout(() => send(reply(packet, good)), 20);
    switch (b.kind) {
      case 'answer':
        setTimeout(() => send(reply(packet, b)), b.delayMs ?? 0);
        return;
      case 'wrong-id':
        return send(reply(packet, good, { id: ((packet.id ?? 0) + 1) & 0xffff }));
      case 'wrong-question':
        return send(reply(packet, good, { name: 'poisoned.example' }));
      case 'wrong-source':
        return send(reply(packet, good), rogue);
      case 'silent':
        return;
    }
  });
  return {
    host: '127.0.0.1',
    port,
    queries,
    async close() {
      udp.close();
      rogue.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

function serveTcp(conn: net.Socket, queries: UpstreamQuery[], behave: (q: DecodedPacket, transport: 'udp' | 'tcp') => Behaviour): void {
  let pending = Buffer.alloc(0);
  conn.on('error', () => undefined);
  conn.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + msg.length);
      const packet = dnsPacket.decode(msg);
      queries.push({ packet, transport: 'tcp' });
      const b = behave(packet, 'tcp');
      const out = reply(packet, b.kind === 'answer' ? { ...b, truncated: false } : { kind: 'answer' });
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(out.length, 0);
      conn.write(Buffer.concat([prefix, out]));
    }
  });
}

/** A UDP socket and a TCP listener on the same free port (another pair if TCP's is taken). */
async function bindPair(onConnection: (conn: net.Socket) => void): Promise<{ udp: dgram.Socket; tcp: net.Server }> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const tcp = net.createServer(onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(udp.address().port, '127.0.0.1', () => resolve());
      });
      return { udp, tcp };
    } catch (err) {
      udp.close();
      if (attempt >= 10) throw err;
    }
  }
}
