/**
 * Issue 4 acceptance: 200,000+ malformed or random packets over UDP and TCP against the DNS
 * server in its own process. The server must never exit, must answer FORMERR (or the code the
 * packet's kind calls for) or nothing, must never answer a response (QR set), must keep UDP
 * answers within the asker's size, and must still answer correct queries during and after.
 * The packets come from a seeded PRNG: the seed is printed, and DNS_FUZZ_SEED replays it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import { Findings, frame, planSession, runSession, UdpFuzzer, type Stats } from './fuzz-clients.js';
import { fuzzPacket, LARGE_SERVICES, mulberry32, query, RCODE, type Rng } from './packets.js';

const ROUNDS = 20;
const UDP_PER_ROUND = 9_000;
const TCP_PER_ROUND = 1_250;
/** Packets in flight at once: enough to keep the server busy, few enough for its socket buffer. */
const UDP_BURST = 200;
const TCP_PARALLEL = 4;
const MAX_RSS_BYTES = 300 * 1024 * 1024;
const MAX_FINDINGS = 1_000;
const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;

// --- the server process ---------------------------------------------------------------------

interface FuzzServer {
  child: ChildProcess;
  port: number;
  /** Why the process ended, or undefined while it runs. */
  exited(): string | undefined;
  stderr(): string;
}

