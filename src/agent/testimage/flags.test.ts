import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlagError, formatGoDuration, parseFlags, parseGoDuration } from './flags.js';

const defaults = { 'http-port': 8080, http: true, tcp: false, 'http-override': '' };

describe('parseFlags', () => {
  const cases: Array<{ name: string; argv: string[]; flags?: Partial<typeof defaults>; args?: string[]; error?: RegExp }> = [
    { name: 'defaults', argv: [], flags: defaults, args: [] },
    { name: 'separate value', argv: ['--http-port', '80'], flags: { 'http-port': 80 } },
    { name: 'inline value', argv: ['--http-port=-1'], flags: { 'http-port': -1 } },
    { name: 'single dash', argv: ['-http-port=81'], flags: { 'http-port': 81 } },
    { name: 'bare boolean', argv: ['--tcp'], flags: { tcp: true } },
    { name: 'boolean false', argv: ['--http=false', '--tcp=T'], flags: { http: false, tcp: true } },
    { name: 'string with =', argv: ['--http-override=/echo?msg=a=b'], flags: { 'http-override': '/echo?msg=a=b' } },
    { name: 'positional and --', argv: ['x', '--', '--tcp'], flags: { tcp: false }, args: ['x', '--tcp'] },
    { name: 'unknown flag', argv: ['--nope'], error: /^unknown flag: --nope$/ },
    { name: 'bad int', argv: ['--http-port=abc'], error: /invalid argument "abc" for "--http-port" flag: strconv.ParseInt/ },
    { name: 'bad bool', argv: ['--tcp=yes'], error: /strconv.ParseBool/ },
    { name: 'missing value', argv: ['--http-port'], error: /flag needs an argument: --http-port/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      if (c.error) {
        assert.throws(() => parseFlags(c.argv, defaults), (err: unknown) => err instanceof FlagError && c.error!.test(err.message));
        return;
      }
      const parsed = parseFlags(c.argv, defaults);
      assert.deepEqual(parsed.flags, { ...defaults, ...c.flags });
      if (c.args) assert.deepEqual(parsed.args, c.args);
    });
  }
});

describe('Go durations', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0], ['1s', 1000], ['1.5s', 1500], ['100ms', 100], ['1m30s', 90_000], ['2h', 7_200_000],
    ['-1s', -1000], ['10', undefined], ['', undefined], ['1x', undefined], ['500us', 0.5],
  ];
  for (const [text, ms] of cases) {
    test(`parse ${JSON.stringify(text)}`, () => assert.equal(parseGoDuration(text), ms));
  }
  test('format', () => {
    assert.deepEqual([0, 1500, 250, 60_000].map(formatGoDuration), ['0s', '1.5s', '250ms', '60s']);
  });
});
