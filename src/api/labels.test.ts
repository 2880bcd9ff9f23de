import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelSelectorError, parseLabelSelector, selectorFromLabelSelector, selectorFromMap, selectorFromSet } from './labels.js';

const labels = { app: 'web', tier: 'frontend', version: '3' };

describe('parseLabelSelector matching', () => {
  const cases: Array<{ name: string; text: string; want: boolean; canonical?: string }> = [
    { name: 'empty selects everything', text: '', want: true, canonical: '' },
    { name: 'equals', text: 'app=web', want: true },
    { name: 'double equals', text: 'app==web', want: true },
    { name: 'equals miss', text: 'app=api', want: false },
    { name: 'not equals', text: 'app!=api', want: true },
    { name: 'not equals on missing key', text: 'zone!=a', want: true },
    { name: 'in', text: 'tier in (backend, frontend)', want: true, canonical: 'tier in (backend,frontend)' },
    { name: 'notin', text: 'tier notin (frontend)', want: false },
    { name: 'exists', text: 'app', want: true },
    { name: 'does not exist', text: '!app', want: false },
    { name: 'comma joined, sorted on output', text: 'tier=frontend,app=web', want: true, canonical: 'app=web,tier=frontend' },
    { name: 'greater than', text: 'version>2', want: true },
    { name: 'less than', text: 'version<2', want: false },
    { name: 'empty value', text: 'app=', want: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const s = parseLabelSelector(c.text);
      assert.equal(s.matches(labels), c.want);
      if (c.canonical !== undefined) assert.equal(s.toString(), c.canonical);
    });
  }
});

describe('parseLabelSelector errors', () => {
  const bad = ['app=web=x', 'a b', 'tier in frontend', 'tier in (a', 'in=b', 'app=web,', '!', 'Bad Key=1', 'a/b/c=d', 'a in ()', 'x>a', 'app=we b'];
  for (const text of bad) {
    test(JSON.stringify(text), () => {
      assert.throws(() => parseLabelSelector(text), (err: unknown) => err instanceof LabelSelectorError && err.message.startsWith('unable to parse requirement'));
    });
  }
});

describe('selector sources', () => {
  test('absent LabelSelector selects nothing', () => assert.equal(selectorFromLabelSelector(undefined).matches(labels), false));
  test('empty LabelSelector selects everything', () => {
    const s = selectorFromLabelSelector({});
    assert.equal(s.isEmpty(), true);
    assert.equal(s.matches({}), true);
  });
  test('matchLabels and matchExpressions', () => {
    const s = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(s.matches(labels), true);
    assert.equal(s.matches({ ...labels, canary: 'yes' }), false);
    assert.equal(s.toString(), 'app=web,!canary,tier in (frontend)');
  });
  test('NotIn with no values is an error', () => {
    assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] }), LabelSelectorError);
  });
  test('Service selector: empty map selects nothing', () => {
    assert.equal(selectorFromMap({}).matches(labels), false);
    assert.equal(selectorFromMap(undefined).matches(labels), false);
    assert.equal(selectorFromMap({ app: 'web' }).matches(labels), true);
    assert.equal(selectorFromMap({ app: 'web', tier: 'backend' }).matches(labels), false);
  });
  test('label set: empty map selects everything', () => assert.equal(selectorFromSet({}).matches(labels), true));
});
