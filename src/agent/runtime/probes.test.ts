import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { probeOnce, Prober, type ProbeSpec, type ProbeTarget } from './probes.js';

/** Connections go to the loopback server whatever the address; `refused` makes them fail as the kernel does. */
function target(port: number, refused = false): ProbeTarget {
  return {
    podIP: '10.244.0.9',
    namedPorts: new Map([['http', 8080]]),
    connect: () =>
      refused
        ? Promise.reject(Object.assign(new Error('in sb1-n0: connect ECONNREFUSED 10.244.0.9:8080'), { code: 'ECONNREFUSED' }))
        : new Promise((resolve, reject) => {
            const s = net.connect(port, '127.0.0.1', () => resolve(s));
            s.once('error', reject);
          }),
    pid: () => undefined,
  };
}

describe('probe results in the kubelet\'s words', () => {
  let server: http.Server;
  let port = 0;
  before(async () => {
    server = http.createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => server.close());

  const cases: { name: string; spec: ProbeSpec; refused?: boolean; ok: boolean; output: string }[] = [
    { name: 'http 200', spec: { httpGet: { path: '/ok', port: 8080 } }, ok: true, output: '' },
    { name: 'http 503', spec: { httpGet: { path: '/down', port: 'http' } }, ok: false, output: 'HTTP probe failed with statuscode: 503' },
    { name: 'http refused', spec: { httpGet: { path: '/ok', port: 'http' } }, refused: true, ok: false, output: 'Get "http://10.244.0.9:8080/ok": dial tcp 10.244.0.9:8080: connect: connection refused' },
    { name: 'tcp open', spec: { tcpSocket: { port: 8080 } }, ok: true, output: '' },
    { name: 'tcp refused', spec: { tcpSocket: { port: 8080 } }, refused: true, ok: false, output: 'dial tcp 10.244.0.9:8080: connect: connection refused' },
    { name: 'exec, container gone', spec: { exec: { command: ['true'] } }, ok: false, output: 'the container is not running' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      assert.deepEqual(await probeOnce(c.spec, target(port, c.refused)), { ok: c.ok, output: c.output });
    });
  }

  test('the prober reports every failed attempt, not only the change of state', async () => {
    const outputs: string[] = [];
    const changes: boolean[] = [];
    // failureThreshold 3: the state does not change after the first failure, yet it is reported.
    const prober = new Prober({ httpGet: { path: '/down', port: 8080 } }, target(port), false, (ok) => changes.push(ok), (o) => outputs.push(o));
    prober.start();
    for (let i = 0; i < 50 && outputs.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    prober.stop();
    assert.deepEqual(outputs, ['HTTP probe failed with statuscode: 503']);
    assert.deepEqual(changes, []);
  });
});
