/**
 * Forwarding and search-path completion through real dig, on a listener with recursion (the
 * kind cluster clients use) in front of a scripted upstream on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, skipUnless } from '../harness.js';
import { startDnsServer, type DnsServer } from '../../src/dns/server.js';
import { Forwarder } from '../../src/dns/forwarder.js';
import { aRecord, startFakeUpstream, type FakeUpstream } from '../../src/dns/fake-upstream.js';
import { fixtureIndex } from '../../src/dns/test-fixtures.js';
import { silentLogger } from '../../src/lib/log.js';
import { queryUdp } from './client.js';

const skip = skipUnless('dig');
const Z = 'cluster.local';
const SEARCH = [`example.svc.${Z}`, `svc.${Z}`, Z];

describe('forwarding and search-path completion with dig', { skip }, () => {
  let upstream: FakeUpstream;
  let server: DnsServer;
  let plain: DnsServer;
  let forwarder: Forwarder;
  let port = 0;

  before(async () => {
    upstream = await startFakeUpstream((q) => {
      const name = q.questions?.[0]?.name ?? '';
      const type = q.questions?.[0]?.type;
      if (name.toLowerCase() === 'example.org' && type === 'A') return { kind: 'answer', answers: [aRecord(name, '192.0.2.10', 300)] };
      if (name.toLowerCase() === 'www.example.org' && type === 'A') return { kind: 'answer', answers: [aRecord(name, '192.0.2.11', 300)] };
      return { kind: 'answer', rcode: 3 };
    });
    forwarder = new Forwarder({ upstreams: [{ host: upstream.host, port: upstream.port }], log: silentLogger(), timeoutMs: 1000 });
    const index = fixtureIndex();
    server = await startDnsServer({ index, synced: () => true, log: silentLogger(), listen: [{ host: '127.0.0.1', port: 0, recursion: true }], forwarder });
    port = server.addresses()[0]?.port ?? 0;
    plain = await startDnsServer({ index, synced: () => true, log: silentLogger(), listen: [{ host: '127.0.0.1', port: 0, recursion: true }], forwarder, complete: false });
  });
  after(async () => {
    await server?.close();
    await plain?.close();
    forwarder?.close();
    await upstream?.close();
  });

  const dig = async (args: string[], at = port): Promise<string> => {
    const r = await run('dig', ['@127.0.0.1', '-p', String(at), '+time=2', '+tries=1', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  for (const transport of ['+notcp', '+tcp']) {
    test(`a name outside the zone is forwarded, with RA and without AA (${transport})`, async () => {
      const out = await dig([transport, 'example.org']);
      assert.match(out, /status: NOERROR/);
      assert.match(out, /flags: qr rd ra;/);
      assert.match(out, /example\.org\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10/);
    });
  }

  test('an upstream NXDOMAIN comes back as NXDOMAIN', async () => {
    assert.match(await dig(['nothing.example.org']), /status: NXDOMAIN/);
  });

  test('an ExternalName to an outside name answers its CNAME and the upstream\'s address', async () => {
    const out = await dig([`ext.example.svc.${Z}`]);
    assert.match(out, /ext\.example\.svc\.cluster\.local\.\s+\d+\s+IN\s+CNAME\s+www\.example\.org\./);
    assert.match(out, /www\.example\.org\.\s+\d+\s+IN\s+A\s+192\.0\.2\.11/);
  });

  test('the first search expansion of an outside name gets a CNAME to it and its answer', async () => {
    const out = await dig([`example.org.example.svc.${Z}`]);
    assert.match(out, /status: NOERROR/);
    assert.match(out, /example\.org\.example\.svc\.cluster\.local\.\s+\d+\s+IN\s+CNAME\s+example\.org\./);
    assert.match(out, /example\.org\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10/);
  });

  test('a pod resolver needs 1 query for an outside name instead of 4 (measured)', async () => {
    // What glibc and musl do with ndots:5 and the kubelet's search list: each search name in
    // turn until one has an answer, then the name as given.
    const lookups = async (at: number): Promise<number> => {
      let sent = 0;
      for (const name of [...SEARCH.map((s) => `example.org.${s}`), 'example.org']) {
        sent++;
        const a = await queryUdp('127.0.0.1', at, name);
        if (a.rcode === 0 && a.answers.some((x) => x.startsWith('A '))) break;
      }
      return sent;
    };
    const withCompletion = await lookups(port);
    const without = await lookups(plain.addresses()[0]?.port ?? 0);
    process.stderr.write(`# queries a pod sends for example.org (A): ${withCompletion} with completion, ${without} without\n`);
    assert.equal(withCompletion, 1);
    assert.equal(without, 4);
  });
});
