import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer as WireAnswer } from 'dns-packet';
import { resolveQuestion, type Reply, type ResolveOptions } from './resolve.js';
import { Forwarder } from './forwarder.js';
import { aRecord, startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { fixtureIndex } from './test-fixtures.js';
import { silentLogger } from '../lib/log.js';

const Z = 'cluster.local';

function rows(records: WireAnswer[]): string[] {
  return records.map((r) => `${r.name} ${r.type} ${'data' in r ? (typeof r.data === 'string' ? r.data : JSON.stringify(r.data)) : ''}`);
}

describe('resolveQuestion', () => {
  const index = fixtureIndex();
  let upstream: FakeUpstream;
  let forwarder: Forwarder;
  const known = new Map([['example.org', '192.0.2.10'], ['www.example.org', '192.0.2.11']]);

  before(async () => {
    upstream = await startFakeUpstream((q) => {
      const name = q.questions?.[0]?.name ?? '';
      const ip = known.get(name.toLowerCase());
      return ip ? { kind: 'answer', answers: [aRecord(name, ip, 120)] } : { kind: 'answer', rcode: 3 };
    });
    forwarder = new Forwarder({ upstreams: [{ host: upstream.host, port: upstream.port }], log: silentLogger(), timeoutMs: 500 });
  });
  after(async () => {
    forwarder.close();
    await upstream.close();
  });

  const recursive = (): ResolveOptions => ({ synced: true, forwarder });
  const local: ResolveOptions = { synced: true };
  const sync = (r: Reply | Promise<Reply>): Reply => {
    assert.ok(!(r instanceof Promise), 'answered from the zone without waiting');
    return r;
  };

  test('names outside the zone are REFUSED without a forwarder and forwarded with one', async () => {
    assert.equal(sync(resolveQuestion(index, { name: 'example.org', type: 'A' }, local)).rcode, 5);
    const r = await resolveQuestion(index, { name: 'example.org', type: 'A' }, recursive());
    assert.equal(r.rcode, 0);
    assert.equal(r.authoritative, false);
    assert.deepEqual(rows(r.answers), ['example.org A 192.0.2.10']);
  });

  test('an ExternalName outside the zone is chased upstream after its CNAME', async () => {
    const r = await resolveQuestion(index, { name: `ext.example.svc.${Z}`, type: 'A' }, recursive());
    assert.equal(r.rcode, 0);
    assert.deepEqual(rows(r.answers), [`ext.example.svc.${Z} CNAME www.example.org`, 'www.example.org A 192.0.2.11']);
    const noForwarder = sync(resolveQuestion(index, { name: `ext.example.svc.${Z}`, type: 'A' }, local));
    assert.deepEqual(rows(noForwarder.answers), [`ext.example.svc.${Z} CNAME www.example.org`]);
  });

  test('search-path completion inside the zone: another namespace\'s Service in one round trip', () => {
    // A pod in `default` asking for `backend.example` sends `backend.example.default.svc.<zone>` first.
    const r = sync(resolveQuestion(index, { name: `Backend.example.default.svc.${Z}`, type: 'A' }, local));
    assert.equal(r.rcode, 0);
    assert.equal(r.source, 'completed');
    assert.deepEqual(rows(r.answers), [`Backend.example.default.svc.${Z} CNAME backend.example.svc.${Z}`, `backend.example.svc.${Z} A 10.96.0.20`]);
  });

  test('search-path completion outside the zone: CNAME to the outside name and its answer', async () => {
    const before = upstream.queries.length;
    const r = await resolveQuestion(index, { name: `example.org.example.svc.${Z}`, type: 'A' }, recursive());
    assert.equal(r.rcode, 0);
    assert.deepEqual(rows(r.answers), [`example.org.example.svc.${Z} CNAME example.org`, 'example.org A 192.0.2.10']);
    assert.equal(upstream.queries.length - before <= 1, true, 'at most one upstream query (cache)');
  });

  test('no completion when nothing would answer, for single labels, unknown namespaces or without a forwarder', async () => {
    const missing = await resolveQuestion(index, { name: `nothing.here.example.svc.${Z}`, type: 'A' }, recursive());
    assert.equal(missing.rcode, 3);
    assert.deepEqual(rows(missing.authorities).map((r) => r.split(' ')[1]), ['SOA']);
    const single = sync(resolveQuestion(index, { name: `com.example.svc.${Z}`, type: 'A' }, recursive()));
    assert.equal(single.rcode, 3, 'a single label is never sent upstream');
    const unknownNs = sync(resolveQuestion(index, { name: `example.org.nons.svc.${Z}`, type: 'A' }, recursive()));
    assert.equal(unknownNs.rcode, 3);
    const noForwarder = sync(resolveQuestion(index, { name: `example.org.example.svc.${Z}`, type: 'A' }, local));
    assert.equal(noForwarder.rcode, 3);
    const off = sync(resolveQuestion(index, { name: `backend.example.default.svc.${Z}`, type: 'A' }, { ...local, complete: false }));
    assert.equal(off.rcode, 3, 'completion can be switched off');
  });

  test('existing names are never completed, and NODATA stays NODATA', () => {
    const r = sync(resolveQuestion(index, { name: `backend.example.svc.${Z}`, type: 'AAAA' }, local));
    assert.equal(r.rcode, 0);
    assert.equal(r.answers.length, 0);
  });
});
