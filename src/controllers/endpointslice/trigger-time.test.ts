import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPod, newService } from './testing.js';
import { TriggerTimeTracker } from './trigger-time.js';
import { formatTriggerTime } from './slice-meta.js';

const service = newService();
const iso = (d: Date | undefined) => d?.toISOString();

test('first sync of a Service: its creation time', () => {
  const t = new TriggerTimeTracker();
  const pods = [newPod({ name: 'a', ip: '10.0.0.1', readySince: '2024-01-01T00:00:05Z' })];
  assert.equal(iso(t.compute('ns/web', service, pods).time), '2024-01-01T00:00:00.000Z');
});

test('later syncs: the earliest Ready transition not yet reflected; none means clear', () => {
  const t = new TriggerTimeTracker();
  const a = newPod({ name: 'a', ip: '10.0.0.1', readySince: '2024-01-01T00:00:05Z' });
  t.commit('ns/web', t.compute('ns/web', service, [a]));
  const b = newPod({ name: 'b', ip: '10.0.0.2', readySince: '2024-01-01T00:00:09Z' });
  const c = newPod({ name: 'c', ip: '10.0.0.3', readySince: '2024-01-01T00:00:07Z' });
  const second = t.compute('ns/web', service, [a, b, c]);
  assert.equal(iso(second.time), '2024-01-01T00:00:07.000Z');
  t.commit('ns/web', second);
  assert.equal(t.compute('ns/web', service, [a, b, c]).time, undefined);
});

test('an uncommitted computation is computed again (the write failed)', () => {
  const t = new TriggerTimeTracker();
  t.commit('ns/web', t.compute('ns/web', service, []));
  const a = newPod({ name: 'a', ip: '10.0.0.1', readySince: '2024-01-01T00:00:05Z' });
  t.compute('ns/web', service, [a]);
  assert.equal(iso(t.compute('ns/web', service, [a]).time), '2024-01-01T00:00:05.000Z');
});

test('formatTriggerTime trims the fraction like Go RFC3339Nano', () => {
  assert.equal(formatTriggerTime(new Date('2024-01-01T00:00:05.000Z')), '2024-01-01T00:00:05Z');
  assert.equal(formatTriggerTime(new Date('2024-01-01T00:00:05.500Z')), '2024-01-01T00:00:05.5Z');
  assert.equal(formatTriggerTime(new Date('2024-01-01T00:00:05.123Z')), '2024-01-01T00:00:05.123Z');
});
