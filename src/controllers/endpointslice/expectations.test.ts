import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAtLeast, SliceExpectations } from './expectations.js';
import type { EndpointSlice } from './types.js';

function slice(name: string, resourceVersion: string): EndpointSlice {
  return { metadata: { name, namespace: 'ns', resourceVersion }, addressType: 'IPv4', endpoints: [] };
}

function setup() {
  const cache = new Map<string, EndpointSlice>();
  let now = 0;
  const expectations = new SliceExpectations(cache, { now: () => new Date(now) }, 1000);
  return { cache, expectations, advance: (ms: number) => (now += ms) };
}

test('isAtLeast compares integer versions numerically', () => {
  assert.equal(isAtLeast('10', '9'), true);
  assert.equal(isAtLeast('9', '10'), false);
  assert.equal(isAtLeast(undefined, '1'), false);
  assert.equal(isAtLeast('abc', 'abc'), true);
});

test('a write is awaited until the cache holds that version or a later one', () => {
  const { cache, expectations } = setup();
  expectations.written('ns/web', slice('web-1', '5'));
  assert.equal(expectations.isSynced('ns/web'), false);
  cache.set('ns/web-1', slice('web-1', '4'));
  assert.equal(expectations.isSynced('ns/web'), false);
  cache.set('ns/web-1', slice('web-1', '6'));
  assert.equal(expectations.isSynced('ns/web'), true);
});

test('a write the cache already reflects is not awaited', () => {
  const { cache, expectations } = setup();
  cache.set('ns/web-1', slice('web-1', '5'));
  expectations.written('ns/web', slice('web-1', '5'));
  assert.equal(expectations.isSynced('ns/web'), true);
});

test('a deletion is awaited until the slice leaves the cache', () => {
  const { cache, expectations } = setup();
  cache.set('ns/web-1', slice('web-1', '5'));
  expectations.deleted('ns/web', 'ns/web-1');
  assert.equal(expectations.isSynced('ns/web'), false);
  cache.delete('ns/web-1');
  assert.equal(expectations.isSynced('ns/web'), true);
});

test('an observed deletion or the time limit ends the wait', () => {
  const { expectations, advance } = setup();
  expectations.written('ns/web', slice('web-1', '5'));
  expectations.observeDeleted('ns/web', 'ns/web-1');
  assert.equal(expectations.isSynced('ns/web'), true);
  expectations.written('ns/web', slice('web-2', '7'));
  advance(1001);
  assert.equal(expectations.isSynced('ns/web'), true);
});
