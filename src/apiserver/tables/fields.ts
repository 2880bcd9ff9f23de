/**
 * Reading fields out of objects that arrive as plain JSON, and the shared cell formats
 * (labels, label selectors, container lists). Printers never throw on a malformed object:
 * a missing field reads as Go's zero value, as it would after decoding upstream.
 */
import { isRecord } from '../../api/types.js';

/** The value at `keys` below `value`, or undefined where the path breaks. */
export function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function int(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function records(value: unknown): Record<string, unknown>[] {
  return list(value).filter(isRecord);
}

export function strings(value: unknown): string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

export function keyCount(value: unknown): number {
  return isRecord(value) ? Object.keys(value).length : 0;
}

/** labels.FormatLabels: `k=v` sorted by key, comma-joined; `<none>` when empty. */
export function formatLabels(value: unknown): string {
  if (!isRecord(value)) return '<none>';
  const pairs = Object.keys(value)
    .sort()
    .map((key) => `${key}=${str(value[key])}`);
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

interface Requirement {
  key: string;
  text: string;
}

/**
 * A LabelSelector in selector syntax (`app=web,tier in (a,b),!canary`), requirements sorted
 * by key as labels.Selector.String() prints them. Undefined when the selector is invalid.
 */
export function labelSelectorString(selector: unknown): string | undefined {
  if (!isRecord(selector)) return '';
  const requirements: Requirement[] = [];
  const matchLabels = at(selector, 'matchLabels');
  if (isRecord(matchLabels)) {
    for (const key of Object.keys(matchLabels)) {
      requirements.push({ key, text: `${key}=${str(matchLabels[key])}` });
    }
  }
  for (const expression of records(selector['matchExpressions'])) {
    const requirement = expressionRequirement(expression);
    if (!requirement) return undefined;
    requirements.push(requirement);
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return requirements.map((r) => r.text).join(',');
}

function expressionRequirement(expression: Record<string, unknown>): Requirement | undefined {
  const key = str(expression['key']);
  const values = strings(expression['values']).sort();
  switch (expression['operator']) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) return undefined;
      const operator = expression['operator'] === 'In' ? 'in' : 'notin';
      return { key, text: `${key} ${operator} (${values.join(',')})` };
    }
    case 'Exists':
      return values.length === 0 ? { key, text: key } : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? { key, text: `!${key}` } : undefined;
    default:
      return undefined;
  }
}

/** metav1.FormatLabelSelector: `<none>` for an empty selector, `<error>` for an invalid one. */
export function formatLabelSelector(selector: unknown): string {
  const text = labelSelectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}

/** Container names and images of a pod spec, each comma-joined (the CONTAINERS/IMAGES cells). */
export function containerCells(podSpec: unknown): [names: string, images: string] {
  const containers = records(at(podSpec, 'containers'));
  return [containers.map((c) => str(c['name'])).join(','), containers.map((c) => str(c['image'])).join(',')];
}

/** The controller among ownerReferences, if any. */
export function controllerOf(obj: unknown): Record<string, unknown> | undefined {
  return records(at(obj, 'metadata', 'ownerReferences')).find((ref) => ref['controller'] === true);
}
