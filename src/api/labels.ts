/**
 * Label selectors: the `labelSelector` query syntax, metav1.LabelSelector and plain
 * label maps, all reduced to one `Selector`.
 *
 * Two kinds of "empty" exist in Kubernetes and callers must pick the right one:
 * - A metav1.LabelSelector (Deployment, ReplicaSet, Job, ...) that is present but empty
 *   selects everything; an absent (null) one selects nothing (`selectorFromLabelSelector`).
 * - A Service's (or ReplicationController's) `selector` map that is empty or absent means
 *   "no selector": endpoints are managed by someone else, so it selects no pods
 *   (`selectorFromMap`). Use `selectorFromSet` for a map where empty means everything.
 */
import type { LabelSelector } from './types.js';
import { labelValueErrors, qualifiedNameErrors } from './validation/names.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Labels = Readonly<Record<string, string>> | undefined;

export interface Selector {
  matches(labels: Labels): boolean;
  toString(): string;
  /** True for a selector with no requirements (it selects everything). */
  isEmpty(): boolean;
  readonly requirements: readonly Requirement[];
}

/** A label selector that cannot be parsed or built; the API server answers 400 BadRequest. */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

export function everything(): Selector {
  return makeSelector([]);
}

export function nothing(): Selector {
  return { matches: () => false, toString: () => '', isEmpty: () => false, requirements: [] };
}

function matchesRequirement(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value ?? '');
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value ?? '');
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt':
      return has && compareNumeric(r, value ?? '');
  }
}

function compareNumeric(r: Requirement, value: string): boolean {
  if (!/^-?\d+$/.test(value)) return false;
  const actual = Number(value);
  const bound = Number(r.values[0]);
  return r.operator === 'gt' ? actual > bound : actual < bound;
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

/** Requirements are kept sorted by key, as Kubernetes does, so toString() is canonical. */
function makeSelector(requirements: Requirement[]): Selector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    matches: (labels) => sorted.every((r) => matchesRequirement(r, labels)),
    toString: () => sorted.map(requirementString).join(','),
    isEmpty: () => sorted.length === 0,
    requirements: sorted,
  };
}

/** Checks and builds one requirement, with apimachinery's `NewRequirement` rules. */
export function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const keyErrors = qualifiedNameErrors(key);
  if (keyErrors.length) throw invalidRequirement('key', key, keyErrors.join('; '));
  if (operator === 'in' || operator === 'notin') {
    if (values.length === 0) throw invalidRequirement('values', values, "for 'in', 'notin' operators, values set can't be empty");
  } else if (operator === '=' || operator === '==' || operator === '!=') {
    if (values.length !== 1) throw invalidRequirement('values', values, "exact-match compatibility requires one single value");
  } else if (operator === 'exists' || operator === '!') {
    if (values.length !== 0) throw invalidRequirement('values', values, 'values set must be empty for exists and does not exist');
  } else if (values.length !== 1 || !/^-?\d+$/.test(values[0] ?? '')) {
    throw invalidRequirement('values', values, "for 'Gt', 'Lt' operators, the value must be an integer");
  }
  for (const v of values) {
    const errs = labelValueErrors(v);
    if (errs.length) throw invalidRequirement('values[0]', v, errs.join('; '));
  }
  const unique = [...new Set(values)].sort();
  return { key, operator, values: unique };
}

function invalidRequirement(field: string, value: unknown, detail: string): LabelSelectorError {
  return new LabelSelectorError(`${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`);
}

// ---- the string syntax -------------------------------------------------------------

type TokenKind = 'id' | 'op' | '(' | ')' | ',' | '!' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
}

