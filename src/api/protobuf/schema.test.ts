import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeMessage } from './decode.js';
import { messageTable, rootMessageFor, supportedKinds } from './kinds.js';
import { formatGoDuration } from './special.js';

describe('message tables', () => {
  test('every referenced message is defined', () => {
    const missing: string[] = [];
    for (const [type, descriptor] of Object.entries(messageTable)) {
      for (const [number, field] of Object.entries(descriptor)) {
        if (typeof field.kind === 'object' && !messageTable[field.kind.message]) missing.push(`${type}.${number} -> ${field.kind.message}`);
      }
    }
    assert.deepStrictEqual(missing, []);
  });

  test('no message writes the same JSON name twice', () => {
    for (const [type, descriptor] of Object.entries(messageTable)) {
      const names = Object.values(descriptor).filter((f) => !f.inline).map((f) => f.name);
      assert.equal(new Set(names).size, names.length, `${type} repeats a JSON name`);
    }
  });

  test('every root kind decodes from an empty body (no value-struct cycles)', () => {
    for (const key of supportedKinds()) {
      const slash = key.lastIndexOf('/');
      const root = rootMessageFor(key.slice(0, slash), key.slice(slash + 1));
      assert.ok(root && messageTable[root], `${key} has no root message`);
      assert.equal(typeof decodeMessage(messageTable, root, Buffer.alloc(0)), 'object');
    }
  });

  test('an empty Deployment decodes to what Go marshals for a zero Deployment', () => {
    assert.deepStrictEqual(decodeMessage(messageTable, 'apps.Deployment', Buffer.alloc(0)), {
      metadata: { creationTimestamp: null },
      spec: { template: { metadata: { creationTimestamp: null }, spec: {} }, strategy: {} },
      status: {},
    });
  });
});

describe('formatGoDuration', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [1n, '1ns'],
    [1_500n, '1.5µs'],
    [2_000_000n, '2ms'],
    [1_000_000_000n, '1s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_723_500_000_000n, '1h2m3.5s'],
    [-5_000_000_000n, '-5s'],
  ];
  for (const [nanoseconds, expected] of cases) {
    test(`${nanoseconds}ns -> ${expected}`, () => assert.equal(formatGoDuration(nanoseconds), expected));
  }
});
