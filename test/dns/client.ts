/** A minimal UDP DNS client for tests that poll faster than spawning dig allows. */
import dgram from 'node:dgram';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';

export interface DnsAnswer {
  rcode: number;
  /** `type data` of each answer record, e.g. `A 10.96.0.20`. */
  answers: string[];
  packet: DecodedPacket;
}

let nextId = 1;

export function queryUdp(host: string, port: number, name: string, type: RecordType = 'A', timeoutMs = 1000): Promise<DnsAnswer> {
  const socket = dgram.createSocket('udp4');
  const id = nextId++ & 0xffff;
  return new Promise<DnsAnswer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer for ${name} ${type} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', reject);
    socket.on('message', (msg) => {
      const packet = dnsPacket.decode(msg);
      if (packet.id !== id) return;
      clearTimeout(timer);
      const answers = (packet.answers ?? []).map((a) => `${a.type} ${'data' in a ? (typeof a.data === 'string' ? a.data : JSON.stringify(a.data)) : ''}`);
      resolve({ rcode: (packet.flags ?? 0) & 0xf, answers, packet });
    });
    socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] }), port, host);
  }).finally(() => socket.close());
}

/**
 * Polls every `intervalMs` until `done` holds for an answer; resolves with the time
 * (performance.now()) at which it first held. Bounded by `timeoutMs`.
 */
export async function pollUntil(ask: () => Promise<DnsAnswer>, done: (a: DnsAnswer) => boolean, opts: { intervalMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const deadline = performance.now() + (opts.timeoutMs ?? 5000);
  for (;;) {
    const a = await ask().catch(() => undefined);
    if (a && done(a)) return performance.now();
    if (performance.now() > deadline) throw new Error('condition not reached before the deadline');
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2));
  }
}
