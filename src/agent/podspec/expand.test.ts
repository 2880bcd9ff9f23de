import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expandCommandAndArgs, expandVariables, lookupIn } from './expand.js';

const vars = lookupIn(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['EMPTY', '']]), new Map([['VAR_A', 'shadowed'], ['SVC', 's']]));

describe('expandVariables', () => {
  const cases: [string, string, string][] = [
    ['plain text', 'hello', 'hello'],
    ['one reference', '$(VAR_A)', 'A'],
    ['references inside text', 'x-$(VAR_A)-$(VAR_B)-y', 'x-A-B-y'],
    ['first source wins', '$(VAR_A)', 'A'],
    ['second source is consulted', '$(SVC)', 's'],
    ['empty value expands to empty', '[$(EMPTY)]', '[]'],
    ['unknown reference stays', '$(NOPE) and $(VAR_A)', '$(NOPE) and A'],
    ['$$ escapes', '$$(VAR_A)', '$(VAR_A)'],
    ['$$$ escapes then expands', '$$$(VAR_A)', '$A'],
    ['$$$$ is two dollars', '$$$$', '$$'],
    ['lone $ before other text stays', '$VAR_A and $ x', '$VAR_A and $ x'],
    ['trailing $ stays', 'cost: 5$', 'cost: 5$'],
    ['unterminated reference stays and scanning resumes', '$(VAR_A', '$(VAR_A'],
    ['unterminated then $$ escape', '$(x $$', '$(x $'],
    ['empty name stays', '$()', '$()'],
    ['nested parens: name ends at the first )', '$(VAR_A)))', 'A))'],
  ];
  for (const [name, input, want] of cases) {
    test(name, () => assert.equal(expandVariables(input, vars), want));
  }
});

describe('expandCommandAndArgs', () => {
  test('expands against the final env, last definition wins', () => {
    const result = expandCommandAndArgs(
      { name: 'c', command: ['/bin/sh', '-c'], args: ['echo $(MSG) $$(MSG) $(MISSING)'] },
      [{ name: 'MSG', value: 'hi' }],
    );
    assert.deepEqual(result, { command: ['/bin/sh', '-c'], args: ['echo hi $(MSG) $(MISSING)'] });
  });
});
