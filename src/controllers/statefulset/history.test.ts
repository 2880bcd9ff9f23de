import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { type ControllerRevision, canonicalJson, hashRevisionData, newRevision, planRevisions, revisionData, revisionsToPrune, revisionTemplate } from '../shared/history.js';
import { controllerRef } from '../shared/pod-state.js';

function newSet(image: string): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid' },
    spec: { template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image }] } } },
  };
}

function revisionOf(image: string, number: number): ControllerRevision {
  const set = newSet(image);
  const template = (set.spec as { template: Record<string, unknown> }).template;
  return newRevision({ owner: set, ownerRef: controllerRef(set, 'apps/v1', 'StatefulSet'), data: revisionData(template), number, collisionCount: 0 });
}

function plan(image: string, revisions: ControllerRevision[], current?: string) {
  const set = newSet(image);
  return planRevisions({ owner: set, ownerRef: controllerRef(set, 'apps/v1', 'StatefulSet'), revisions, currentRevisionName: current, collisionCount: 0 });
}

describe('revision hashing', () => {
  test('key order does not change the hash', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
    assert.equal(hashRevisionData({ b: 1, a: 2 }), hashRevisionData({ a: 2, b: 1 }));
  });

  test('hashes use the safe alphabet and differ with the collision count', () => {
    const h = hashRevisionData({ a: 1 });
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.notEqual(h, hashRevisionData({ a: 1 }, 1));
  });

  test('a revision keeps the template and names itself after the owner and hash', () => {
    const rev = revisionOf('nginx:1', 1);
    assert.match(rev.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rev.metadata.labels?.['controller.kubernetes.io/hash'], (rev.metadata.name ?? '').slice(4));
    assert.deepEqual(revisionTemplate(rev), (newSet('nginx:1').spec as { template: unknown }).template);
  });
});

describe('planRevisions', () => {
  test('first sync creates revision 1, current and update alike', () => {
    const p = plan('nginx:1', []);
    assert.equal(p.create?.revision, 1);
    assert.equal(p.current, p.update);
  });

  test('an unchanged template reuses the newest revision', () => {
    const r1 = revisionOf('nginx:1', 1);
    const p = plan('nginx:1', [r1], r1.metadata.name);
    assert.equal(p.create, undefined);
    assert.equal(p.update, r1);
  });

  test('a new template creates the next revision; current stays', () => {
    const r1 = revisionOf('nginx:1', 1);
    const p = plan('nginx:2', [r1], r1.metadata.name);
    assert.equal(p.create?.revision, 2);
    assert.equal(p.current, r1);
    assert.notEqual(p.update.metadata.name, r1.metadata.name);
  });

  test('going back to an old template renumbers that revision as newest', () => {
    const r1 = revisionOf('nginx:1', 1);
    const r2 = revisionOf('nginx:2', 2);
    const p = plan('nginx:1', [r1, r2], r2.metadata.name);
    assert.equal(p.create, undefined);
    assert.equal(p.renumber?.metadata.name, r1.metadata.name);
    assert.equal(p.renumber?.revision, 3);
    assert.equal(p.current, r2);
  });

  test('a name collision probes with a higher collision count', () => {
    const impostor = { ...revisionOf('nginx:1', 1), data: { other: true } };
    const p = plan('nginx:1', [impostor]);
    assert.equal(p.collisionCount, 1);
    assert.notEqual(p.create?.metadata.name, impostor.metadata.name);
  });
});

describe('revisionsToPrune', () => {
  test('drops the oldest unused revisions beyond the limit', () => {
    const revs = [1, 2, 3, 4].map((n) => revisionOf(`nginx:${n}`, n));
    const live = new Set([revs[3]?.metadata.name ?? '']);
    const pruned = revisionsToPrune({ revisions: revs, live, historyLimit: 1 });
    assert.deepEqual(
      pruned.map((r) => r.revision),
      [1, 2],
    );
  });
});
