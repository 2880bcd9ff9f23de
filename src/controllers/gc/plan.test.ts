import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planItem, type DependentView, type GcAction, type ItemView, type OwnerState, type OwnerView } from './plan.js';

function owner(uid: string, state: OwnerState, blockOwnerDeletion = false): OwnerView {
  return { ref: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, blockOwnerDeletion }, state };
}

function dependent(key: string, opts: Partial<Omit<DependentView, 'key'>> = {}): DependentView {
  return { key, blocksOwner: opts.blocksOwner ?? false, deletingDependents: opts.deletingDependents ?? false };
}

function item(opts: Partial<ItemView> = {}): ItemView {
  return { uid: 'me', beingDeleted: false, finalizers: [], owners: [], dependents: [], ...opts };
}

const cases: { name: string; item: ItemView; want: GcAction[] }[] = [
  { name: 'no owners: nothing to collect', item: item(), want: [] },
  { name: 'live owner: kept', item: item({ owners: [owner('a', 'solid')] }), want: [] },
  { name: 'unknown owner kind: kept', item: item({ owners: [owner('a', 'unknown')] }), want: [] },
  { name: 'only owner gone: deleted in the background', item: item({ owners: [owner('a', 'dangling')] }), want: [{ type: 'delete', policy: 'Background' }] },
  {
    name: 'every owner gone: deleted',
    item: item({ owners: [owner('a', 'dangling'), owner('b', 'dangling')] }),
    want: [{ type: 'delete', policy: 'Background' }],
  },
  {
    name: 'one owner gone, one live: dangling reference removed, object kept',
    item: item({ owners: [owner('a', 'dangling'), owner('b', 'solid')] }),
    want: [{ type: 'removeOwnerRefs', uids: ['a'] }],
  },
  {
    name: 'live owner and owner waiting for dependents: reference to the waiting owner removed',
    item: item({ owners: [owner('a', 'waiting', true), owner('b', 'solid')] }),
    want: [{ type: 'removeOwnerRefs', uids: ['a'] }],
  },
  {
    name: 'owner gone, item carries the orphan finalizer: its own dependents are orphaned',
    item: item({ owners: [owner('a', 'dangling')], finalizers: ['orphan'] }),
    want: [{ type: 'delete', policy: 'Orphan' }],
  },
  {
    name: 'owner waiting, item without dependents: deleted in the background',
    item: item({ owners: [owner('a', 'waiting', true)] }),
    want: [{ type: 'delete', policy: 'Background' }],
  },
  {
    name: 'owner waiting, item with dependents: deletion cascades in the foreground',
    item: item({ owners: [owner('a', 'waiting', true)], dependents: [dependent('pods.|ns/p')] }),
    want: [{ type: 'delete', policy: 'Foreground' }],
  },
  {
    name: 'owner waiting, a dependent is itself waiting (cycle): unblock, then delete in the foreground',
    item: item({ owners: [owner('a', 'waiting', true)], dependents: [dependent('pods.|ns/p', { deletingDependents: true })] }),
    want: [
      { type: 'unblockOwnerRefs', uids: ['a'] },
      { type: 'delete', policy: 'Foreground' },
    ],
  },
  {
    name: 'being deleted without collector finalizers (graceful): left alone',
    item: item({ beingDeleted: true, owners: [owner('a', 'dangling')], finalizers: ['example.com/x'] }),
    want: [],
  },
  {
    name: 'foreground owner with blocking dependents: dependents attempted',
    item: item({
      beingDeleted: true,
      finalizers: ['foregroundDeletion'],
      dependents: [dependent('a', { blocksOwner: true }), dependent('b'), dependent('c', { blocksOwner: true, deletingDependents: true })],
    }),
    want: [{ type: 'attemptDependents', keys: ['a', 'b'] }],
  },
  {
    name: 'foreground owner with only non-blocking dependents: finalizer removed',
    item: item({ beingDeleted: true, finalizers: ['foregroundDeletion'], dependents: [dependent('a')] }),
    want: [{ type: 'removeFinalizer', finalizer: 'foregroundDeletion' }],
  },
  {
    name: 'foreground owner with no dependents: finalizer removed',
    item: item({ beingDeleted: true, finalizers: ['foregroundDeletion'] }),
    want: [{ type: 'removeFinalizer', finalizer: 'foregroundDeletion' }],
  },
  {
    name: 'orphaning owner: dependents released, then finalizer removed',
    item: item({ beingDeleted: true, finalizers: ['orphan'], dependents: [dependent('a'), dependent('b', { blocksOwner: true })] }),
    want: [
      { type: 'orphanDependents', keys: ['a', 'b'] },
      { type: 'removeFinalizer', finalizer: 'orphan' },
    ],
  },
  {
    name: 'orphaning owner without dependents: finalizer removed',
    item: item({ beingDeleted: true, finalizers: ['orphan'] }),
    want: [{ type: 'removeFinalizer', finalizer: 'orphan' }],
  },
];

describe('planItem', () => {
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(planItem(c.item), c.want));
  }
});
