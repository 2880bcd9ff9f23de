import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadTcpRelay, tcpRelayUnavailable, type RelayEvents, type TcpRelay } from './tcp-relay.js';

// The addon is built by `npm --prefix native/tcp-relay run build` (scripts/ensure.sh does it).
// Outside CI a checkout without it skips these tests; in CI a missing addon is a failure.
const relay = loadTcpRelay();
const skip = relay ? false : process.env.CI ? false : `tcp-relay addon not built (npm --prefix native/tcp-relay run build): ${tcpRelayUnavailable()}`;

test('the tcp-relay addon is available in CI', { skip: !process.env.CI }, () => {
  assert.equal(tcpRelayUnavailable(), undefined);
});

const servers: net.Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

function listen(server: net.Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

/** A port nothing listens on (was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Counts {
  connected: number;
  firstByte: number;
  failed: string[];
  closed: number;
}

/** A front server that hands each accepted socket to the relay, towards `port`. */
async function front(
  relayer: TcpRelay,
  port: () => number,
  opts: { timeoutMs?: number; onFailed?: (code: string, client: net.Socket) => void } = {},
): Promise<{ port: number; counts: Counts; allClosed: (n: number) => Promise<void> }> {
  const counts: Counts = { connected: 0, firstByte: 0, failed: [], closed: 0 };
  const waiters: Array<() => void> = [];
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    client.on('error', () => client.destroy());
    const events: RelayEvents = {
      onConnected: () => counts.connected++,
      onFirstByte: () => counts.firstByte++,
      onFailed: (code) => {
        counts.failed.push(code);
        if (opts.onFailed) opts.onFailed(code, client);
        else client.resetAndDestroy();
      },
      onClosed: () => {
        counts.closed++;
        for (const wake of waiters.splice(0)) wake();
      },
    };
    relayer.relay(client, '127.0.0.1', port(), opts.timeoutMs ?? 2000, events);
  });
  const allClosed = async (n: number): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (counts.closed < n) {
      if (Date.now() > deadline) throw new Error(`${counts.closed}/${n} relayed connections closed`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { port: await listen(server), counts, allClosed };
}

/** Connects, sends `data` (then ends when `end`), and collects everything until the peer ends. */
function exchange(port: number, data: Buffer | string, end = true): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
    socket.write(data);
    if (end) socket.end();
  });
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

