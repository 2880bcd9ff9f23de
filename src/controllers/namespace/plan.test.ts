import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { finalizersAfterCleanup, namespaceConditions, planContentDeletion, type ContentItem } from './plan.js';

const item = (name: string, opts: Partial<Omit<ContentItem, 'name'>> = {}): ContentItem => ({ name, beingDeleted: false, finalizers: [], ...opts });

describe('planContentDeletion', () => {
  const cases = [
    { name: 'empty namespace: nothing to delete', content: [], want: [] },
    {
      name: 'objects not yet being deleted are deleted, terminating ones waited for',
      content: [
        { resource: 'pods', items: [item('a'), item('b', { beingDeleted: true })] },
        { resource: 'replicasets.apps', items: [item('rs')] },
      ],
      want: [
        { resource: 'pods', name: 'a' },
        { resource: 'replicasets.apps', name: 'rs' },
      ],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(planContentDeletion(c.content), c.want));
});

describe('namespaceConditions', () => {
  const byType = (conds: ReturnType<typeof namespaceConditions>) => Object.fromEntries(conds.map((c) => [c.type, c]));
  test('nothing remaining: all five conditions False', () => {
    const conds = namespaceConditions([{ resource: 'pods', items: [] }], []);
    assert.equal(conds.length, 5);
    assert.ok(conds.every((c) => c.status === 'False'));
    assert.equal(byType(conds).NamespaceContentRemaining?.reason, 'ContentRemoved');
  });
  test('content with finalizers remaining is named with counts', () => {
    const conds = byType(
      namespaceConditions(
        [
          { resource: 'pods', items: [item('a', { beingDeleted: true }), item('b', { beingDeleted: true, finalizers: ['example.com/x'] })] },
          { resource: 'configmaps', items: [item('c', { beingDeleted: true, finalizers: ['example.com/x', 'foregroundDeletion'] })] },
        ],
        [],
      ),
    );
    assert.equal(conds.NamespaceContentRemaining?.status, 'True');
    assert.equal(conds.NamespaceContentRemaining?.message, 'Some resources are remaining: pods has 2 resource instances, configmaps has 1 resource instances');
    assert.equal(
      conds.NamespaceFinalizersRemaining?.message,
      'Some content in the namespace has finalizers remaining: example.com/x in 2 resource instances, foregroundDeletion in 1 resource instances',
    );
  });
  test('delete failures are reported', () => {
    const conds = byType(namespaceConditions([], ['pods']));
    assert.equal(conds.NamespaceDeletionContentFailure?.status, 'True');
    assert.equal(conds.NamespaceDeletionContentFailure?.reason, 'ContentDeletionFailed');
  });
});

describe('finalizersAfterCleanup', () => {
  test('removes only kubernetes', () => assert.deepEqual(finalizersAfterCleanup(['kubernetes', 'example.com/x']), ['example.com/x']));
});
