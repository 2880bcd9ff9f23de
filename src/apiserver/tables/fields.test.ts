import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatLabels, formatLabelSelector } from './fields.js';

describe('formatLabelSelector', () => {
  const cases: [string, unknown, string][] = [
    ['missing', undefined, '<none>'],
    ['empty', {}, '<none>'],
    ['match labels sorted by key', { matchLabels: { tier: 'web', app: 'shop' } }, 'app=shop,tier=web'],
    [
      'every operator, values sorted',
      {
        matchExpressions: [
          { key: 'env', operator: 'NotIn', values: ['test', 'dev'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'app', operator: 'In', values: ['b', 'a'] },
          { key: 'zone', operator: 'Exists' },
        ],
      },
      'app in (a,b),!canary,env notin (dev,test),zone',
    ],
    ['In without values is invalid', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, '<error>'],
    ['unknown operator is invalid', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '<error>'],
  ];
  for (const [name, selector, expected] of cases) test(name, () => assert.equal(formatLabelSelector(selector), expected));
});

describe('formatLabels', () => {
  test('sorted pairs', () => assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2'));
  test('empty', () => assert.equal(formatLabels({}), '<none>'));
  test('missing', () => assert.equal(formatLabels(undefined), '<none>'));
});