const specialChars = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === '!' && input[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (c === '!') {
      tokens.push({ kind: '!', text: '!' });
      i++;
    } else if (c === '=') {
      const double = input[i + 1] === '=';
      tokens.push({ kind: 'op', text: double ? '==' : '=' });
      i += double ? 2 : 1;
    } else if (c === '>' || c === '<') {
      tokens.push({ kind: 'op', text: c === '>' ? 'gt' : 'lt' });
      i++;
    } else {
      let j = i;
      while (j < input.length && !specialChars.has(input[j] ?? '') && !/\s/.test(input[j] ?? '')) j++;
      tokens.push({ kind: 'id', text: input.slice(i, j) });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] ?? { kind: 'end', text: '' };
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    if (this.peek().kind === 'end') return out;
    for (;;) {
      out.push(this.requirement());
      const t = this.next();
      if (t.kind === 'end') return out;
      if (t.kind !== ',') throw parseError(`found '${t.text}', expected: ',' or 'end of string'`);
      if (this.peek().kind === 'end') throw parseError("found '', expected: identifier after ','");
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    const negated = t.kind === '!';
    if (negated) t = this.next();
    if (t.kind !== 'id' || t.text === 'in' || t.text === 'notin') {
      throw parseError(negated ? `found '${t.text}', expected: identifier` : `found '${t.text}', expected: !, identifier, or 'end of string'`);
    }
    const key = t.text;
    const after = this.peek();
    if (negated || after.kind === ',' || after.kind === 'end') return newRequirement(key, negated ? '!' : 'exists', []);
    const operator = this.operator();
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : [this.singleValue()];
    return newRequirement(key, operator, values);
  }

  private operator(): Operator {
    const t = this.next();
    if (t.kind === 'op') return t.text as Operator;
    if (t.kind === 'id' && (t.text === 'in' || t.text === 'notin')) return t.text;
    throw parseError(`found '${t.text}', expected: in, notin, =, ==, !=, gt, lt`);
  }

  /** `a=` is allowed and means the empty value. */
  private singleValue(): string {
    const t = this.peek();
    if (t.kind === 'id') return this.next().text;
    if (t.kind === ',' || t.kind === 'end') return '';
    throw parseError(`found '${t.text}', expected: identifier`);
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw parseError(`found '${open.text}', expected: '('`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === ')') return values;
      if (t.kind === 'id') {
        values.push(t.text);
        const sep = this.next();
        if (sep.kind === ')') return values;
        if (sep.kind !== ',') throw parseError(`found '${sep.text}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        values.push(''); // `(a,,b)` carries an empty value, as upstream's parser allows
      } else {
        throw parseError(`found '${t.text}', expected: ',', ')' or identifier`);
      }
    }
  }
}

function parseError(detail: string): LabelSelectorError {
  return new LabelSelectorError(`unable to parse requirement: ${detail}`);
}

/** Parses the `labelSelector` query parameter (`kubectl -l`). Empty text selects everything. */
export function parseLabelSelector(text: string): Selector {
  try {
    return makeSelector(new Parser(lex(text)).parse());
  } catch (err) {
    if (err instanceof LabelSelectorError && !err.message.startsWith('unable to parse requirement')) {
      throw new LabelSelectorError(`unable to parse requirement: ${err.message}`);
    }
    throw err;
  }
}

const expressionOperators: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/** metav1.LabelSelector: absent selects nothing, present-but-empty selects everything. */
export function selectorFromLabelSelector(selector: LabelSelector | null | undefined): Selector {
  if (selector === null || selector === undefined) return nothing();
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push(newRequirement(key, '=', [value]));
  for (const expr of selector.matchExpressions ?? []) {
    const operator = expressionOperators[expr.operator];
    if (!operator) throw new LabelSelectorError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, operator, expr.values ?? []));
  }
  return makeSelector(requirements);
}

/** A Service's selector map: empty or absent means "no selector" and selects nothing. */
export function selectorFromMap(map: Record<string, string> | null | undefined): Selector {
  if (!map || Object.keys(map).length === 0) return nothing();
  return selectorFromSet(map);
}

/** labels.SelectorFromSet: a map of equality requirements; an empty map selects everything. */
export function selectorFromSet(map: Record<string, string> | null | undefined): Selector {
  return makeSelector(Object.entries(map ?? {}).map(([k, v]) => ({ key: k, operator: '=' as Operator, values: [v] })));
}

export function matches(selector: Selector, labels: Labels): boolean {
  return selector.matches(labels);
}

/** Kubernetes' label-key rule, re-exported for callers that only need a yes/no. */
export function isValidLabelKey(key: string): boolean {
  return qualifiedNameErrors(key).length === 0;
}
