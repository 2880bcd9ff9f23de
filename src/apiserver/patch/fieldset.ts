/**
 * A set of field paths, stored as the tree that `managedFields[].fieldsV1` serializes
 * (structured-merge-diff's FieldsV1): each child is named by a path element --
 * `f:<field>`, `k:<json object of key fields>`, `v:<json value>`, `i:<index>` -- and a node
 * that is itself in the set and also has children carries `".": {}`.
 */
import { isRecord } from './json.js';
import type { JsonObject } from './types.js';

export class FieldSet {
  /** The path ending at this node is in the set (not merely a prefix of members). */
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromFieldsV1(value: unknown): FieldSet {
    const set = new FieldSet();
    if (!isRecord(value)) return set;
    for (const [key, child] of Object.entries(value)) {
      if (key === '.') set.member = true;
      else set.children.set(key, FieldSet.fromFieldsV1(child));
    }
    // A leaf written as `{}` is a member.
    if (Object.keys(value).length === 0) set.member = true;
    return set;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const key of sortedElements([...this.children.keys()])) {
      const child = this.children.get(key);
      if (child && !child.isEmpty()) out[key] = child.toFieldsV1();
    }
    return out;
  }

  child(element: string): FieldSet {
    let node = this.children.get(element);
    if (!node) {
      node = new FieldSet();
      this.children.set(element, node);
    }
    return node;
  }

  insert(path: string[]): void {
    let node: FieldSet = this;
    for (const element of path) node = node.child(element);
    node.member = true;
  }

  has(path: string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const element of path) node = node?.children.get(element);
    return node?.member ?? false;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const child of this.children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.member ||= other.member;
    for (const [key, child] of other.children) {
      const mine = out.children.get(key);
      out.children.set(key, mine ? mine.union(child) : child.clone());
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      const rest = theirs ? child.difference(theirs) : child.clone();
      if (!rest.isEmpty()) out.children.set(key, rest);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      if (!theirs) continue;
      const both = child.intersection(theirs);
      if (!both.isEmpty()) out.children.set(key, both);
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [key, child] of this.children) out.children.set(key, child.clone());
    return out;
  }

  /** Every member path, in serialization order. */
  members(prefix: string[] = []): string[][] {
    const out: string[][] = this.member && prefix.length > 0 ? [prefix] : [];
    for (const key of sortedElements([...this.children.keys()])) {
      const child = this.children.get(key);
      if (child) out.push(...child.members([...prefix, key]));
    }
    return out;
  }

  /** True when this node or anything below it is a member. */
  hasMembers(): boolean {
    return !this.isEmpty();
  }
}

const elementRank: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Fields first, then keys, values and indexes, as structured-merge-diff orders path elements. */
function sortedElements(keys: string[]): string[] {
  return keys.sort((a, b) => {
    const rank = (elementRank[a[0] ?? ''] ?? 9) - (elementRank[b[0] ?? ''] ?? 9);
    if (rank !== 0) return rank;
    if (a[0] === 'i' && b[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** A path as structured-merge-diff prints it: `.spec.ports[port=80,protocol="TCP"].targetPort`. */
export function formatFieldPath(path: string[]): string {
  return path.map(formatElement).join('');
}

function formatElement(element: string): string {
  const body = element.slice(2);
  switch (element[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const key: unknown = JSON.parse(body);
      if (!isRecord(key)) return `[${body}]`;
      return `[${Object.entries(key).map(([name, value]) => `${name}=${formatValue(value)}`).join(',')}]`;
    }
    case 'v':
      return `[=${formatValue(JSON.parse(body))}]`;
    case 'i':
      return `[${body}]`;
    default:
      return element;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
