import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { InformerFactory } from '../client/factory.js';
import { systemClock } from '../lib/clock.js';
import { silentLogger } from '../lib/log.js';
import { startTestApi, type TestApi } from '../testing/api.js';
import { startClusterDns, type ClusterDns } from './cluster-dns.js';
import type { ListenAddress } from './server.js';

const info = {
  namespaces: findResource('', 'namespaces') as ResourceInfo,
  services: findResource('', 'services') as ResourceInfo,
  endpointslices: findResource('discovery.k8s.io', 'endpointslices') as ResourceInfo,
};
const ns = 'dnstest';

function encodeQuery(name: string, type: 'A' | 'SRV', id: number): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
}

function udpQuery(addr: ListenAddress, name: string, type: 'A' | 'SRV' = 'A'): Promise<DecodedPacket> {
  const socket = dgram.createSocket('udp4');
  return new Promise<DecodedPacket>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('udp query timed out')), 2000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      resolve(dnsPacket.decode(msg));
    });
    socket.send(encodeQuery(name, type, 7), addr.port, addr.host);
  }).finally(() => socket.close());
}

function tcpQuery(addr: ListenAddress, name: string): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(addr.port, addr.host);
    let buf = Buffer.alloc(0);
    conn.setTimeout(2000, () => conn.destroy(new Error('tcp query timed out')));
    conn.on('error', reject);
    conn.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        conn.end();
        resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    const q = encodeQuery(name, 'A', 8);
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(q.length, 0);
    conn.write(Buffer.concat([prefix, q]));
  });
}

const rcode = (p: DecodedPacket): number => ((p.flags ?? 0) & 0xf);
const addresses = (p: DecodedPacket): string[] =>
  (p.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : [])).sort();

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('cluster DNS against the API server', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let dns: ClusterDns;
  let addr: ListenAddress;

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    dns = startClusterDns({ listen: [{ host: '127.0.0.1', port: 0 }] }, { client: api.client, informers: factory, log: silentLogger(), clock: systemClock });
    await factory.start();
    await dns.ready;
    const first = dns.addresses()[0];
    assert.ok(first);
    addr = first;
    await api.client.create(info.namespaces, undefined, { metadata: { name: ns } });
  });

  after(async () => {
    await dns.stop();
    await api.stop();
  });

  test('a ClusterIP Service resolves over UDP and TCP, and is NXDOMAIN once deleted', async () => {
    const name = `backend.${ns}.svc.cluster.local`;
    const svc = await api.client.create(info.services, ns, {
      metadata: { name: 'backend' },
      spec: { selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    const ip = (svc.spec as { clusterIP: string }).clusterIP;
    const udp = await eventually('the A record', async () => {
      const p = await udpQuery(addr, name);
      return rcode(p) === 0 && addresses(p).length === 1 ? p : undefined;
    });
    assert.deepEqual(addresses(udp), [ip]);
    assert.deepEqual(addresses(await tcpQuery(addr, name)), [ip]);
    const srv = await udpQuery(addr, `_http._tcp.${name}`, 'SRV');
    assert.equal(srv.answers?.[0]?.type, 'SRV');
    await api.client.delete(info.services, ns, 'backend');
    await eventually('NXDOMAIN', async () => (rcode(await udpQuery(addr, name)) === 3 ? true : undefined));
  });

  test('a headless Service answers its ready endpoints from its EndpointSlice', async () => {
    const name = `web.${ns}.svc.cluster.local`;
    await api.client.create(info.services, ns, {
      metadata: { name: 'web' },
      spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    });
    assert.equal(rcode(await udpQuery(addr, name)), 3); // no ready endpoints yet
    await api.client.create(info.endpointslices, ns, {
      metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.0.5'], hostname: 'web-0', conditions: { ready: true } },
        { addresses: ['10.244.0.6'], conditions: { ready: false } },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    const p = await eventually('the headless answer', async () => {
      const reply = await udpQuery(addr, name);
      return rcode(reply) === 0 ? reply : undefined;
    });
    assert.deepEqual(addresses(p), ['10.244.0.5']);
    assert.deepEqual(addresses(await udpQuery(addr, `web-0.${name}`)), ['10.244.0.5']);
  });

  test('namespaces are empty non-terminals; other names are NXDOMAIN', async () => {
    assert.equal(rcode(await udpQuery(addr, `${ns}.svc.cluster.local`)), 0);
    assert.equal(rcode(await udpQuery(addr, 'nosuch.svc.cluster.local')), 3);
  });
});
