import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { httpRequest, startTestImage, udpAsk, type TestImageChild } from './testing.js';

const children: TestImageChild[] = [];
after(() => {
  for (const child of children) child.stop();
});

function start(args: string[], env: Record<string, string> = {}): TestImageChild {
  const child = startTestImage(args, env);
  children.push(child);
  return child;
}

async function portFromLog(child: TestImageChild, pattern: RegExp): Promise<number> {
  return Number((await child.waitForLog(pattern))[1]);
}

function tcpRead(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('data', (chunk) => { data += chunk.toString('utf8'); });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('serve-hostname', () => {
  test('serves the hostname over HTTP on any path and keeps serving after SIGTERM', async () => {
    const child = start(['serve-hostname', '--port=0']);
    const port = await portFromLog(child, /Serving on port (\d+)\./);
    const reply = await httpRequest(`http://127.0.0.1:${port}/anything`);
    assert.deepEqual([reply.status, reply.body], [200, os.hostname()]);
    child.child.kill('SIGTERM');
    await child.waitForLog(/Awaiting pod deletion\./);
    assert.equal((await httpRequest(`http://127.0.0.1:${port}/`)).body, os.hostname());
    assert.equal(child.child.exitCode, null);
  });

  test('--close asks to close the connection', async () => {
    const child = start(['serve-hostname', '--port', '0', '--close']);
    const port = await portFromLog(child, /Serving on port (\d+)\./);
    assert.equal((await httpRequest(`http://127.0.0.1:${port}/`)).headers.connection, 'close');
  });

  test('raw TCP and UDP with --http=false', async () => {
    const child = start(['serve-hostname', '--port=0', '--tcp', '--udp', '--http=false']);
    const port = await portFromLog(child, /Serving on port (\d+)\./);
    assert.equal(await tcpRead(port), os.hostname());
    assert.equal((await udpAsk(port, 'anything')).reply, os.hostname());
  });

  test('HTTP together with TCP is refused', async () => {
    const child = start(['serve-hostname', '--tcp']);
    assert.equal((await child.exited).code, 1);
    assert.match(child.stderr(), /Can't server TCP\/UDP mode and HTTP mode at the same time/);
  });
});

describe('porter', () => {
  test('serves each SERVE_*_PORT_n value', async () => {
    const child = start(['porter'], {
      SERVE_PORT_0: 'foo', SERVE_TCP_PORT_0: 'bar', SERVE_UDP_PORT_0: 'baz', SERVE_SCTP_PORT_0: 'no',
    });
    const httpPort = await portFromLog(child, /Serving SERVE_PORT_0 on tcp port (\d+)/);
    const tcpPort = await portFromLog(child, /Serving SERVE_TCP_PORT_0 on tcp port (\d+)/);
    const udpPort = await portFromLog(child, /Serving SERVE_UDP_PORT_0 on udp port (\d+)/);
    const foo = await httpRequest(`http://127.0.0.1:${httpPort}/any/path`, { method: 'DELETE' });
    assert.deepEqual([foo.status, foo.body], [200, 'foo']);
    assert.equal((await httpRequest(`http://127.0.0.1:${tcpPort}/`)).body, 'bar');
    assert.equal((await udpAsk(udpPort, 'x')).reply, 'baz');
    await child.waitForLog(/SERVE_SCTP_PORT_0 .*failed: SCTP is not supported/);
  });

  test('--json-response reports the method', async () => {
    const child = start(['porter', '--json-response'], { SERVE_PORT_0: 'foo' });
    const port = await portFromLog(child, /Serving SERVE_PORT_0 on tcp port (\d+)/);
    for (const method of ['GET', 'POST', 'PATCH']) {
      const reply = await httpRequest(`http://127.0.0.1:${port}/some/path`, { method });
      assert.equal(reply.body, `{"Method":"${method}","Body":"foo"}`);
      assert.equal(reply.headers['content-type'], 'application/json');
    }
  });

  test('a TLS port without a certificate is logged and skipped', async () => {
    const child = start(['porter'], { SERVE_TLS_PORT_0: 'secret', CERT_FILE: '/nonexistent/cert', SERVE_PORT_0: 'ok' });
    await child.waitForLog(/SERVE_TLS_PORT_0 on port "0" failed: .*ENOENT/);
    const port = await portFromLog(child, /Serving SERVE_PORT_0 on tcp port (\d+)/);
    assert.equal((await httpRequest(`http://127.0.0.1:${port}/`)).body, 'ok');
  });
});

describe('tutorial-backend', () => {
  test('serves /healthy and /host_name as JSON, then stops on SIGTERM', async () => {
    const child = start(['tutorial-backend', '--port=0']);
    const port = await portFromLog(child, /listening on port (\d+)/);
    const cases: Array<{ method?: string; path: string; status: number; body: unknown }> = [
      { path: '/healthy', status: 200, body: { healthy: true } },
      { path: '/host_name', status: 200, body: { host_name: os.hostname() } },
      { path: '/other', status: 404, body: { error: 'not found' } },
      { method: 'POST', path: '/healthy', status: 405, body: { error: 'method not allowed' } },
    ];
    for (const c of cases) {
      const reply = await httpRequest(`http://127.0.0.1:${port}${c.path}`, { method: c.method });
      assert.equal(reply.status, c.status, c.path);
      assert.equal(reply.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(reply.body), c.body);
    }
    assert.equal((await httpRequest(`http://127.0.0.1:${port}/healthy`)).body, '{"healthy":true}');
    child.child.kill('SIGTERM');
    assert.deepEqual(await child.exited, { code: 0, signal: null });
    await assert.rejects(httpRequest(`http://127.0.0.1:${port}/healthy`));
  });
});

describe('test-webserver', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testimage-web-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('serves files by absolute path with agnhost headers', async () => {
    fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello file');
    const child = start(['test-webserver', '--port=0']);
    const port = await portFromLog(child, /Serving files on port (\d+)/);
    const reply = await httpRequest(`http://127.0.0.1:${port}${dir}/hello.txt`);
    assert.deepEqual([reply.status, reply.body], [200, 'hello file']);
    assert.equal(reply.headers['access-control-allow-origin'], '*');
    assert.equal(reply.headers['cache-control'], 'private');
    assert.equal((await httpRequest(`http://127.0.0.1:${port}${dir}/missing`)).status, 404);
    const listing = await httpRequest(`http://127.0.0.1:${port}${dir}/`);
    assert.match(listing.body, /<a href="hello.txt">hello.txt<\/a>/);
  });
});

describe('liveness', () => {
  test('healthy at first, with /started and /redirect', async () => {
    const child = start(['liveness', '--port=0']);
    const port = await portFromLog(child, /Started liveness server on port (\d+)/);
    const healthz = await httpRequest(`http://127.0.0.1:${port}/healthz`);
    assert.deepEqual([healthz.status, healthz.body], [200, 'ok']);
    assert.match((await httpRequest(`http://127.0.0.1:${port}/started`)).body, /^\d+(\.\d+)?(ms|s)$/);
    const moved = await httpRequest(`http://127.0.0.1:${port}/redirect?loc=%2Fhealthz`);
    assert.deepEqual([moved.status, moved.headers.location], [302, '/healthz']);
  });
});
