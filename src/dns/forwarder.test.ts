import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Forwarder, upstreamsFromResolvConf } from './forwarder.js';
import { aRecord, startFakeUpstream, type Behaviour, type FakeUpstream } from './fake-upstream.js';
import { silentLogger } from '../lib/log.js';

const log = silentLogger();
const opened: FakeUpstream[] = [];
const forwarders: Forwarder[] = [];

async function upstream(behave: Parameters<typeof startFakeUpstream>[0]): Promise<FakeUpstream> {
  const u = await startFakeUpstream(behave);
  opened.push(u);
  return u;
}

function forwarder(ups: FakeUpstream[], extra: Partial<ConstructorParameters<typeof Forwarder>[0]> = {}): Forwarder {
  const f = new Forwarder({ upstreams: ups.map((u) => ({ host: u.host, port: u.port })), log, timeoutMs: 300, ...extra });
  forwarders.push(f);
  return f;
}

afterEach(async () => {
  for (const f of forwarders.splice(0)) f.close();
  for (const u of opened.splice(0)) await u.close();
});

const answerA = (ip: string, ttl = 60): ((q: { questions?: { name: string }[] }) => Behaviour) => (q) => ({ kind: 'answer', answers: [aRecord(q.questions?.[0]?.name ?? '', ip, ttl)] });

describe('Forwarder', () => {
  test('resolves through the upstream and caches the answer by its TTL', async () => {
    let clock = 1_000_000;
    const u = await upstream(answerA('192.0.2.1', 30));
    const f = forwarder([u], { now: () => clock });
    const first = await f.resolve('example.org', 'A');
    assert.equal(first.rcode, 0);
    assert.deepEqual(first.answers.map((a) => ('data' in a ? a.data : '')), ['192.0.2.1']);
    assert.equal(first.cached, false);
    clock += 10_000;
    const second = await f.resolve('EXAMPLE.org', 'A');
    assert.equal(second.cached, true);
    assert.equal(second.answers[0]?.type === 'A' ? second.answers[0].ttl : -1, 20, 'the TTL ages while cached');
    clock += 21_000;
    const third = await f.resolve('example.org', 'A');
    assert.equal(third.cached, false, 'expired entries go upstream again');
    assert.equal(u.queries.length, 2);
  });

  test('caches NXDOMAIN by the SOA minimum and never caches SERVFAIL', async () => {
    const soa = { name: 'org', type: 'SOA' as const, class: 'IN' as const, ttl: 900, data: { mname: 'a.org', rname: 'b.org', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 } };
    const u = await upstream((q) => (q.questions?.[0]?.name === 'gone.org' ? { kind: 'answer', rcode: 3, authorities: [soa] } : { kind: 'answer', rcode: 2 }));
    const f = forwarder([u]);
    assert.equal((await f.resolve('gone.org', 'A')).rcode, 3);
    assert.equal((await f.resolve('gone.org', 'A')).cached, true);
    assert.equal((await f.resolve('broken.org', 'A')).rcode, 2);
    assert.equal((await f.resolve('broken.org', 'A')).cached, false);
  });

  for (const kind of ['wrong-id', 'wrong-question', 'wrong-source'] as const) {
    test(`ignores an answer with the ${kind.replace('wrong-', 'wrong ')} and waits for the real one`, async () => {
      const u = await upstream(() => ({ kind }));
      const f = forwarder([u], { timeoutMs: 200 });
      const r = await f.resolve('example.org', 'A');
      assert.equal(r.rcode, 2, 'no matching answer arrives, so the query fails instead of taking the forged one');
      assert.equal(r.answers.length, 0);
      assert.equal(f.stats.failures, 1);
    });
  }

  for (const kind of ['wrong-id', 'wrong-question', 'wrong-source'] as const) {
    test(`a forged answer (${kind}) first, then the real one: only the real one is taken`, async () => {
      const u = await upstream(() => ({ kind, thenAnswer: true }));
      const f = forwarder([u]);
      const r = await f.resolve('example.org', 'A');
      assert.equal(r.rcode, 0);
      assert.deepEqual(r.answers.map((a) => [a.name, 'data' in a ? a.data : '']), [['example.org', '192.0.2.66']]);
    });
  }

  test('a silent upstream is skipped for the next one', async () => {
    const silent = await upstream(() => ({ kind: 'silent' }));
    const good = await upstream(answerA('192.0.2.9'));
    const f = forwarder([silent, good], { timeoutMs: 150 });
    const r = await f.resolve('example.org', 'A');
    assert.deepEqual(r.answers.map((a) => ('data' in a ? a.data : '')), ['192.0.2.9']);
  });

  test('a truncated UDP answer is asked again over TCP', async () => {
    const u = await upstream((q, transport) => ({ kind: 'answer', truncated: transport === 'udp', answers: [aRecord(q.questions?.[0]?.name ?? '', '192.0.2.7')] }));
    const f = forwarder([u]);
    const r = await f.resolve('big.example.org', 'A');
    assert.deepEqual(r.answers.map((a) => ('data' in a ? a.data : '')), ['192.0.2.7']);
    assert.deepEqual(u.queries.map((q) => q.transport), ['udp', 'tcp']);
  });

  test('each query gets a fresh random ID and identical questions in flight share one', async () => {
    const u = await upstream((q) => ({ kind: 'answer', delayMs: 50, answers: [aRecord(q.questions?.[0]?.name ?? '', '192.0.2.2')] }));
    const f = forwarder([u]);
    await Promise.all([f.resolve('a.org', 'A'), f.resolve('a.org', 'A'), f.resolve('b.org', 'A'), f.resolve('c.org', 'A')]);
    assert.equal(u.queries.length, 3);
    const ids = new Set(u.queries.map((q) => q.packet.id));
    assert.equal(ids.size, 3);
  });

  test('REFUSED above the in-flight bound', async () => {
    const u = await upstream((q) => ({ kind: 'answer', delayMs: 100, answers: [aRecord(q.questions?.[0]?.name ?? '', '192.0.2.3')] }));
    const f = forwarder([u], { maxConcurrent: 2 });
    const results = await Promise.all(['a.org', 'b.org', 'c.org', 'd.org'].map((n) => f.resolve(n, 'A')));
    assert.deepEqual(results.map((r) => r.rcode), [0, 0, 5, 5]);
    assert.equal(f.stats.refused, 2);
  });

  test('no upstreams: SERVFAIL, and the nameservers of a resolv.conf are read', async () => {
    const f = forwarder([]);
    assert.equal((await f.resolve('example.org', 'A')).rcode, 2);
    const dir = mkdtempSync(join(tmpdir(), 'sb-resolv-'));
    try {
      const file = join(dir, 'resolv.conf');
      writeFileSync(file, '# comment\nnameserver 127.0.0.53\nsearch example\nnameserver fe80::1%eth0\nnameserver ::1\nnameserver not-an-ip\noptions edns0\n');
      assert.deepEqual(upstreamsFromResolvConf(file), [{ host: '127.0.0.53', port: 53 }, { host: 'fe80::1%eth0', port: 53 }, { host: '::1', port: 53 }]);
      assert.deepEqual(upstreamsFromResolvConf(join(dir, 'missing')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
