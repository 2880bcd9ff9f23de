import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import {
  openBatchSocket,
  sourceAddress,
  udpBatchAddonPath,
  udpBatchUnavailable,
  type BatchSocket,
  type BatchSocketOptions,
  type ReceivedBatch,
} from './udp-batch.js';

// The addon is built by `npm --prefix native/udp-batch run build`. Outside CI a checkout
// without it skips these tests; in CI a missing addon is a failure, not a silent skip.
const unavailable = udpBatchUnavailable();
const skip = unavailable && !process.env.CI ? `udp-batch addon not built: ${unavailable}` : false;

test('the udp-batch addon is available in CI', { skip: !process.env.CI }, () => {
  assert.equal(unavailable, undefined);
});

const modes = ['loop', 'thread'] as const;

/** An echo server: replies with each datagram unless it starts with "drop". */
function echoServer(options: Partial<BatchSocketOptions> & { host: string }): BatchSocket {
  const socket = openBatchSocket({
    port: 0,
    onBatch(batch: ReceivedBatch, sock: BatchSocket) {
      const replies: Array<Buffer | undefined> = [];
      for (let i = 0; i < batch.count; i++) {
        const packet = batch.packet(i);
        replies.push(packet.toString('latin1', 0, 4) === 'drop' ? undefined : packet);
      }
      sock.reply(batch, replies);
    },
    ...options,
  });
  assert.ok(socket, 'openBatchSocket returned undefined although the addon loaded');
  return socket;
}

function newClient(type: 'udp4' | 'udp6' = 'udp4', host = '127.0.0.1'): Promise<dgram.Socket> {
  const client = dgram.createSocket(type);
  return new Promise((resolve) => client.bind(0, host, () => resolve(client)));
}

/** The payload a client sends as its n-th datagram: its id, the sequence, some filler. */
function payload(client: number, n: number): Buffer {
  return Buffer.from(`c${client}-${n}-${'x'.repeat(n % 97)}`);
}

/**
 * Sends `count` datagrams from `client` (at most `window` unanswered) and collects every
 * reply; resolves once all are back or rejects after `timeoutMs`.
 */
