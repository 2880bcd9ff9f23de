import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { ClusterNetwork, destroySandbox } from './network.js';
import { NamespaceBroker } from './broker.js';
import { nodeIn, sandboxSkipReason, serveIn, testSandboxId } from './testing.js';

const skip = sandboxSkipReason();

describe('the namespace broker', { skip }, () => {
  const id = testSandboxId();
  let network: ClusterNetwork;
  let broker: NamespaceBroker;
  let podNs = '';
  const stops: (() => void)[] = [];

  before(async () => {
    network = await ClusterNetwork.create({ id });
    const node = await network.addNode(0, '10.244.0.0/24');
    podNs = (await network.addPod(node, 'uid-a', '10.244.0.2')).netns;
    broker = await NamespaceBroker.start(network.names.cluster);
  });
  after(async () => {
    for (const s of stops) s();
    broker?.stop();
    await destroySandbox(id);
  });

  test('an HTTP server of this process answers a pod on the cluster address', async () => {
    const handle = await broker.listenTcp(network.clusterAddress, 0);
    const server = http.createServer((req, res) => res.end(`host process saw ${req.url}`));
    await new Promise<void>((resolve) => server.listen(handle, resolve));
    stops.push(() => server.close());
    const port = (handle.address() as net.AddressInfo).port;
    const got = await nodeIn(podNs, `const r = await fetch('http://${network.clusterAddress}:${port}/x'); console.log(await r.text())`);
    assert.equal(got.stdout.trim(), 'host process saw /x', got.stderr);
  });

  test('a UDP socket of this process answers a pod', async () => {
    const socket = await broker.bindUdp(network.clusterAddress, 0);
    socket.on('message', (m, r) => socket.send(`pong ${m}`, r.port, r.address));
    stops.push(() => socket.close());
    const got = await nodeIn(podNs, `
      import dgram from 'node:dgram';
      const u = dgram.createSocket('udp4');
      u.on('message', (m) => { console.log(String(m)); process.exit(0); });
      u.send('ping', ${socket.address().port}, '${network.clusterAddress}');
      setTimeout(() => process.exit(1), 3000);`);
    assert.equal(got.stdout.trim(), 'pong ping', got.stderr);
  });

  test('a connection from this process reaches a pod IP', async () => {
    const server = serveIn(podNs, `import net from 'node:net'; net.createServer((c) => c.end('from the pod')).listen(7000, () => console.log('ready'));`);
    stops.push(server.stop);
    await server.ready;
    const conn = await broker.connect('10.244.0.2', 7000);
    let got = '';
    conn.setEncoding('utf8').on('data', (d: string) => (got += d));
    await new Promise((resolve) => conn.on('end', resolve));
    assert.equal(got, 'from the pod');
  });

  test('an address that is not in the namespace is refused with the reason', async () => {
    await assert.rejects(broker.listenTcp('10.243.0.77', 0), /EADDRNOTAVAIL|address not available/i);
  });
});
