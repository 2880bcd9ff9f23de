import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './index.js';

// RFC 7386 Appendix A, every example.
const rfcCases: Array<[original: unknown, patch: unknown, result: unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch', () => {
  for (const [original, patch, result] of rfcCases) {
    test(`RFC 7386: ${JSON.stringify(original)} + ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(applyMergePatch(original, patch), result);
    });
  }

  test('scales a Deployment without touching the rest', () => {
    const deployment = { spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } } };
    assert.deepEqual(applyMergePatch(deployment, { spec: { replicas: 3 } }), {
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } },
    });
  });

  test('does not change its arguments', () => {
    const original = { metadata: { labels: { a: '1' } }, list: [1] };
    const patch = { metadata: { labels: { a: null, b: '2' } }, list: [2] };
    const before = structuredClone({ original, patch });
    const result = applyMergePatch(original, patch) as { list: number[] };
    result.list.push(3);
    assert.deepEqual({ original, patch }, before);
  });
});