function startFuzzServer(): Promise<FuzzServer> {
  // Runs compiled from dist/ (node --test) or from source under tsx.
  const self = fileURLToPath(import.meta.url);
  const script = self.replace(/fuzz\.test\.(ts|js)$/, 'fuzz-server.$1');
  const args = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let exit: string | undefined;
  let stderr = '';
  child.on('exit', (code, signal) => (exit = `exited with code ${code} signal ${signal}`));
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fuzz server did not start: ${stderr}`)), 15_000);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n') || line === undefined) return;
      clearTimeout(timer);
      const port = (JSON.parse(line) as { port: number }).port;
      resolve({ child, port, exited: () => exit, stderr: () => stderr });
    });
    child.on('exit', () => reject(new Error(`fuzz server ${exit}: ${stderr}`)));
  });
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024;
}

/** User and system CPU seconds the process has used. */
function cpuSeconds(pid: number): { user: number; system: number } {
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = 100;
  return { user: Number(fields[11]) / ticks, system: Number(fields[12]) / ticks };
}

/** Datagrams the kernel dropped for full receive buffers (any socket in this namespace). */
function udpReceiveDrops(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RcvbufErrors')] ?? NaN);
}

// --- correct queries ------------------------------------------------------------------------

interface KnownQuery {
  name: string;
  type: number;
  transport: 'udp' | 'tcp';
  payload?: number;
  check: (reply: DecodedPacket, raw: Buffer) => void;
}

function addresses(reply: DecodedPacket): string[] {
  return (reply.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : [])).sort();
}

const backendA = (reply: DecodedPacket, raw: Buffer): void => {
  assert.equal(raw.readUInt16BE(2) & 0x820f, QR, 'NOERROR response without TC');
  assert.ok(raw.readUInt16BE(2) & AA, 'authoritative');
  assert.deepEqual(addresses(reply), ['10.96.0.20']);
};

const KNOWN_QUERIES: KnownQuery[] = [
  { name: 'backend.example.svc.cluster.local', type: 1, transport: 'udp', check: backendA },
  { name: 'backend.example.svc.cluster.local', type: 1, transport: 'tcp', check: backendA },
  {
    name: 'nothing.example.svc.cluster.local', type: 1, transport: 'udp',
    check: (reply, raw) => {
      assert.equal(raw.readUInt16BE(2) & 0xf, RCODE.NXDOMAIN);
      assert.deepEqual((reply.authorities ?? []).map((a) => a.type), ['SOA']);
    },
  },
  {
    name: '_http._tcp.backend.example.svc.cluster.local', type: 33, transport: 'udp',
    check: (reply) => {
      const srv = (reply.answers ?? []).flatMap((a) => (a.type === 'SRV' ? [a.data] : []));
      assert.deepEqual(srv.map((d) => [d.port, d.target]), [[80, 'backend.example.svc.cluster.local']]);
    },
  },
  {
    name: 'mid.example.svc.cluster.local', type: 1, transport: 'udp',
    check: (reply, raw) => {
      assert.ok(raw.readUInt16BE(2) & TC, 'TC set: 15 addresses do not fit in 512 bytes');
      assert.ok(raw.length <= 512);
    },
  },
  {
    name: 'mid.example.svc.cluster.local', type: 1, transport: 'udp', payload: 1232,
    check: (reply, raw) => {
      assert.equal(raw.readUInt16BE(2) & TC, 0, 'no TC with a 1232-byte EDNS buffer');
      assert.equal(addresses(reply).length, LARGE_SERVICES.mid);
      assert.ok(raw.length <= 1232);
    },
  },
  {
    name: 'big.example.svc.cluster.local', type: 1, transport: 'tcp',
    check: (reply) => assert.equal(addresses(reply).length, LARGE_SERVICES.big),
  },
];

async function udpExchange(port: number, msg: Buffer): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  try {
    // A few tries: under fuzz load a datagram may be lost; a dead server fails all of them.
    for (let attempt = 0; attempt < 4; attempt++) {
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 1_000);
        socket.once('message', (r) => (clearTimeout(timer), resolve(r)));
        socket.send(msg, port, '127.0.0.1');
      });
      if (reply) return reply;
    }
    throw new Error('no UDP answer after 4 tries');
  } finally {
    socket.close();
  }
}

async function tcpExchange(port: number, msg: Buffer): Promise<Buffer> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error('no TCP answer in 5 s')), 5_000);
      sock.on('close', () => reject(new Error(`TCP connection closed after ${got.length} bytes`)));
      sock.on('data', (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) (clearTimeout(timer), resolve(got.subarray(2, 2 + got.readUInt16BE(0))));
      });
      sock.on('connect', () => sock.write(frame(msg)));
    });
  } finally {
    sock.destroy();
  }
}

async function askKnown(port: number, q: KnownQuery): Promise<void> {
  const msg = query({ name: q.name, type: q.type, ...(q.payload ? { edns: { payload: q.payload } } : {}) });
  msg.writeUInt16BE(0xbeef, 0);
  const raw = q.transport === 'udp' ? await udpExchange(port, msg) : await tcpExchange(port, msg);
  assert.equal(raw.readUInt16BE(0), 0xbeef, 'reply ID');
  q.check(dnsPacket.decode(raw), raw);
}

// --- the campaign -----------------------------------------------------------------------------

interface Campaign {
  port: number;
  seed: number;
  findings: Findings;
  stats: Stats;
  tcpMessages: number;
  /** Throws when the server process has exited. */
  assertAlive: (when: string) => void;
  /** Why the campaign ended early (server unresponsive, too many violations); workers stop. */
  stopped?: string;
}

/** After a stall: is the server still answering at all? A hung or dead one fails the test here. */
async function assertResponsive(c: Campaign, when: string): Promise<void> {
  c.assertAlive(when);
  try {
    await askKnown(c.port, KNOWN_QUERIES[0]!);
  } catch (err) {
    c.stopped = `the server stopped answering ${when} (seed ${c.seed}): ${err instanceof Error ? err.message : String(err)}`;
    assert.fail(c.stopped);
  }
}

/** A broken server fails fast: enough examples have been collected by then. */
function shouldStop(c: Campaign): boolean {
  if (c.findings.total >= MAX_FINDINGS) c.stopped ??= `${MAX_FINDINGS} violations`;
  return c.stopped !== undefined;
}

async function udpRound(c: Campaign, udp: UdpFuzzer, rng: Rng, round: number): Promise<void> {
  for (let n = 0; n < UDP_PER_ROUND && !shouldStop(c); n += UDP_BURST) {
    const dropsBefore = udpReceiveDrops();
    const owed = await udp.burst(Array.from({ length: UDP_BURST }, () => fuzzPacket(rng)));
    c.assertAlive(`in UDP round ${round}`);
    if (owed.length === 0) continue;
    if (!(await udp.flush())) {
      await assertResponsive(c, `after a stalled UDP burst in round ${round}`);
      continue; // no ordering to reason from; the unanswered count at the end still covers these
    }
    // After the flush, a packet still unanswered was dropped by the kernel (counted) or met
    // with silence from the server.
    const silenced = owed.filter((e) => e.replies === 0);
    if (silenced.length > udpReceiveDrops() - dropsBefore) {
      for (const e of silenced) c.findings.add('udp: no reply to a query with a header, though a later query was answered', e.packet);
    }
  }
}

async function tcpWorker(c: Campaign, rng: Rng, round: number): Promise<void> {
  for (let budget = TCP_PER_ROUND / TCP_PARALLEL; budget > 0 && !shouldStop(c);) {
    const session = planSession(rng, budget);
    const count = session.messages.length + (session.closer === 'unanswerable' ? 1 : 0);
    budget -= count;
    c.tcpMessages += count;
    if (await runSession(c.port, session, rng, c.findings, c.stats)) await assertResponsive(c, `after a hung TCP connection in round ${round}`);
  }
}

function summary(c: Campaign, pid: number, seconds: number, drops: number): string[] {
  const udpSent = [...c.stats.sent].filter(([k]) => k.startsWith('udp')).reduce((n, [, v]) => n + v, 0);
  const cpu = cpuSeconds(pid);
  const own = process.cpuUsage();
  return [
    `${udpSent} UDP packets, ${c.tcpMessages} TCP messages in ${c.stats.tcpSessions} connections (${c.stats.tcpClosedByServer} closed by the server) in ${seconds.toFixed(1)} s`,
    `CPU seconds: server user ${cpu.user} system ${cpu.system}; test process user ${(own.user / 1e6).toFixed(1)} system ${(own.system / 1e6).toFixed(1)}`,
    `sent by kind: ${JSON.stringify(Object.fromEntries([...c.stats.sent].sort()))}`,
    `replies by rcode: ${JSON.stringify(Object.fromEntries(c.stats.replies))}; UDP unanswered ${c.stats.missing}, kernel UDP receive drops ${drops}`,
  ];
}

// --- the test -------------------------------------------------------------------------------

describe('DNS server under 200,000+ malformed packets (issue 4)', { timeout: 300_000 }, () => {
  const seed = Number(process.env['DNS_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
  let server: FuzzServer | undefined;

  const assertAlive = (when: string): void => {
    const s = server;
    assert.ok(s, 'server started');
    assert.equal(s.exited(), undefined, `DNS server died ${when} (seed ${seed}); stderr:\n${s.stderr()}`);
    assert.doesNotThrow(() => process.kill(s.child.pid ?? -1, 0), 'the server process exists');
  };
  const askAll = async (queries: KnownQuery[], when: string): Promise<void> => {
    for (const q of queries) {
      try {
        await askKnown(server?.port ?? 0, q);
      } catch (err) {
        assert.fail(`${q.transport} ${q.name} ${when} (seed ${seed}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  before(async () => {
    server = await startFuzzServer();
  });
  after(() => {
    const pid = server?.child.pid;
    if (pid !== undefined && server?.exited() === undefined) process.kill(pid, 'SIGKILL');
  });

  test('answers the correct queries before fuzzing', async () => {
    await askAll(KNOWN_QUERIES, 'before fuzzing');
  });

  test('survives the fuzz packets, answering only as each allows, and keeps answering correct queries', async (t) => {
    t.diagnostic(`seed ${seed} (set DNS_FUZZ_SEED to replay)`);
    const started = Date.now();
    const stats: Stats = { sent: new Map(), replies: new Map(), missing: 0, tcpSessions: 0, tcpClosedByServer: 0 };
    const c: Campaign = { port: server?.port ?? 0, seed, findings: new Findings(), stats, tcpMessages: 0, assertAlive };
    const udpRng = mulberry32(seed);
    const tcpRngs = Array.from({ length: TCP_PARALLEL }, (_, i) => mulberry32(seed ^ (0x5eed + i)));
    const udp = new UdpFuzzer(c.port, c.findings, stats);
    const dropsBefore = udpReceiveDrops();
    try {
      for (let round = 0; round < ROUNDS && !shouldStop(c); round++) {
        await Promise.all([udpRound(c, udp, udpRng, round), ...tcpRngs.map((rng) => tcpWorker(c, rng, round))]);
        assertAlive(`after fuzz round ${round}`);
        await askAll(KNOWN_QUERIES.slice(0, 2), `after fuzz round ${round}`);
      }
    } finally {
      c.stopped ??= 'done';
      await udp.close();
    }
    const drops = udpReceiveDrops() - dropsBefore;
    for (const line of summary(c, server?.child.pid ?? -1, (Date.now() - started) / 1000, drops)) t.diagnostic(line);
    const udpSent = [...stats.sent].filter(([k]) => k.startsWith('udp')).reduce((n, [, v]) => n + v, 0);
    // This found a question whose name was a compression pointer into the header (e.g.
    // 000101000001000000000000c00200010001), echoed byte for byte into a reply that did not
    // decode; such questions are now FORMERR.
    assert.equal(c.findings.byProblem.size, 0, `seed ${seed}:\n${c.findings.report()}`);
    assert.ok(udpSent + c.tcpMessages >= 200_000, `at least 200,000 packets (${udpSent} + ${c.tcpMessages})`);
    // The server answers every packet with a header (FORMERR at worst); silence to one of them
    // is a failure inside the server, unless the kernel dropped the datagram on the way.
    assert.ok(stats.missing <= drops, `${stats.missing} UDP packets went unanswered, only ${drops} kernel drops (seed ${seed}); stderr:\n${server?.stderr() ?? ''}`);
  });

  test('is still running, answers correct queries over UDP and TCP, and its memory is bounded', async (t) => {
    assertAlive('after fuzzing');
    await askAll(KNOWN_QUERIES, 'after fuzzing');
    const rss = rssBytes(server?.child.pid ?? -1);
    t.diagnostic(`server RSS ${(rss / 1024 / 1024).toFixed(0)} MB`);
    assert.ok(rss < MAX_RSS_BYTES, `server RSS ${rss} bytes`);
  });
});
