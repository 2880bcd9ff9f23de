/** Factories and a table runner shared by the validation and defaulting tests. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldError, FieldErrorType } from '../field.js';
import { formatFieldError } from '../field.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

export type Obj = Record<string, unknown>;

export interface Want {
  type: FieldErrorType;
  field: string;
  /** A substring of the rendered message, for the few texts users see. */
  message?: string;
}

export function svc(spec: Obj, name = 'web'): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } };
}

export function container(extra: Obj = {}): Obj {
  return { name: 'app', image: 'nginx:1.27', ...extra };
}

export function pod(spec: Obj = {}, name = 'web-0'): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [container()], ...spec } };
}

export function template(labels: Record<string, string> = { app: 'web' }, spec: Obj = {}): Obj {
  return { metadata: { labels }, spec: { containers: [container()], ...spec } };
}

export function workload(kind: string, spec: Obj = {}, name = 'web'): Obj {
  const apiVersion = kind === 'Job' ? 'batch/v1' : kind === 'ReplicationController' ? 'v1' : 'apps/v1';
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec },
  };
}

export interface Case {
  name: string;
  group?: string;
  kind?: string;
  obj: Obj;
  old?: Obj;
  want: Want[];
}

function key(e: { type: string; field: string }): string {
  return `${e.type} ${e.field}`;
}

/** Exactly the wanted (type, field) pairs, and each wanted message fragment. */
export function assertErrors(got: FieldError[], want: Want[]): void {
  assert.deepEqual(got.map(key).sort(), want.map(key).sort(), got.map(formatFieldError).join('\n'));
  for (const w of want) {
    if (!w.message) continue;
    const match = got.find((g) => key(g) === key(w));
    assert.ok(match && formatFieldError(match).includes(w.message), `${key(w)}: ${match ? formatFieldError(match) : 'missing'}`);
  }
}

/** Runs each case as Kubernetes would: defaults, then create or update validation. */
export function runCases(cases: Case[], defaults: { group: string; kind: string }): void {
  for (const c of cases) {
    test(c.name, () => {
      const group = c.group ?? defaults.group;
      const kind = c.kind ?? defaults.kind;
      const obj = structuredClone(c.obj);
      applyDefaults(group, kind, obj);
      if (c.old) {
        const old = structuredClone(c.old);
        applyDefaults(group, kind, old);
        assertErrors(validateUpdate(group, kind, obj, old), c.want);
      } else {
        assertErrors(validateCreate(group, kind, obj), c.want);
      }
    });
  }
}