async function waitFor(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

// A stuck relay fails the suite instead of holding the test run.
describe('tcp-relay', { skip, timeout: 60_000 }, () => {
  const relayer = (): TcpRelay => {
    assert.ok(relay, tcpRelayUnavailable());
    return relay;
  };

  test('echoes through the relay', async () => {
    const upstream = await listen(net.createServer((s) => s.pipe(s)));
    const f = await front(relayer(), () => upstream);
    const reply = await exchange(f.port, 'hello through the relay');
    assert.equal(reply.toString(), 'hello through the relay');
    await f.allClosed(1);
    assert.deepEqual(f.counts, { connected: 1, firstByte: 1, failed: [], closed: 1 });
  });

  test('carries 5 MB each way intact', async () => {
    const up = randomBytes(5 * 1024 * 1024);
    const down = randomBytes(5 * 1024 * 1024);
    let receivedUp: Promise<string> = Promise.resolve('');
    const upstream = await listen(
      net.createServer({ allowHalfOpen: true }, (s) => {
        const hash = createHash('sha256');
        receivedUp = new Promise((resolve) => {
          s.on('data', (chunk: Buffer) => hash.update(chunk));
          s.on('end', () => resolve(hash.digest('hex')));
        });
        s.end(down);
      }),
    );
    const f = await front(relayer(), () => upstream);
    const reply = await exchange(f.port, up);
    assert.equal(reply.length, down.length);
    assert.equal(sha256(reply), sha256(down));
    assert.equal(await receivedUp, sha256(up));
    await f.allClosed(1);
  });

  test('backpressure: a client that does not read stalls the upstream', async () => {
    // 128 MB offered; kernel buffers on the way hold at most 4 + 32 + 4 + 32 MB here
    // (tcp_wmem/tcp_rmem maxima), so without backpressure in the relay all of it would pass.
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const total = 128;
    let written = 0;
    const upstream = await listen(
      net.createServer((s) => {
        const writeMore = (): void => {
          while (written < total) {
            written++;
            if (!s.write(chunk)) return void s.once('drain', writeMore);
          }
          s.end();
        };
        writeMore();
      }),
    );
    const f = await front(relayer(), () => upstream);
    const client = net.connect({ host: '127.0.0.1', port: f.port });
    client.pause();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stalledAt = written;
    assert.ok(stalledAt < 96, `upstream wrote ${stalledAt} MB to a client that reads nothing`);
    let received = 0;
    client.on('data', (data: Buffer) => (received += data.length));
    client.resume();
    await new Promise((resolve) => client.once('end', resolve));
    client.end();
    assert.equal(received, total * chunk.length);
    await f.allClosed(1);
  });

  test('half-close: the reply written after the client ended still arrives', async () => {
    const upstream = await listen(
      net.createServer({ allowHalfOpen: true }, (s) => {
        const chunks: Buffer[] = [];
        s.on('data', (chunk: Buffer) => chunks.push(chunk));
        // Answer only after the client's FIN, a little later.
        s.on('end', () => setTimeout(() => s.end(`reply:${Buffer.concat(chunks).toString()}`), 50));
      }),
    );
    const f = await front(relayer(), () => upstream);
    const reply = await exchange(f.port, 'question');
    assert.equal(reply.toString(), 'reply:question');
    await f.allClosed(1);
  });

  test('a refused upstream reports ECONNREFUSED and leaves the client socket to JS', async () => {
    const refused = await closedPort();
    const f = await front(relayer(), () => refused, {
      onFailed: (_code, client) => {
        // Nothing was read natively: the client's bytes are still there for Node.
        client.once('data', (chunk: Buffer) => client.end(`fallback:${chunk.toString()}`));
        client.resume();
      },
    });
    const reply = await exchange(f.port, 'ping', false);
    assert.equal(reply.toString(), 'fallback:ping');
    assert.deepEqual(f.counts.failed, ['ECONNREFUSED']);
    assert.equal(f.counts.connected, 0);
    assert.ok(await waitFor(() => relayer().active() === 0, 2000));
  });

  test('an upstream reset reaches the client as ECONNRESET', async () => {
    const upstream = await listen(net.createServer((s) => s.once('data', () => s.resetAndDestroy())));
    const f = await front(relayer(), () => upstream);
    const err = await exchange(f.port, 'reset me', false).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error);
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNRESET');
    await f.allClosed(1);
  });

  test('a client reset reaches the upstream as ECONNRESET', async () => {
    let upstreamError: Promise<string | undefined> = Promise.resolve(undefined);
    const upstream = await listen(
      net.createServer((s) => {
        upstreamError = new Promise((resolve) => {
          s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
          s.on('close', () => resolve(undefined));
        });
        s.pipe(s);
      }),
    );
    const f = await front(relayer(), () => upstream);
    const client = net.connect({ host: '127.0.0.1', port: f.port });
    client.write('echo this');
    await new Promise((resolve) => client.once('data', resolve));
    client.resetAndDestroy();
    assert.equal(await upstreamError, 'ECONNRESET');
    await f.allClosed(1);
  });

  test('onFirstByte fires once for an answer in several writes', async () => {
    const upstream = await listen(
      net.createServer((s) => {
        s.once('data', () => {
          s.write('a');
          setTimeout(() => s.write('b'), 20);
          setTimeout(() => s.end('c'), 40);
        });
      }),
    );
    const f = await front(relayer(), () => upstream);
    const reply = await exchange(f.port, 'go', false);
    assert.equal(reply.toString(), 'abc');
    await f.allClosed(1);
    assert.equal(f.counts.firstByte, 1);
    assert.equal(f.counts.connected, 1);
  });

  test('connect timeout reports ETIMEDOUT', async (t) => {
    // A listener with backlog 0 that never accepts: once one connection waits in its queue,
    // further SYNs are dropped and connecting hangs. Node cannot listen without accepting.
    const python = spawn('python3', ['-c', 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(20)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    t.after(() => python.kill());
    const port = await new Promise<number>((resolve) => {
      python.once('error', () => resolve(0));
      python.stdout.once('data', (line: Buffer) => resolve(Number(line.toString().trim())));
    });
    if (!port) return t.skip('python3 is not available');
    const filler = net.connect({ host: '127.0.0.1', port });
    filler.on('error', () => undefined);
    t.after(() => filler.destroy());
    await new Promise((resolve) => filler.once('connect', resolve));
    const f = await front(relayer(), () => port, { timeoutMs: 300 });
    const started = Date.now();
    const reply = await exchange(f.port, 'anyone?', false).catch((e: unknown) => e);
    assert.ok(reply instanceof Error); // reset by onFailed
    assert.deepEqual(f.counts.failed, ['ETIMEDOUT']);
    assert.ok(Date.now() - started >= 250, `failed after ${Date.now() - started} ms`);
    assert.ok(await waitFor(() => relayer().active() === 0, 2000));
  });

  test('2,000 short connections (and 200 refused) leave no fds behind and nothing active', async () => {
    const upstream = await listen(net.createServer((s) => s.pipe(s)));
    const f = await front(relayer(), () => upstream);
    const refused = await closedPort();
    const failing = await front(relayer(), () => refused); // resets the client on failure
    await exchange(f.port, 'warm-up');
    await f.allClosed(1);
    assert.ok(await waitFor(() => relayer().active() === 0, 2000));
    const start = fdCount();
    const total = 2000;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const n = next++;
        const reply = await exchange(f.port, `conn-${n}`);
        assert.equal(reply.toString(), `conn-${n}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    for (let n = 0; n < 200; n += 20) {
      const batch = Array.from({ length: 20 }, () => exchange(failing.port, 'x', false).then(() => 'answered', (e: NodeJS.ErrnoException) => e.code));
      assert.deepEqual(new Set(await Promise.all(batch)), new Set(['ECONNRESET']));
    }
    await f.allClosed(total + 1);
    assert.equal(f.counts.failed.length, 0);
    assert.equal(failing.counts.failed.length, 200);
    assert.ok(await waitFor(() => relayer().active() === 0, 5000), `active() is ${relayer().active()}`);
    assert.ok(await waitFor(() => fdCount() <= start, 5000), `fds: ${fdCount()} now, ${start} at the start`);
    assert.equal(fdCount(), start);
  });

  test('an idle relay does not keep the process alive', async () => {
    const wrapper = fileURLToPath(new URL('./tcp-relay.js', import.meta.url));
    const script = `
      import net from 'node:net';
      import { loadTcpRelay } from ${JSON.stringify(wrapper)};
      const relay = loadTcpRelay();
      const upstream = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1', () => {
        const front = net.createServer({ pauseOnConnect: true }, (c) => {
          relay.relay(c, '127.0.0.1', upstream.address().port, 1000, {
            onFailed: (code) => { console.error(code); process.exit(3); },
            onClosed: () => { upstream.close(); front.close(); },
          });
        }).listen(0, '127.0.0.1', () => {
          const c = net.connect(front.address().port, '127.0.0.1', () => c.end('bye'));
          c.resume();
        });
      });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? signal)));
    clearTimeout(timer);
    assert.equal(code, 0);
  });
});
