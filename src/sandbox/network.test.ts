import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterNetwork, destroySandbox, listNamespaces, pidsIn, type NodeNetwork } from './network.js';
import { mustRun } from './run.js';
import { nodeIn, sandboxSkipReason, serveIn, testSandboxId } from './testing.js';

const skip = sandboxSkipReason();

/** What the host's own network looks like; the sandbox must leave it exactly so. */
async function hostNetwork(): Promise<string> {
  const links = await mustRun('ip', ['-o', 'link', 'show']);
  const addrs = await mustRun('ip', ['-o', 'addr', 'show']);
  const routes = await mustRun('ip', ['route', 'show', 'table', 'all']);
  // Counters and link states of unrelated interfaces may move; names, addresses and routes may not.
  const names = links.split('\n').map((l) => l.split(':').slice(0, 2).join(':').trim()).join('\n');
  return `${names}\n${addrs.replace(/valid_lft.*$/gm, '')}\n${routes}`;
}

const tcpEcho = (port: number) => `
  import net from 'node:net';
  import dgram from 'node:dgram';
  const server = net.createServer((c) => c.on('data', (d) => c.end('tcp:' + d)));
  server.listen(${port}, '0.0.0.0', () => {
    const u = dgram.createSocket('udp4');
    u.on('message', (m, r) => u.send('udp:' + m, r.port, r.address));
    u.bind(${port}, '0.0.0.0', () => console.log('ready'));
  });`;

const tcpCall = (ip: string, port: number) => `
  import net from 'node:net';
  const c = net.connect(${port}, '${ip}', () => c.write('hi'));
  let got = ''; c.on('data', (d) => (got += d)); c.on('end', () => { console.log(got); process.exit(0); });
  c.on('error', (e) => { console.error(e.message); process.exit(1); });`;

const udpCall = (ip: string, port: number) => `
  import dgram from 'node:dgram';
  const u = dgram.createSocket('udp4');
  u.on('message', (m) => { console.log(String(m)); process.exit(0); });
  u.send('hi', ${port}, '${ip}');
  setTimeout(() => process.exit(1), 3000);`;

describe('the cluster network', { skip }, () => {
  const id = testSandboxId();
  let network: ClusterNetwork;
  let nodes: NodeNetwork[] = [];
  let hostBefore = '';
  const servers: { stop(): void }[] = [];

  before(async () => {
    hostBefore = await hostNetwork();
    network = await ClusterNetwork.create({ id });
    nodes = [await network.addNode(0, '10.244.0.0/24'), await network.addNode(1, '10.244.1.0/24')];
    await network.addPod(nodes[0]!, 'uid-a', '10.244.0.2');
    await network.addPod(nodes[0]!, 'uid-b', '10.244.0.3');
    await network.addPod(nodes[1]!, 'uid-c', '10.244.1.2');
    for (const pod of ['uid-a', 'uid-c']) {
      const s = serveIn(network.names.pod(pod), tcpEcho(8080));
      servers.push(s);
      await s.ready;
    }
  });
  after(async () => {
    for (const s of servers) s.stop();
    await destroySandbox(id);
  });

  test('namespaces are named after the cluster id and exist', async () => {
    const all = await listNamespaces();
    for (const ns of [network.names.cluster, nodes[0]?.netns, nodes[1]?.netns, network.names.pod('uid-a')]) assert.ok(all.includes(ns ?? ''), `${ns} exists`);
    assert.equal(nodes[1]?.address, '10.243.0.3');
    assert.equal(nodes[1]?.gateway, '10.244.1.1');
  });

  test('pod to pod on one node and across nodes, over TCP and UDP', async () => {
    const b = network.names.pod('uid-b');
    assert.equal((await nodeIn(b, tcpCall('10.244.0.2', 8080))).stdout.trim(), 'tcp:hi');
    assert.equal((await nodeIn(b, tcpCall('10.244.1.2', 8080))).stdout.trim(), 'tcp:hi');
    assert.equal((await nodeIn(b, udpCall('10.244.1.2', 8080))).stdout.trim(), 'udp:hi');
  });

  test('node to pod, and the cluster namespace to a pod on each node', async () => {
    assert.equal((await nodeIn(nodes[1]!.netns, tcpCall('10.244.0.2', 8080))).stdout.trim(), 'tcp:hi');
    assert.equal((await nodeIn(network.names.cluster, tcpCall('10.244.1.2', 8080))).stdout.trim(), 'tcp:hi');
    assert.equal((await nodeIn(network.names.cluster, udpCall('10.244.0.2', 8080))).stdout.trim(), 'udp:hi');
  });

  test('forwarding is on inside nodes only, never on the host', async () => {
    const inNode = await nodeIn(nodes[0]!.netns, `import { readFileSync } from 'node:fs'; console.log(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim())`);
    assert.equal(inNode.stdout.trim(), '1');
  });

  test('the host network namespace is unchanged', async () => {
    assert.equal(await hostNetwork(), hostBefore);
  });

  test('creating a node or the cluster again adopts what exists', async () => {
    const again = await ClusterNetwork.create({ id });
    const node = await again.addNode(0, '10.244.0.0/24');
    assert.equal(node.address, '10.243.0.2');
    assert.equal((await nodeIn(network.names.pod('uid-b'), tcpCall('10.244.0.2', 8080))).stdout.trim(), 'tcp:hi');
  });

  test('removing a pod removes its namespace and veth; destroying removes all and stops processes', async () => {
    await network.addPod(nodes[1]!, 'uid-d', '10.244.1.3');
    await network.removePod(nodes[1]!, 'uid-d');
    assert.ok(!(await listNamespaces()).includes(network.names.pod('uid-d')));
    const links = await mustRun('ip', ['-n', nodes[1]!.netns, '-o', 'link', 'show']);
    assert.equal(links.split('\n').filter((l) => l.includes('master cbr0')).length, 1, 'only uid-c remains on the bridge');
    const lingering = serveIn(network.names.pod('uid-b'), tcpEcho(9090));
    await lingering.ready;
    assert.deepEqual(await pidsIn(network.names.pod('uid-b')), [lingering.pid]);
    const removed = await destroySandbox(id);
    assert.equal(removed.length, 6);
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(network.names.prefix)), []);
    assert.throws(() => process.kill(lingering.pid, 0), 'the process inside was stopped');
    assert.equal(await hostNetwork(), hostBefore);
  });
});
