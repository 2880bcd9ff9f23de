import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Schedule } from './schedule.js';

function recorder(): { schedule: Schedule; fired: string[] } {
  const fired: string[] = [];
  const schedule = new Schedule({ nowMs: () => Date.now(), onDue: (key) => fired.push(key) });
  return { schedule, fired };
}

test('keys fire in time order from one timer', async () => {
  const { schedule, fired } = recorder();
  const now = Date.now();
  schedule.at('late', now + 60);
  schedule.at('early', now + 10);
  schedule.at('middle', now + 30);
  await sleep(120);
  assert.deepEqual(fired, ['early', 'middle', 'late']);
  assert.equal(schedule.size, 0);
});

test('scheduling a key earlier moves it; later is ignored; cancel drops it', async () => {
  const { schedule, fired } = recorder();
  const now = Date.now();
  schedule.at('a', now + 80);
  schedule.at('a', now + 10);
  schedule.at('a', now + 200);
  schedule.at('b', now + 20);
  schedule.cancel('b');
  await sleep(50);
  assert.deepEqual(fired, ['a']);
  await sleep(60);
  assert.deepEqual(fired, ['a'], 'the superseded entry at +80 does not fire again');
});

test('many keys cost one heap, all fire', async () => {
  const { schedule, fired } = recorder();
  const now = Date.now();
  for (let i = 0; i < 10_000; i++) schedule.at(`k${i}`, now + (i % 50));
  await sleep(100);
  assert.equal(fired.length, 10_000);
  assert.equal(new Set(fired).size, 10_000);
});

test('stop fires nothing more', async () => {
  const { schedule, fired } = recorder();
  schedule.at('a', Date.now() + 10);
  schedule.stop();
  await sleep(30);
  assert.deepEqual(fired, []);
});
