import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations } from './expectations.js';
import { slowStartBatch } from './slow-start.js';
import { isPodAvailable } from './pods.js';
import { newPod } from './testing/factories.js';

describe('slowStartBatch', () => {
  test('runs batches of 1, 2, 4, ... until done', async () => {
    // Calls of one batch all start before any of them ends.
    const batches: number[] = [];
    let inFlight = 0;
    const result = await slowStartBatch(10, 1, async () => {
      if (inFlight === 0) batches.push(0);
      batches[batches.length - 1] = (batches.at(-1) ?? 0) + 1;
      inFlight++;
      await new Promise((r) => setImmediate(r));
      inFlight--;
    });
    assert.deepEqual(result, { successes: 10 });
    assert.deepEqual(batches, [1, 2, 4, 3]);
  });

  test('stops after the first batch with a failure', async () => {
    let calls = 0;
    const result = await slowStartBatch(100, 1, async (i) => {
      calls++;
      if (i === 4) throw new Error('quota');
    });
    // batches 1 (ok), 2 (ok), 4 (one fails): 7 calls, 6 successes, nothing more
    assert.equal(calls, 7);
    assert.equal(result.successes, 6);
    assert.equal((result.error as Error).message, 'quota');
  });

  test('zero does nothing', async () => {
    assert.deepEqual(await slowStartBatch(0, 1, async () => assert.fail('called')), { successes: 0 });
  });
});

describe('Expectations', () => {
  let t = 0;
  const clock = { now: () => new Date(t) };

  test('unsatisfied until every creation and deletion is observed', () => {
    const e = new Expectations(clock, 5000);
    assert.equal(e.satisfied('ns/a'), true);
    e.expect('ns/a', { adds: 2, deletes: ['ns/p1'] });
    assert.equal(e.satisfied('ns/a'), false);
    e.creationObserved('ns/a');
    e.creationObserved('ns/a');
    assert.equal(e.satisfied('ns/a'), false);
    e.deletionObserved('ns/a', 'ns/other');
    assert.equal(e.satisfied('ns/a'), false, 'an unexpected deletion does not count');
    e.deletionObserved('ns/a', 'ns/p1');
    assert.equal(e.satisfied('ns/a'), true);
  });

  test('a failed creation is lowered at once', () => {
    const e = new Expectations(clock, 5000);
    e.expect('ns/a', { adds: 3, deletes: [] });
    e.lowerCreations('ns/a', 3);
    assert.equal(e.satisfied('ns/a'), true);
  });

  test('times out', () => {
    t = 0;
    const e = new Expectations(clock, 5000);
    e.expect('ns/a', { adds: 1, deletes: [] });
    t = 4000;
    assert.equal(e.satisfied('ns/a'), false);
    assert.equal(e.msUntilTimeout('ns/a'), 1000);
    t = 5001;
    assert.equal(e.satisfied('ns/a'), true);
  });
});

describe('isPodAvailable', () => {
  const now = new Date('2026-01-01T00:01:00Z');
  const cases = [
    { name: 'not ready', pod: newPod({ name: 'a' }), minReady: 0, want: false },
    { name: 'ready, no minReadySeconds', pod: newPod({ name: 'a', ready: true, readySince: '2026-01-01T00:00:59Z' }), minReady: 0, want: true },
    { name: 'ready long enough', pod: newPod({ name: 'a', ready: true, readySince: '2026-01-01T00:00:30Z' }), minReady: 30, want: true },
    { name: 'ready too recently', pod: newPod({ name: 'a', ready: true, readySince: '2026-01-01T00:00:31Z' }), minReady: 30, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(isPodAvailable(c.pod, c.minReady, now), c.want));
});
