/**
 * Duplicate fields in a JSON body. JSON.parse keeps the last value silently; the API server's
 * strict decoder reports `duplicate field "spec.replicas"`, so the raw text is scanned.
 */

import type { FieldIssue } from './validate.js';

interface ScanResult {
  duplicates: FieldIssue[];
  /** Position of each duplicate: where its second occurrence is. */
  duplicateAt: Map<FieldIssue, number>;
  /** Every field path in the order it appears, for ordering issues as the decoder does. */
  order: Map<string, number>;
}

class Scanner {
  private i = 0;
  readonly result: ScanResult = { duplicates: [], duplicateAt: new Map(), order: new Map() };
  private seen = 0;

  constructor(private readonly text: string) {}

  scan(): ScanResult {
    this.value('');
    return this.result;
  }

  private skipSpace(): void {
    while (this.i < this.text.length && ' \t\r\n'.includes(this.text.charAt(this.i))) this.i++;
  }

  private value(path: string): void {
    this.skipSpace();
    const c = this.text.charAt(this.i);
    if (c === '{') this.object(path);
    else if (c === '[') this.array(path);
    else if (c === '"') this.string();
    else this.literal();
  }

  private object(path: string): void {
    this.i++;
    const keys = new Set<string>();
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.i) === '}') break;
      const key = this.string();
      const child = path ? `${path}.${key}` : key;
      if (keys.has(key)) {
        const issue: FieldIssue = { path: child, kind: 'duplicate' };
        this.result.duplicates.push(issue);
        this.result.duplicateAt.set(issue, this.seen++);
      }
      keys.add(key);
      if (!this.result.order.has(child)) this.result.order.set(child, this.seen++);
      this.skipSpace();
      this.i++; // ':'
      this.value(child);
      this.skipSpace();
      if (this.text.charAt(this.i) === ',') this.i++;
    }
    this.i++;
  }

  private array(path: string): void {
    this.i++;
    for (let index = 0; ; index++) {
      this.skipSpace();
      if (this.text.charAt(this.i) === ']') break;
      this.value(`${path}[${index}]`);
      this.skipSpace();
      if (this.text.charAt(this.i) === ',') this.i++;
    }
    this.i++;
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.text.length && this.text.charAt(this.i) !== '"') {
      this.i += this.text.charAt(this.i) === '\\' ? 2 : 1;
    }
    this.i++;
    return JSON.parse(this.text.slice(start, this.i)) as string;
  }

  private literal(): void {
    while (this.i < this.text.length && !',]} \t\r\n'.includes(this.text.charAt(this.i))) this.i++;
  }
}

/** Fields that appear twice in the same JSON object, by path. `json` must be valid JSON. */
export function findDuplicateFields(json: string): FieldIssue[] {
  return new Scanner(json).scan().duplicates;
}

/**
 * Unknown and duplicate fields together, in the order they appear in the body, as the
 * strict decoder lists them.
 */
export function orderFieldIssues(json: string, unknown: FieldIssue[]): FieldIssue[] {
  const { duplicates, duplicateAt, order } = new Scanner(json).scan();
  const position = (issue: FieldIssue): number => duplicateAt.get(issue) ?? order.get(issue.path) ?? Number.MAX_SAFE_INTEGER;
  return [...unknown, ...duplicates].sort((a, b) => position(a) - position(b));
}