function exchange(client: dgram.Socket, opts: { id: number; count: number; port: number; host: string }): Promise<Buffer[]> {
  const window = 100;
  const replies: Buffer[] = [];
  let sent = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client ${opts.id}: ${replies.length}/${opts.count} replies`)), 20_000);
    const sendNext = (): void => {
      if (sent < opts.count) client.send(payload(opts.id, sent++), opts.port, opts.host);
    };
    client.on('message', (msg) => {
      replies.push(msg);
      if (replies.length === opts.count) {
        clearTimeout(timer);
        resolve(replies);
      } else sendNext();
    });
    for (let i = 0; i < window; i++) sendNext();
  });
}

function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('udp-batch', { skip }, () => {
  for (const mode of modes) {
    test(`${mode}: 10,000 datagrams from 4 clients each come back to their sender`, async () => {
      const sourcesByClient = new Map<string, Set<number>>();
      const server = openBatchSocket({
        host: '127.0.0.1',
        port: 0,
        mode,
        onBatch(batch, sock) {
          const replies: Buffer[] = [];
          for (let i = 0; i < batch.count; i++) {
            const packet = batch.packet(i);
            const client = packet.toString('latin1', 0, packet.indexOf('-'));
            const ports = sourcesByClient.get(client) ?? new Set<number>();
            ports.add(sourceAddress(batch.source(i)).port);
            sourcesByClient.set(client, ports);
            replies.push(Buffer.from(packet));
          }
          sock.reply(batch, replies);
        },
      });
      assert.ok(server);
      const clients = await Promise.all([0, 1, 2, 3].map(() => newClient()));
      try {
        const results = await Promise.all(clients.map((c, id) => exchange(c, { id, count: 2500, port: server.port, host: '127.0.0.1' })));
        results.forEach((replies, id) => {
          const expected = Array.from({ length: 2500 }, (_, n) => payload(id, n).toString('latin1')).sort();
          assert.deepEqual(replies.map((r) => r.toString('latin1')).sort(), expected);
          // The source the server saw for client `id` is that client's own port.
          assert.deepEqual([...(sourcesByClient.get(`c${id}`) ?? [])], [clients[id]?.address().port]);
        });
        const stats = server.stats();
        assert.equal(stats.received, 10_000);
        assert.equal(stats.sent, 10_000);
        assert.ok(stats.batches <= stats.received);
      } finally {
        for (const c of clients) c.close();
        server.close();
      }
    });

    test(`${mode}: a datagram without a reply is dropped, the rest of its batch is answered`, async () => {
      const server = echoServer({ host: '127.0.0.1', mode });
      const client = await newClient();
      const got: string[] = [];
      client.on('message', (msg) => got.push(msg.toString()));
      try {
        for (const text of ['one', 'drop-me', 'two', 'drop-me-too', 'three']) client.send(text, server.port, '127.0.0.1');
        await waitFor(() => server.stats().received === 5 && got.length === 3);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.deepEqual(got.sort(), ['one', 'three', 'two']);
        assert.equal(server.stats().sent, 3);
      } finally {
        client.close();
        server.close();
      }
    });

    test(`${mode}: a reply can be sent later to a kept source`, async () => {
      const server = openBatchSocket({
        host: '127.0.0.1',
        port: 0,
        mode,
        onBatch(batch, sock) {
          for (let i = 0; i < batch.count; i++) {
            const source = batch.source(i);
            const reply = Buffer.from(`late ${batch.packet(i).toString()}`);
            setTimeout(() => sock.sendTo(source, reply), 10);
          }
        },
      });
      assert.ok(server);
      const client = await newClient();
      try {
        const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
        client.send('hello', server.port, '127.0.0.1');
        assert.equal(await reply, 'late hello');
      } finally {
        client.close();
        server.close();
      }
    });

    test(`${mode}: a datagram over 1500 bytes is dropped and counted`, async () => {
      const server = echoServer({ host: '127.0.0.1', mode });
      const client = await newClient();
      const got: number[] = [];
      client.on('message', (msg) => got.push(msg.length));
      try {
        client.send(Buffer.alloc(3000, 1), server.port, '127.0.0.1');
        client.send(Buffer.alloc(1500, 2), server.port, '127.0.0.1');
        await waitFor(() => got.length === 1 && server.stats().truncated === 1);
        assert.deepEqual(got, [1500]);
      } finally {
        client.close();
        server.close();
      }
    });

    test(`${mode}: what onBatch throws goes to onError and the socket keeps serving`, async () => {
      const errors: unknown[] = [];
      let calls = 0;
      const server = echoServer({
        host: '127.0.0.1',
        mode,
        onBatch(batch, sock) {
          if (calls++ === 0) throw new Error('boom');
          sock.reply(batch, [batch.packet(0)]);
        },
        onError: (err) => errors.push(err),
      });
      const client = await newClient();
      try {
        client.send('first', server.port, '127.0.0.1');
        await waitFor(() => errors.length === 1);
        const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
        client.send('second', server.port, '127.0.0.1');
        assert.equal(await reply, 'second');
        assert.match(String(errors[0]), /boom/);
      } finally {
        client.close();
        server.close();
      }
    });

    test(`${mode}: close stops callbacks, frees the port and may be called twice`, async () => {
      let batches = 0;
      const server = echoServer({ host: '127.0.0.1', mode, onBatch: () => void batches++ });
      const client = await newClient();
      try {
        client.send('before', server.port, '127.0.0.1');
        await waitFor(() => batches === 1);
        server.close();
        server.close();
        client.send('after', server.port, '127.0.0.1');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(batches, 1);
        // The port is free again: a plain dgram socket can take it.
        const probe = dgram.createSocket('udp4');
        await new Promise<void>((resolve, reject) => {
          probe.once('error', reject);
          probe.bind(server.port, '127.0.0.1', () => resolve());
        });
        probe.close();
      } finally {
        client.close();
      }
    });

    test(`${mode}: an open socket keeps the process alive; once closed the process exits`, async () => {
      const addon = udpBatchAddonPath();
      assert.ok(addon);
      // The child answers one datagram, says so, then closes its socket or keeps it open.
      const run = (close: boolean): ReturnType<typeof spawn> => {
        const script = `
          const a = require(${JSON.stringify(addon)});
          const c = require('node:dgram').createSocket('udp4');
          const o = a.open('127.0.0.1', 0, false, ${mode === 'thread'}, (buf, n) => {
            a.sendBatch(o.handle, [Buffer.from('ok')], buf);
            if (${close}) { a.close(o.handle); a.close(o.handle); }
          });
          c.on('message', () => { c.close(); process.stdout.write('served\\n'); });
          c.send('x', o.port, '127.0.0.1');`;
        return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      };
      const exited = (proc: ReturnType<typeof spawn>, ms: number): Promise<number | null> =>
        new Promise((resolve) => {
          const timer = setTimeout(() => resolve(null), ms);
          proc.on('exit', (code) => {
            clearTimeout(timer);
            resolve(code);
          });
        });
      const served = (proc: ReturnType<typeof spawn>): Promise<void> =>
        new Promise((resolve, reject) => {
          proc.stdout?.on('data', (d: Buffer) => d.toString().includes('served') && resolve());
          proc.on('exit', (code) => reject(new Error(`the child exited (${code}) before it served`)));
        });

      const closing = run(true);
      try {
        assert.equal(await exited(closing, 15_000), 0, 'the process with a closed socket should exit by itself');
      } finally {
        if (closing.exitCode === null) closing.kill();
      }
      const open = run(false);
      try {
        await served(open);
        assert.equal(await exited(open, 500), null, 'the process with an open socket should still be running');
      } finally {
        open.kill();
      }
    });
  }

  test('a reply the kernel refuses is dropped and counted; the others in the batch go out', async () => {
    const server = echoServer({
      host: '127.0.0.1',
      onBatch(batch, sock) {
        // 70,000 bytes is over the UDP limit: sendmmsg refuses that one datagram.
        const replies: Buffer[] = [];
        for (let i = 0; i < batch.count; i++) {
          const packet = batch.packet(i);
          replies.push(packet.toString() === 'big' ? Buffer.alloc(70_000) : packet);
        }
        sock.reply(batch, replies);
      },
    });
    const client = await newClient();
    const got: string[] = [];
    client.on('message', (msg) => got.push(msg.toString()));
    try {
      for (const text of ['big', 'kept', 'big']) client.send(text, server.port, '127.0.0.1');
      await waitFor(() => got.length === 1 && server.stats().send_dropped === 2);
      assert.deepEqual(got, ['kept']);
      assert.deepEqual({ sent: server.stats().sent, dropped: server.stats().send_dropped }, { sent: 1, dropped: 2 });
    } finally {
      client.close();
      server.close();
    }
  });

  test('a port in use is refused with EADDRINUSE', () => {
    const first = echoServer({ host: '127.0.0.1' });
    try {
      assert.throws(() => echoServer({ host: '127.0.0.1', port: first.port }), { code: 'EADDRINUSE' });
    } finally {
      first.close();
    }
  });

  test('IPv6 loopback works where ::1 is available', async (t) => {
    const probe = dgram.createSocket('udp6');
    const hasIPv6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.bind(0, '::1', () => resolve(true));
    });
    probe.close();
    if (!hasIPv6) return t.skip('no ::1 on this machine');
    for (const mode of modes) {
      const seen: unknown[] = [];
      const server = echoServer({
        host: '::1',
        mode,
        onBatch(batch, sock) {
          seen.push(sourceAddress(batch.source(0)));
          sock.reply(batch, [batch.packet(0)]);
        },
      });
      const client = await newClient('udp6', '::1');
      try {
        const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
        client.send('over six', server.port, '::1');
        assert.equal(await reply, 'over six');
        assert.deepEqual(seen, [{ address: '::1', port: client.address().port, family: 'IPv6' }]);
      } finally {
        client.close();
        server.close();
      }
    }
  });
});

describe('sourceAddress', () => {
  const cases: Array<{ name: string; hex: string; want: string }> = [
    { name: 'IPv4', hex: '0200 0035 7f000001', want: '127.0.0.1:53' },
    { name: 'IPv6 loopback', hex: '0a00 0035 00000000 00000000000000000000000000000001', want: '::1:53' },
    { name: 'IPv6 with a middle run', hex: '0a00 1f90 00000000 20010db8000000000000000000000001', want: '2001:db8::1:8080' },
    { name: 'IPv6 without zeros', hex: '0a00 0001 00000000 00010002000300040005000600070008', want: '1:2:3:4:5:6:7:8:1' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = sourceAddress(Buffer.from(c.hex.replaceAll(' ', '').padEnd(56, '0'), 'hex'));
      assert.equal(`${got.address}:${got.port}`, c.want);
    });
  }
});
