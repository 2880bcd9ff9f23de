import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computePodTemplateHash } from './hash.js';
import { resolveFenceposts, scaledValue } from './intstr.js';
import { templatesEqualIgnoringHash } from './replica-sets.js';

describe('computePodTemplateHash', () => {
  const a = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const reordered = { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'web' } } };

  test('is stable and ignores key order', () => {
    assert.equal(computePodTemplateHash(a), computePodTemplateHash(reordered));
    assert.equal(computePodTemplateHash(a), computePodTemplateHash(structuredClone(a)));
  });
  test('uses only the safe alphabet', () => assert.match(computePodTemplateHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/));
  test('changes with the template', () => {
    assert.notEqual(computePodTemplateHash(a), computePodTemplateHash({ ...a, spec: { containers: [{ name: 'c', image: 'j' }] } }));
  });
  test('changes with the collisionCount', () => {
    const hashes = new Set([undefined, 0, 1, 2].map((n) => computePodTemplateHash(a, n)));
    assert.equal(hashes.size, 4);
  });
});

describe('maxSurge / maxUnavailable', () => {
  const cases: { value: number | string; total: number; up: boolean; want: number }[] = [
    { value: 2, total: 10, up: true, want: 2 },
    { value: '25%', total: 10, up: true, want: 3 },
    { value: '25%', total: 10, up: false, want: 2 },
    { value: '25%', total: 1, up: false, want: 0 },
    { value: '25%', total: 1, up: true, want: 1 },
    { value: '100%', total: 7, up: false, want: 7 },
    { value: '0%', total: 7, up: true, want: 0 },
  ];
  for (const c of cases) {
    test(`${c.value} of ${c.total} rounded ${c.up ? 'up' : 'down'} is ${c.want}`, () => assert.equal(scaledValue(c.value, c.total, c.up), c.want));
  }
  test('both resolving to zero makes unavailable 1', () => {
    assert.deepEqual(resolveFenceposts('10%', '10%', 3), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts(0, '10%', 3), { surge: 0, unavailable: 1 });
  });
});

describe('templatesEqualIgnoringHash', () => {
  const t = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  test('ignores the pod-template-hash label', () => assert.ok(templatesEqualIgnoringHash(t({ app: 'a', 'pod-template-hash': 'x' }), t({ app: 'a' }))));
  test('sees other label changes', () => assert.ok(!templatesEqualIgnoringHash(t({ app: 'a' }), t({ app: 'b' }))));
});
