/**
 * A UDP DNS client for the benchmark's own queries (readiness, answer comparison, change
 * latency): one socket on loopback, queries matched to replies by id.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';

export class DnsProbe {
  private readonly socket = dgram.createSocket('udp4');
  private readonly pending = new Map<number, (p: DecodedPacket) => void>();
  private nextId = 1;
  /** Replies that did not decode; the section reports them rather than hiding them. */
  malformed = 0;

  private constructor(private readonly port: number) {
    this.socket.on('message', (msg) => this.receive(msg));
  }

  static async open(port: number): Promise<DnsProbe> {
    const probe = new DnsProbe(port);
    await new Promise<void>((done) => probe.socket.bind(0, '127.0.0.1', done));
    return probe;
  }

  private receive(msg: Buffer): void {
    let packet: DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch {
      this.malformed++;
      return;
    }
    const waiter = this.pending.get(packet.id ?? -1);
    this.pending.delete(packet.id ?? -1);
    waiter?.(packet);
  }

  /** One query; undefined when no reply came within `timeoutMs`. */
  query(name: string, type: RecordType, timeoutMs = 1000): Promise<DecodedPacket | undefined> {
    const id = this.nextId;
    this.nextId = (this.nextId % 65535) + 1;
    const message = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        done(undefined);
      }, timeoutMs);
      this.pending.set(id, (p) => {
        clearTimeout(timer);
        done(p);
      });
      this.socket.send(message, this.port, '127.0.0.1');
    });
  }

  close(): void {
    this.socket.close();
  }
}

export function rcodeOf(p: DecodedPacket): number {
  return (p.flags ?? 0) & 0xf;
}

/** The rcode and the answer section, order-free, for comparing two servers' replies. */
export function answerKey(p: DecodedPacket | undefined): string {
  if (p === undefined) return 'no reply';
  const answers = (p.answers ?? []).map((a) => `${a.name.toLowerCase()} ${a.type} ${'ttl' in a ? String(a.ttl) : ''} ${JSON.stringify('data' in a ? a.data : '')}`);
  return [`rcode ${rcodeOf(p)}`, ...answers.sort()].join('\n');
}

/** A loopback port free for both TCP and UDP (knotd listens on both). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((done, fail) => {
      const server = net.createServer();
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    const udp = dgram.createSocket('udp4');
    const isFree = await new Promise<boolean>((done) => {
      udp.once('error', () => done(false));
      udp.bind(port, '127.0.0.1', () => done(true));
    });
    udp.close();
    if (isFree && port > 0) return port;
  }
  throw new Error('no free loopback port for TCP and UDP after 20 tries');
}
