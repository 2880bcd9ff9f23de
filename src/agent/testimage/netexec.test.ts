import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closedPort, httpRequest, startTestImage, udpAsk, type TestImageChild } from './testing.js';

interface Netexec {
  child: TestImageChild;
  httpPort: number;
  udpPort: number;
  base: string;
}

const children: TestImageChild[] = [];

async function startNetexec(args: string[] = [], env: Record<string, string> = {}): Promise<Netexec> {
  const child = startTestImage(['netexec', '--http-port=0', '--udp-port', '0', ...args], env);
  children.push(child);
  const httpPort = Number((await child.waitForLog(/Started HTTP server on port (\d+)/))[1]);
  const udpMatch = /Started UDP server on port (\S*) (\d+)/.exec(child.stderr());
  return { child, httpPort, udpPort: Number(udpMatch?.[2] ?? -1), base: `http://127.0.0.1:${httpPort}` };
}

after(() => {
  for (const child of children) child.stop();
});

describe('netexec HTTP endpoints', () => {
  let server: Netexec;
  let peer: Netexec;
  const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netexec-upload-'));
  before(async () => {
    server = await startNetexec([], { SWITCHBOARD_UPLOAD_DIR: uploadDir });
    peer = await startNetexec();
  });
  after(() => fs.rmSync(uploadDir, { recursive: true, force: true }));

  const plainCases: Array<{ name: string; path: string; status: number; body: RegExp | ((s: Netexec) => string) }> = [
    { name: 'root answers with a Go timestamp', path: '/', status: 200, body: /^NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 UTC m=\+/ },
    { name: 'unknown paths fall to the root handler', path: '/no/such/thing', status: 200, body: /^NOW: / },
    { name: 'clientip is ip:port', path: '/clientip', status: 200, body: /^127\.0\.0\.1:\d+$/ },
    { name: 'hostname', path: '/hostname', status: 200, body: () => os.hostname() },
    { name: 'hostName (old spelling)', path: '/hostName', status: 200, body: () => os.hostname() },
    { name: 'serverport', path: '/serverport', status: 200, body: (s) => String(s.httpPort) },
    { name: 'echo', path: '/echo?msg=hello%20world', status: 200, body: () => 'hello world' },
    { name: 'echo with a status code', path: '/echo?msg=gone&code=404', status: 404, body: () => 'gone' },
    { name: 'echo with a bad code', path: '/echo?msg=x&code=abc', status: 200, body: () => 'argument \'code\' must be an integer or empty, got "abc"\n' },
    { name: 'healthz when the UDP server runs', path: '/healthz', status: 200, body: () => '' },
    { name: 'readyz when the UDP server runs', path: '/readyz', status: 200, body: () => 'ok' },
    { name: 'dial without request', path: '/dial?host=127.0.0.1&port=1', status: 400, body: () => 'request parameter not specified. <nil>\n' },
    { name: 'dial with bad tries', path: '/dial?request=hostname&tries=x', status: 400, body: () => 'tries parameter is invalid. strconv.Atoi: parsing "x": invalid syntax\n' },
    { name: 'dial with an unknown protocol', path: '/dial?request=hostname&protocol=ftp', status: 400, body: () => 'unsupported protocol. ftp\n' },
    { name: 'dial with a bad port', path: '/dial?request=hostname&host=127.0.0.1&port=http-alt', status: 400, body: /^host and\/or port param are invalid\. / },
    { name: 'shell output', path: '/shell?shellCommand=echo%20hi', status: 200, body: () => '{"output":"hi\\n"}' },
    { name: 'shell via cmd, failing', path: '/shell?cmd=exit%203', status: 200, body: () => '{"error":"exit status 3"}' },
    { name: 'shell with output and error, keys sorted', path: `/shell?cmd=${encodeURIComponent("echo '<out>'; exit 1")}`, status: 200, body: () => '{"error":"exit status 1","output":"\\u003cout\\u003e\\n"}' },
    { name: 'upload without a file', path: '/upload', status: 200, body: () => '{"error":"Unable to upload file."}' },
  ];
  for (const c of plainCases) {
    test(c.name, async () => {
      const reply = await httpRequest(`${server.base}${c.path}`);
      assert.equal(reply.status, c.status, reply.body);
      if (c.body instanceof RegExp) assert.match(reply.body, c.body);
      else assert.equal(reply.body, c.body(server));
    });
  }

  test('form values in a POST body win over the query', async () => {
    const reply = await httpRequest(`${server.base}/echo?msg=query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'msg=body',
    });
    assert.equal(reply.body, 'body');
  });

  test('header returns one value or all headers as JSON', async () => {
    const one = await httpRequest(`${server.base}/header?key=x-test`, { headers: { 'X-Test': 'v1' } });
    assert.equal(one.body, 'v1');
    const all = JSON.parse((await httpRequest(`${server.base}/header`, { headers: { 'X-Test': 'v1' } })).body) as Record<string, string[]>;
    assert.deepEqual(all['X-Test'], ['v1']);
    assert.equal(all['Host'], undefined);
  });

  test('redirect to a location with a code', async () => {
    const reply = await httpRequest(`${server.base}/redirect?location=/echo%3Fmsg=foobar&code=307`);
    assert.equal(reply.status, 307);
    assert.equal(reply.headers.location, '/echo?msg=foobar');
    const found = await httpRequest(`${server.base}/redirect?location=/hostname`);
    assert.equal(found.status, 302);
  });

  test('unclean paths are redirected like Go\'s ServeMux', async () => {
    const reply = await httpRequest(`${server.base}//hostname`);
    assert.equal(reply.status, 301);
    assert.equal(reply.headers.location, '/hostname');
  });

  test('upload stores the file with mode 0700', async () => {
    const boundary = 'XyZzYboundary';
    const body = [`--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="a.txt"',
      'Content-Type: text/plain', '', 'uploaded content', `--${boundary}--`, ''].join('\r\n');
    const reply = await httpRequest(`${server.base}/upload`, {
      method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body,
    });
    assert.equal(reply.status, 201, reply.body);
    const output = (JSON.parse(reply.body) as { output: string }).output;
    assert.match(output, new RegExp(`^${uploadDir}/upload\\d+$`));
    assert.equal(fs.readFileSync(output, 'utf8'), 'uploaded content');
    assert.equal(fs.statSync(output).mode & 0o777, 0o700);
  });

  const dialCases: Array<{ name: string; query: (p: Netexec) => string; expected: (p: Netexec) => unknown }> = [
    { name: 'http, twice', query: (p) => `request=hostname&protocol=http&host=127.0.0.1&port=${p.httpPort}&tries=2`, expected: () => ({ responses: [os.hostname(), os.hostname()] }) },
    { name: 'http by default, host name resolved', query: (p) => `request=echo?msg=dialed&host=localhost&port=${p.httpPort}`, expected: () => ({ responses: ['dialed'] }) },
    { name: 'http, following the cleaning redirect', query: (p) => `request=/hostName&host=127.0.0.1&port=${p.httpPort}`, expected: () => ({ responses: [os.hostname()] }) },
    { name: 'udp hostname', query: (p) => `request=hostname&protocol=udp&host=127.0.0.1&port=${p.udpPort}`, expected: () => ({ responses: [os.hostname()] }) },
    { name: 'udp echo is lower-cased', query: (p) => `request=echo%20Hello&protocol=udp&host=127.0.0.1&port=${p.udpPort}`, expected: () => ({ responses: ['hello'] }) },
  ];
  for (const c of dialCases) {
    test(`dial ${c.name}`, async () => {
      const reply = await httpRequest(`${server.base}/dial?${c.query(peer)}`);
      assert.equal(reply.status, 200, reply.body);
      assert.deepEqual(JSON.parse(reply.body), c.expected(peer));
    });
  }

  test('dial to a closed port reports errors and no responses', async () => {
    const port = await closedPort();
    const reply = await httpRequest(`${server.base}/dial?request=hostname&host=127.0.0.1&port=${port}&tries=2`);
    assert.equal(reply.status, 200);
    const output = JSON.parse(reply.body) as { errors: string[]; responses?: string[] };
    assert.equal(output.errors.length, 2);
    assert.match(output.errors[0] ?? '', /^Get "http:\/\/127\.0\.0\.1:\d+\/hostname": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
    assert.equal(output.responses, undefined);
  });

  const udpCases: Array<{ send: string; expected: (localPort: number) => string }> = [
    { send: 'hostname', expected: () => os.hostname() },
    { send: '  HOSTNAME\n', expected: () => os.hostname() },
    { send: 'echo Some Text', expected: () => 'some text' },
    { send: 'clientip', expected: (localPort) => `127.0.0.1:${localPort}` },
  ];
  for (const c of udpCases) {
    test(`udp ${JSON.stringify(c.send)}`, async () => {
      const { reply, localPort } = await udpAsk(server.udpPort, c.send);
      assert.equal(reply, c.expected(localPort));
    });
  }

  test('udp stays silent on unknown commands', async () => {
    await assert.rejects(udpAsk(server.udpPort, 'bogus', 300), /no UDP reply/);
  });
});

describe('netexec lifecycle and flags', () => {
  test('/exit with a timeout answers, then exits with the code', async () => {
    const server = await startNetexec();
    const reply = await httpRequest(`${server.base}/exit?code=3&timeout=2s`);
    assert.equal(reply.status, 200);
    assert.deepEqual(await server.child.exited, { code: 3, signal: null });
  });

  test('/exit without a timeout exits at once, dropping the request', async () => {
    const server = await startNetexec();
    await assert.rejects(httpRequest(`${server.base}/exit?code=4`));
    assert.deepEqual(await server.child.exited, { code: 4, signal: null });
  });

  test('/shutdown exits 0', async () => {
    const server = await startNetexec();
    await assert.rejects(httpRequest(`${server.base}/shutdown`));
    assert.equal((await server.child.exited).code, 0);
  });

  test('SIGTERM with --delay-shutdown: readyz 503, healthz 200, then exit 0', async () => {
    const server = await startNetexec(['--delay-shutdown=1']);
    server.child.child.kill('SIGTERM');
    await server.child.waitForLog(/Sleeping 1 seconds before terminating/);
    const readyz = await httpRequest(`${server.base}/readyz`);
    assert.deepEqual([readyz.status, readyz.body], [503, 'shutting down']);
    assert.equal((await httpRequest(`${server.base}/healthz`)).status, 200);
    assert.deepEqual(await server.child.exited, { code: 0, signal: null });
  });

  test('--udp-port=-1: no UDP server, healthz and readyz 412', async () => {
    const server = await startNetexec(['--udp-port=-1']);
    assert.equal((await httpRequest(`${server.base}/healthz`)).status, 412);
    assert.equal((await httpRequest(`${server.base}/readyz`)).status, 412);
    assert.doesNotMatch(server.child.stderr(), /Started UDP server/);
  });

  test('--http-override serves one path for every request', async () => {
    const server = await startNetexec(['--http-override=/echo?msg=overridden']);
    for (const p of ['/', '/hostname', '/anything?msg=x']) {
      assert.equal((await httpRequest(`${server.base}${p}`, { method: 'POST' })).body, 'overridden');
    }
  });

  test('--sctp-port is accepted and ignored with a note', async () => {
    const server = await startNetexec(['--sctp-port=9999']);
    assert.match(server.child.stderr(), /SCTP is not supported by Switchboard/);
    assert.equal((await httpRequest(`${server.base}/hostname`)).body, os.hostname());
  });

  test('a bad flag value exits 1 like cobra', async () => {
    const child = startTestImage(['netexec', '--http-port=eighty']);
    children.push(child);
    assert.equal((await child.exited).code, 1);
    assert.match(child.stderr(), /^Error: invalid argument "eighty" for "--http-port" flag/);
  });
});
