import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Expectations } from './expectations.js';

function fakeClock(start = 0): { now(): Date; advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

describe('Expectations', () => {
  test('satisfied once every create and delete is observed', () => {
    const e = new Expectations(fakeClock());
    assert.equal(e.satisfied('ns/ds'), true);
    e.expectCreations('ns/ds', 2);
    e.expectDeletions('ns/ds', ['u1']);
    e.creationObserved('ns/ds');
    assert.equal(e.satisfied('ns/ds'), false);
    e.creationObserved('ns/ds');
    assert.equal(e.satisfied('ns/ds'), false);
    e.deletionObserved('ns/ds', 'other');
    assert.equal(e.satisfied('ns/ds'), false);
    e.deletionObserved('ns/ds', 'u1');
    assert.equal(e.satisfied('ns/ds'), true);
  });

  test('expire after the timeout so a lost event cannot wedge a key', () => {
    const clock = fakeClock();
    const e = new Expectations(clock, 1000);
    e.expectCreations('k', 1);
    clock.advance(999);
    assert.equal(e.satisfied('k'), false);
    clock.advance(2);
    assert.equal(e.satisfied('k'), true);
  });

  test('keys are independent and forget clears one', () => {
    const e = new Expectations(fakeClock());
    e.expectCreations('a', 1);
    e.expectCreations('b', 1);
    e.forget('a');
    assert.equal(e.satisfied('a'), true);
    assert.equal(e.satisfied('b'), false);
  });
});
