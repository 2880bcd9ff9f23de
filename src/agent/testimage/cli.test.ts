import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { closedPort, startTestImage, type TestImageChild } from './testing.js';

const children: TestImageChild[] = [];
after(() => {
  for (const child of children) child.stop();
});

function start(args: string[]): TestImageChild {
  const child = startTestImage(args);
  children.push(child);
  return child;
}

describe('subcommand dispatch', () => {
  for (const args of [['no-such-subcommand'], []]) {
    test(`usage and exit 2 for ${JSON.stringify(args)}`, async () => {
      const child = start(args);
      assert.equal((await child.exited).code, 2);
      assert.match(child.stderr(), /Available Commands:\n(.|\n)*netexec/);
      assert.equal(child.stdout(), '');
    });
  }

  test('an unknown flag exits 1 like cobra', async () => {
    const child = start(['pause', '--bogus']);
    assert.equal((await child.exited).code, 1);
    assert.equal(child.stderr(), 'Error: unknown flag: --bogus\n');
  });
});

describe('pause', () => {
  const cases: Array<{ signal: NodeJS.Signals; code: number }> = [
    { signal: 'SIGTERM', code: 2 },
    { signal: 'SIGINT', code: 1 },
  ];
  for (const c of cases) {
    test(`prints Paused and exits ${c.code} on ${c.signal}`, async () => {
      const child = start(['pause']);
      await child.waitForStdout(/^Paused\n/);
      child.child.kill(c.signal);
      assert.deepEqual(await child.exited, { code: c.code, signal: null });
    });
  }
});

describe('connect', () => {
  test('exits 0 when the TCP port accepts', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const child = start(['connect', `127.0.0.1:${port}`, '--timeout=2s']);
    const { code } = await child.exited;
    server.close();
    assert.equal(code, 0, child.stderr());
    assert.equal(child.stderr(), '');
  });

  test('UDP with an answering server exits 0', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.on('message', (_msg, rinfo) => socket.send('pong', rinfo.port, rinfo.address));
    const child = start(['connect', '--protocol=udp', '--timeout=2s', `127.0.0.1:${socket.address().port}`]);
    const { code } = await child.exited;
    socket.close();
    assert.equal(code, 0, child.stderr());
  });

  const failures: Array<{ name: string; args: (port: number) => string[]; stderr: RegExp }> = [
    { name: 'refused TCP', args: (port) => [`127.0.0.1:${port}`], stderr: /^REFUSED\n$/ },
    { name: 'refused UDP', args: (port) => ['--protocol=udp', '--timeout=2s', `127.0.0.1:${port}`], stderr: /^REFUSED: / },
    { name: 'missing port', args: () => ['127.0.0.1'], stderr: /^UNKNOWN: address 127\.0\.0\.1: missing port in address\n$/ },
  ];
  for (const c of failures) {
    test(`${c.name} exits 1 with its prefix`, async () => {
      const child = start(['connect', ...c.args(await closedPort())]);
      assert.equal((await child.exited).code, 1);
      assert.match(child.stderr(), c.stderr);
    });
  }
});
