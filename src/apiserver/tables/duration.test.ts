import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatAge, humanDuration } from './duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  const cases: [string, number, string][] = [
    ['zero', 0, '0s'],
    ['one second of clock skew reads as now', -1 * s, '0s'],
    ['further in the future is invalid', -2 * s, '<invalid>'],
    ['sub-second truncates', 999, '0s'],
    ['59 seconds', 59 * s, '59s'],
    ['one minute is still seconds', 60 * s, '60s'],
    ['119 seconds', 119 * s, '119s'],
    ['two minutes', 2 * m, '2m'],
    ['3m20s', 3 * m + 20 * s, '3m20s'],
    ['9m59s', 9 * m + 59 * s, '9m59s'],
    ['10 minutes drops seconds', 10 * m + 30 * s, '10m'],
    ['179 minutes', 179 * m, '179m'],
    ['three hours', 3 * h, '3h'],
    ['3h5m', 3 * h + 5 * m, '3h5m'],
    ['7h59m', 7 * h + 59 * m, '7h59m'],
    ['8 hours drops minutes', 8 * h + 30 * m, '8h'],
    ['47 hours', 47 * h, '47h'],
    ['two days', 2 * d, '2d'],
    ['2d3h', 2 * d + 3 * h, '2d3h'],
    ['7d23h', 7 * d + 23 * h, '7d23h'],
    ['8 days drops hours', 8 * d + 5 * h, '8d'],
    ['729 days', 729 * d, '729d'],
    ['two years', 2 * y, '2y'],
    ['2y10d', 2 * y + 10 * d, '2y10d'],
    ['8 years', 8 * y + 10 * d, '8y'],
    ['4 years', 4 * y, '4y'],
  ];
  for (const [name, ms, expected] of cases) {
    test(name, () => assert.equal(humanDuration(ms), expected));
  }
});

describe('formatAge', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  test('from an RFC 3339 timestamp', () => assert.equal(formatAge('2024-05-01T11:56:40Z', now), '3m20s'));
  test('with fractional seconds', () => assert.equal(formatAge('2024-05-01T11:59:54.500000Z', now), '5s'));
  test('missing timestamp', () => assert.equal(formatAge(undefined, now), '<unknown>'));
  test('unparseable timestamp', () => assert.equal(formatAge('yesterday-ish', now), '<unknown>'));
});
