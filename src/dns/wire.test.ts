import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { respond as respondAny, type RespondOptions } from './wire.js';
import type { RecordIndex } from './records.js';
import { clusterIP, fixtureIndex, headless, slice } from './test-fixtures.js';
import { AnswerCache } from './answer-cache.js';

const SVC = 'example.svc.cluster.local';

function query(name: string, type: string, extra: { edns?: number; id?: number } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: extra.id ?? 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    additionals: extra.edns === undefined ? [] : [{ name: '.', type: 'OPT', udpPayloadSize: extra.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}

/** Zone answers are synchronous; a promise here would be a regression of the fast path. */
function respond(index: RecordIndex, buf: Buffer, opts: RespondOptions): Buffer | undefined {
  const reply = respondAny(index, buf, opts);
  assert.ok(!(reply instanceof Promise), 'zone answers are synchronous');
  return reply;
}

function rcodeOf(buf: Buffer): number {
  return buf.readUInt16BE(2) & 0xf;
}

describe('respond', () => {
  const index = fixtureIndex();
  const udp = { synced: true, transport: 'udp' as const };

  test('answers an A query with AA, the ID, RD echoed and the question', () => {
    const reply = respond(index, query(`Backend.${SVC}`, 'A'), udp);
    assert.ok(reply);
    const p = dnsPacket.decode(reply);
    assert.equal(p.id, 4242);
    assert.equal(p.flag_aa, true);
    assert.equal(p.flag_rd, true);
    assert.equal(rcodeOf(reply), 0);
    assert.deepEqual(p.questions, [{ name: `Backend.${SVC}`, type: 'A', class: 'IN' }]);
    assert.deepEqual(p.answers?.map((a) => [a.name, a.type, 'data' in a ? a.data : null]), [[`Backend.${SVC}`, 'A', '10.96.0.20']]);
  });

  test('NXDOMAIN carries the SOA in authority', () => {
    const reply = respond(index, query(`nope.${SVC}`, 'A'), udp);
    assert.ok(reply);
    assert.equal(rcodeOf(reply), 3);
    assert.deepEqual(dnsPacket.decode(reply).authorities?.map((a) => a.type), ['SOA']);
  });

  test('names outside the zone are refused (no forwarder yet)', () => {
    const reply = respond(index, query('www.example.org', 'A'), udp);
    assert.ok(reply);
    assert.equal(rcodeOf(reply), 5);
  });

  test('an unknown qtype is echoed byte for byte', () => {
    const q = query(`backend.${SVC}`, 'A');
    q.writeUInt16BE(65300, q.length - 4); // qtype of the only question
    const reply = respond(index, q, udp);
    assert.ok(reply);
    assert.equal(rcodeOf(reply), 0);
    assert.equal(reply.readUInt16BE(q.length - 4), 65300);
  });

  test('EDNS: OPT echoed; oversize UDP answers drop additional, then truncate with TC', () => {
    const big = fixtureIndex();
    const endpoints = Array.from({ length: 120 }, (_, i) => ({ ip: `10.245.${Math.floor(i / 200)}.${i % 200}`, hostname: `web-${i}` }));
    big.upsertService(headless('example', 'big', [{ name: 'web', port: 80 }]));
    big.upsertSlice(slice('example', 'big', endpoints, [{ name: 'web', port: 80 }]));
    const plain = respond(big, query(`big.${SVC}`, 'A'), udp);
    assert.ok(plain && plain.length <= 512);
    assert.equal(dnsPacket.decode(plain).flag_tc, true);
    const edns = respond(big, query(`big.${SVC}`, 'A', { edns: 65000 }), udp);
    assert.ok(edns && edns.length <= 1232);
    assert.equal(dnsPacket.decode(edns).flag_tc, true);
    assert.deepEqual(dnsPacket.decode(edns).additionals?.map((a) => a.type), ['OPT']);
    const tcp = respond(big, query(`big.${SVC}`, 'A'), { synced: true, transport: 'tcp' });
    assert.ok(tcp);
    assert.equal(dnsPacket.decode(tcp).answers?.length, 120);
    assert.equal(dnsPacket.decode(tcp).flag_tc, false);
  });

  test('a small EDNS answer fits and is not truncated', () => {
    const reply = respond(index, query(`_web._tcp.nginx.${SVC}`, 'SRV', { edns: 1232 }), udp);
    assert.ok(reply);
    const p = dnsPacket.decode(reply);
    assert.equal(p.flag_tc, false);
    assert.equal(p.answers?.length, 2);
    assert.deepEqual(p.additionals?.map((a) => a.type).sort(), ['A', 'A', 'OPT']);
  });

  test('EDNS version 1 gets BADVERS', () => {
    const q = query(`backend.${SVC}`, 'A', { edns: 1232 });
    q.writeUInt8(1, q.length - 5); // OPT TTL second byte: EDNS version
    const reply = respond(index, q, udp);
    assert.ok(reply);
    const opt = dnsPacket.decode(reply).additionals?.[0];
    assert.equal(opt?.type, 'OPT');
    assert.equal(opt?.type === 'OPT' ? opt.extendedRcode : -1, 1);
  });

  const malformed: [string, Buffer, number | undefined][] = [
    ['shorter than a header', Buffer.from([1, 2, 3]), undefined],
    ['a response', Buffer.from(dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a', type: 'A' }] })), undefined],
    ['no question', Buffer.from([0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1],
    ['cut-off question', query(`backend.${SVC}`, 'A').subarray(0, 20), 1],
    ['compression loop', Buffer.from([0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]), 1],
    ['huge counts', Buffer.from([0, 9, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]), 1],
    ['opcode STATUS', (() => { const q = query(`backend.${SVC}`, 'A'); q.writeUInt16BE(2 << 11, 2); return q; })(), 4],
  ];
  for (const [what, buf, rcode] of malformed) {
    test(`malformed: ${what} -> ${rcode === undefined ? 'silence' : `rcode ${rcode}`}`, () => {
      const reply = respond(index, buf, udp);
      if (rcode === undefined) assert.equal(reply, undefined);
      else {
        assert.ok(reply);
        assert.equal(rcodeOf(reply), rcode);
        assert.equal(reply.readUInt16BE(0), buf.readUInt16BE(0));
      }
    });
  }

  test('random and mutated packets never throw, and correct queries still work after', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const base = query(`_web._tcp.nginx.${SVC}`, 'SRV', { edns: 4096 });
    for (let i = 0; i < 20_000; i++) {
      const buf = i % 2 === 0 ? Buffer.from(base) : Buffer.alloc(rand(80));
      if (i % 2 === 1) for (let j = 0; j < buf.length; j++) buf[j] = rand(256);
      else for (let k = 0; k < 1 + rand(4); k++) buf[rand(buf.length)] = rand(256);
      const reply = respond(index, i % 3 === 0 ? buf.subarray(0, rand(buf.length + 1)) : buf, udp);
      if (reply) assert.ok(reply.length <= 1232);
    }
    const reply = respond(index, query(`backend.${SVC}`, 'A'), udp);
    assert.ok(reply);
    assert.equal(rcodeOf(reply), 0);
  });

  test('not synced: would-be NXDOMAIN is SERVFAIL', () => {
    const reply = respond(fixtureIndex(), query(`nope.${SVC}`, 'A'), { synced: false, transport: 'udp' });
    assert.ok(reply);
    assert.equal(rcodeOf(reply), 2);
  });
});

describe('the answer cache', () => {
  const udp = { synced: true, transport: 'udp' as const };
  const questions: [string, string, { edns?: number; id?: number }][] = [
    [`backend.${SVC}`, 'A', {}],
    [`BackEnd.${SVC}`, 'A', { edns: 4096, id: 7 }],
    [`_http._tcp.backend.${SVC}`, 'SRV', { edns: 1232 }],
    [`nginx.${SVC}`, 'A', { edns: 512 }],
    [`missing.${SVC}`, 'A', {}],
    [`backend.${SVC}`, 'AAAA', {}],
    [`backend.example.default.svc.cluster.local`, 'A', {}],
    ['cluster.local', 'SOA', { edns: 1400 }],
  ];

  for (const [name, type, extra] of questions) {
    test(`a cached reply is byte for byte the uncached one: ${name} ${type}${extra.edns ? ` edns ${extra.edns}` : ''}`, () => {
      const index = fixtureIndex();
      const cache = new AnswerCache();
      const plain = respond(index, query(name, type, extra), udp);
      const filled = respond(index, query(name, type, extra), { ...udp, cache });
      const hit = respond(index, query(name, type, { ...extra, id: 999 }), { ...udp, cache });
      assert.ok(plain && filled && hit);
      assert.deepEqual(filled, plain);
      const expected = Buffer.from(plain);
      expected.writeUInt16BE(999, 0);
      assert.deepEqual(hit, expected);
    });
  }

  test('a large answer is fitted per query: lean, then truncated, as without the cache', () => {
    const index = fixtureIndex();
    const many = Array.from({ length: 40 }, (_, i) => ({ ip: `10.244.3.${i + 1}`, hostname: `host-with-a-long-name-${i}` }));
    index.upsertService(headless('example', 'big', [{ name: 'web', port: 80 }]));
    index.upsertSlice(slice('example', 'big', many, [{ name: 'web', port: 80 }]));
    const cache = new AnswerCache();
    for (const edns of [undefined, 1232, 4096]) {
      const q = query(`_web._tcp.big.${SVC}`, 'SRV', edns === undefined ? {} : { edns });
      const plain = respond(index, q, udp);
      respond(index, q, { ...udp, cache });
      assert.deepEqual(respond(index, q, { ...udp, cache }), plain);
      assert.deepEqual(respond(index, q, { ...udp, transport: 'tcp', cache }), respond(index, q, { ...udp, transport: 'tcp' }));
    }
  });

  test('an index change makes cached answers stale', () => {
    const index = fixtureIndex();
    const cache = new AnswerCache();
    const q = query(`backend.${SVC}`, 'A');
    respond(index, q, { ...udp, cache });
    index.upsertService(clusterIP('example', 'backend', '10.96.0.77'));
    const reply = respond(index, q, { ...udp, cache });
    assert.ok(reply);
    assert.deepEqual(dnsPacket.decode(reply).answers?.map((a) => ('data' in a ? a.data : '')), ['10.96.0.77']);
  });
});
