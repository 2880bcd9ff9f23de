import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { lifecycleOf, runHook, runPreStop, terminationWindowMs, LIFECYCLE_USER_AGENT, type LifecycleHandler } from './lifecycle.js';
import type { ProbeTarget } from './probes.js';

const target = (over: Partial<ProbeTarget> = {}): ProbeTarget => ({
  podIP: '127.0.0.1',
  namedPorts: new Map(),
  connect: (host, port) =>
    new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(s));
      s.once('error', reject);
    }),
  pid: () => undefined,
  ...over,
});

const never = new Promise<void>(() => undefined);

describe('lifecycleOf', () => {
  test('reads postStart and preStop; anything else is no hook', () => {
    const c = { name: 'a', lifecycle: { postStart: { exec: { command: ['true'] } }, preStop: { sleep: { seconds: 3 } }, stopSignal: 'SIGUSR1' } };
    assert.deepEqual(lifecycleOf(c), { postStart: { exec: { command: ['true'] } }, preStop: { sleep: { seconds: 3 } } });
    assert.deepEqual(lifecycleOf({ name: 'a' }), {});
    assert.deepEqual(lifecycleOf({ name: 'a', lifecycle: { preStop: 'x' } }), {});
    assert.deepEqual(lifecycleOf(undefined), {});
  });
});

describe('terminationWindowMs', () => {
  test('the grace period less the whole seconds preStop took, never under 2 s', () => {
    assert.equal(terminationWindowMs(30_000), 30_000);
    assert.equal(terminationWindowMs(30_000, 5_900), 25_000);
    assert.equal(terminationWindowMs(30_000, 30_000), 2_000);
    assert.equal(terminationWindowMs(10_000, 9_999), 2_000);
    assert.equal(terminationWindowMs(1_000), 2_000);
    assert.equal(terminationWindowMs(0), 2_000);
  });
});

describe('runHook', () => {
  test('sleep ends after its seconds; aborted, it fails', async () => {
    assert.deepEqual(await runHook({ sleep: { seconds: 0 } }, target(), new AbortController().signal), { ok: true });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 30);
    const started = Date.now();
    const r = await runHook({ sleep: { seconds: 60 } }, target(), abort.signal);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(r.ok, false);
  });

  test('tcpSocket, an empty handler, and exec without a command or a running container fail', async () => {
    const signal = new AbortController().signal;
    for (const h of [{ tcpSocket: { port: 80 } }, {}, { exec: { command: [] } }, { exec: { command: ['true'] } }] as LifecycleHandler[]) {
      const r = await runHook(h, target(), signal);
      assert.equal(r.ok, false, JSON.stringify(h));
    }
    const tcp = await runHook({ tcpSocket: { port: 80 } }, target(), signal);
    assert.match(tcp.ok ? '' : tcp.message, /tcpSocket is not supported/);
  });

  test('httpGet: any response is success (a 500 too), with the lifecycle User-Agent and path; a refused connection fails', async () => {
    const seen: { url?: string; agent?: string }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url, agent: req.headers['user-agent'] });
      res.statusCode = 500;
      res.end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const named = target({ namedPorts: new Map([['http', port]]) });
      assert.deepEqual(await runHook({ httpGet: { path: '/drain', port: 'http', httpHeaders: [{ name: 'X-A', value: 'b' }] } }, named, new AbortController().signal), { ok: true });
      assert.deepEqual(seen, [{ url: '/drain', agent: LIFECYCLE_USER_AGENT }]);
    } finally {
      await new Promise((r) => server.close(r));
    }
    const refused = await runHook({ httpGet: { port } }, target(), new AbortController().signal);
    assert.equal(refused.ok, false);
    const unnamed = await runHook({ httpGet: { port: 'nope' } }, target(), new AbortController().signal);
    assert.equal(unnamed.ok, false);
  });

  test('exec runs in the container with its environment; a non-zero exit fails with its output', { skip: process.getuid?.() === 0 ? false : 'nsenter needs root' }, async () => {
    const container = spawn('sleep', ['30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GREETING: 'hello' }, stdio: 'ignore' });
    try {
      const t = target({ pid: () => container.pid });
      const signal = new AbortController().signal;
      assert.deepEqual(await runHook({ exec: { command: ['sh', '-c', 'test "$GREETING" = hello'] } }, t, signal), { ok: true });
      const failed = await runHook({ exec: { command: ['sh', '-c', 'echo "$GREETING"; exit 3'] } }, t, signal);
      assert.deepEqual(failed, { ok: false, message: 'exec ["sh","-c","echo \\"$GREETING\\"; exit 3"]: exit code 3, output: "hello"' });
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      const started = Date.now();
      const stopped = await runHook({ exec: { command: ['sh', '-c', 'sleep 30; true'] } }, t, abort.signal);
      assert.equal(stopped.ok, false);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      container.kill('SIGKILL');
    }
  });
});

describe('runPreStop', () => {
  test('waits for the hook at most the grace period', async () => {
    const quick = await runPreStop({ sleep: { seconds: 0 } }, target(), 1_000, never);
    assert.equal(quick.timedOut, false);
    assert.deepEqual(quick.result, { ok: true });
    assert.ok(quick.elapsedMs < 1_000);
    let exit = (): void => undefined;
    const exited = new Promise<void>((r) => (exit = r));
    const slow = await runPreStop({ sleep: { seconds: 60 } }, target(), 100, exited);
    assert.deepEqual(slow, { elapsedMs: 100, timedOut: true });
    exit();
  });
});
