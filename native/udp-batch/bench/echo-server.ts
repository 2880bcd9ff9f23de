/**
 * An echo-style DNS responder for comparing Node's dgram with the udp-batch addon under
 * dnsperf: every query comes back with the QR bit set.
 *
 *   npx tsx native/udp-batch/bench/echo-server.ts dgram|loop|thread [work] [port]
 *
 * With `work`, each reply goes through a simulated cached-answer path (about a microsecond:
 * a Map lookup on a latin1 key from the packet, then a fresh Buffer copied from the cached
 * reply with the query's ID). Prints {"port":N} once listening; on stdin EOF or SIGTERM it
 * prints its CPU time and counters on stderr and exits.
 */
import dgram from 'node:dgram';
import { openBatchSocket, udpBatchUnavailable } from '../../../src/lib/udp-batch.js';

const impl = process.argv[2] ?? 'dgram';
const work = process.argv[3] === 'work';
const port = Number(process.argv[4] ?? 0);

const replyByQuestion = new Map<string, Buffer>();

function echo(query: Buffer): Buffer | undefined {
  if (query.length < 12) return undefined;
  query[2] = (query[2] ?? 0) | 0x80;
  return query;
}

/** The cached-answer path: key on everything after the ID, copy the cached reply. */
function cached(query: Buffer): Buffer | undefined {
  if (query.length < 12) return undefined;
  const key = query.toString('latin1', 2);
  let template = replyByQuestion.get(key);
  if (!template) {
    template = Buffer.from(query);
    template[2] = (template[2] ?? 0) | 0x80;
    replyByQuestion.set(key, template);
  }
  const reply = Buffer.allocUnsafe(template.length);
  template.copy(reply);
  reply[0] = query[0] ?? 0;
  reply[1] = query[1] ?? 0;
  return reply;
}

const answer = work ? cached : echo;
const started = process.cpuUsage();
let finish: () => Record<string, unknown> = () => ({});

if (impl === 'dgram') {
  const socket = dgram.createSocket('udp4');
  let received = 0;
  socket.on('message', (msg, rinfo) => {
    received++;
    const reply = answer(msg);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  socket.bind(port, '127.0.0.1', () => console.log(JSON.stringify({ port: socket.address().port })));
  finish = () => ({ received });
} else {
  const socket = openBatchSocket({
    host: '127.0.0.1',
    port,
    mode: impl === 'thread' ? 'thread' : 'loop',
    maxBatch: Number(process.env.UDP_BATCH_MAX ?? 64),
    onBatch(batch, sock) {
      const replies: Array<Buffer | undefined> = [];
      for (let i = 0; i < batch.count; i++) replies.push(answer(batch.packet(i)));
      sock.reply(batch, replies);
    },
  });
  if (!socket) throw new Error(udpBatchUnavailable());
  console.log(JSON.stringify({ port: socket.port }));
  finish = () => {
    const stats = socket.stats();
    socket.close();
    return { ...stats, meanBatch: +(stats.received / Math.max(1, stats.batches)).toFixed(1) };
  };
}

function stop(): void {
  const cpu = process.cpuUsage(started);
  const report = { impl, work, userS: cpu.user / 1e6, systemS: cpu.system / 1e6, ...finish() };
  process.stderr.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
