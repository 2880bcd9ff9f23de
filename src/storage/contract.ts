/**
 * The behaviour every Store must show, run against memory, SQLite and etcd alike. Modelled
 * on kubernetes/apiserver's storage tests and etcd's watch validators (ordered, unique,
 * atomic, reliable; correct prevKv). Revisions are only compared, never assumed to start at
 * 1 or to be contiguous, because etcd shares its revision counter between prefixes.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isFutureRevisionError } from './checks.js';
import { isStorageError, type KeyValue, type Store, type StorageErrorCode, type WatchEvent } from './types.js';
import { collectWatch, settle, waitFor } from './contract-watch.js';

export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

const pods = '/registry/pods/default/';
const podKey = (name: string): string => `${pods}${name}`;

async function rejectsWith(promise: Promise<unknown>, code: StorageErrorCode): Promise<unknown> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return isStorageError(err, code);
  });
  return caught;
}

async function createAll(store: Store, names: string[]): Promise<KeyValue[]> {
  const created: KeyValue[] = [];
  for (const name of names) created.push(await store.create(podKey(name), `{"name":"${name}"}`));
  return created;
}

const summary = (events: WatchEvent[]): string[] =>
  events.map((e) => `${e.type} ${e.kv.key} ${e.kv.modRevision} ${e.kv.value}`);

export function runStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    describe('create and get', () => {
      test('create returns the stored kv and get reads it back', async () => {
        const before = await store.currentRevision();
        const kv = await store.create(podKey('a'), 'one');
        assert.ok(kv.modRevision > before);
        assert.equal(kv.createRevision, kv.modRevision);
        assert.deepEqual(kv, { key: podKey('a'), value: 'one', createRevision: kv.modRevision, modRevision: kv.modRevision });
        assert.deepEqual(await store.get(podKey('a')), kv);
        assert.equal(await store.currentRevision(), kv.modRevision);
      });

      test('get of a missing key is undefined', async () => {
        assert.equal(await store.get(podKey('nope')), undefined);
      });

      test('create of an existing key fails with KeyExists and changes nothing', async () => {
        const kv = await store.create(podKey('a'), 'one');
        await rejectsWith(store.create(podKey('a'), 'two'), 'KeyExists');
        assert.deepEqual(await store.get(podKey('a')), kv);
        assert.equal(await store.currentRevision(), kv.modRevision);
      });

      test('every write gets a larger revision', async () => {
        const [a, b] = await createAll(store, ['a', 'b']);
        const c = await store.update(podKey('a'), 'x', (a as KeyValue).modRevision);
        const d = await store.delete(podKey('b'));
        const revisions = [a, b, c, d].map((kv) => (kv as KeyValue).modRevision);
        assert.deepEqual([...revisions].sort((x, y) => x - y), revisions);
        assert.equal(new Set(revisions).size, 4);
      });
    });

    describe('update', () => {
      test('at the current revision replaces the value and keeps createRevision', async () => {
        const created = await store.create(podKey('a'), 'one');
        const updated = await store.update(podKey('a'), 'two', created.modRevision);
        assert.equal(updated.value, 'two');
        assert.equal(updated.createRevision, created.createRevision);
        assert.ok(updated.modRevision > created.modRevision);
        assert.deepEqual(await store.get(podKey('a')), updated);
      });

      test('at a stale revision fails with RevisionMismatch carrying the current kv', async () => {
        const created = await store.create(podKey('a'), 'one');
        const updated = await store.update(podKey('a'), 'two', created.modRevision);
        const err = await rejectsWith(store.update(podKey('a'), 'three', created.modRevision), 'RevisionMismatch');
        assert.ok(isStorageError(err));
        assert.deepEqual(err.current, updated);
        assert.deepEqual(await store.get(podKey('a')), updated);
      });

      test('of a missing key fails with KeyNotFound', async () => {
        await rejectsWith(store.update(podKey('nope'), 'v', 1), 'KeyNotFound');
        const created = await store.create(podKey('gone'), 'v');
        await store.delete(podKey('gone'));
        await rejectsWith(store.update(podKey('gone'), 'v', created.modRevision), 'KeyNotFound');
      });
    });

    describe('delete', () => {
      test('unconditional delete returns the last value at the deletion revision', async () => {
        const created = await store.create(podKey('a'), 'one');
        const deleted = await store.delete(podKey('a'));
        assert.equal(deleted.value, 'one');
        assert.equal(deleted.createRevision, created.createRevision);
        assert.ok(deleted.modRevision > created.modRevision);
        assert.equal(await store.currentRevision(), deleted.modRevision);
        assert.equal(await store.get(podKey('a')), undefined);
      });

      test('conditional delete checks the revision', async () => {
        const created = await store.create(podKey('a'), 'one');
        const updated = await store.update(podKey('a'), 'two', created.modRevision);
        const err = await rejectsWith(store.delete(podKey('a'), created.modRevision), 'RevisionMismatch');
        assert.ok(isStorageError(err));
        assert.deepEqual(err.current, updated);
        const deleted = await store.delete(podKey('a'), updated.modRevision);
        assert.ok(deleted.modRevision > updated.modRevision);
        assert.equal(await store.get(podKey('a')), undefined);
      });

      test('of a missing key fails with KeyNotFound', async () => {
        await rejectsWith(store.delete(podKey('nope')), 'KeyNotFound');
        await rejectsWith(store.delete(podKey('nope'), 5), 'KeyNotFound');
      });

      test('a key created again after deletion starts a new life', async () => {
        const first = await store.create(podKey('a'), 'one');
        await store.delete(podKey('a'));
        const second = await store.create(podKey('a'), 'two');
        assert.ok(second.createRevision > first.createRevision);
        assert.equal(second.createRevision, second.modRevision);
      });
    });

    describe('list', () => {
      test('lists a prefix sorted by key, at the current revision', async () => {
        await createAll(store, ['c', 'a', 'b']);
        await store.create('/registry/pods/default2/x', 'other namespace');
        await store.create('/registry/services/default/a', 'other resource');
        const result = await store.list(pods);
        assert.deepEqual(result.items.map((kv) => kv.key), ['a', 'b', 'c'].map(podKey));
        assert.equal(result.revision, await store.currentRevision());
        assert.equal(result.more, false);
        assert.equal((await store.list('/registry/')).items.length, 5);
      });

      test('pages with limit and startAfter at a fixed revision', async () => {
        await createAll(store, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
        const first = await store.list(pods, { limit: 3 });
        assert.deepEqual(first.items.map((kv) => kv.key), ['a', 'b', 'c'].map(podKey));
        assert.equal(first.more, true);
        await store.create(podKey('cc'), 'written between pages');
        await store.delete(podKey('e'));
        const page = (startAfter: string) => store.list(pods, { limit: 3, startAfter, revision: first.revision });
        const second = await page(podKey('c'));
        assert.deepEqual(second.items.map((kv) => kv.key), ['d', 'e', 'f'].map(podKey));
        assert.equal(second.more, true);
        assert.equal(second.revision, first.revision);
        const third = await page(podKey('f'));
        assert.deepEqual(third.items.map((kv) => kv.key), [podKey('g')]);
        assert.equal(third.more, false);
      });

      test('limit equal to the item count reports no more', async () => {
        await createAll(store, ['a', 'b']);
        const result = await store.list(pods, { limit: 2 });
        assert.equal(result.items.length, 2);
        assert.equal(result.more, false);
      });

      test('reads the state at an older revision', async () => {
        const [a, b] = (await createAll(store, ['a', 'b'])) as [KeyValue, KeyValue];
        const snapshot = b.modRevision;
        await store.update(podKey('a'), 'changed', a.modRevision);
        await store.delete(podKey('b'));
        await store.create(podKey('c'), 'new');
        const old = await store.list(pods, { revision: snapshot });
        assert.deepEqual(old.items, [a, b]);
        assert.equal(old.revision, snapshot);
        const now = await store.list(pods);
        assert.deepEqual(now.items.map((kv) => kv.value), ['changed', 'new']);
      });

      test('a future revision is refused', async () => {
        await createAll(store, ['a']);
        const current = await store.currentRevision();
        await assert.rejects(store.list(pods, { revision: current + 10 }), isFutureRevisionError);
      });
    });

    describe('watch', () => {
      test('a burst of writes arrives ordered, without gaps or duplicates', async () => {
        const start = await store.currentRevision();
        const watch = await collectWatch(store, pods, start);
        const names = Array.from({ length: 200 }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
        const written = await Promise.all(names.map((n) => store.create(podKey(n), n)));
        await waitFor(() => watch.events.length >= 200, 'all 200 events');
        watch.stop();
        const seen = watch.events.map((e) => e.kv.modRevision);
        const expected = written.map((kv) => kv.modRevision).sort((x, y) => x - y);
        assert.deepEqual(seen, expected);
        const byRevision = new Map(written.map((kv) => [kv.modRevision, kv]));
        for (const event of watch.events) {
          assert.equal(event.type, 'put');
          assert.deepEqual(event.kv, byRevision.get(event.kv.modRevision));
          assert.equal(event.prevKv, undefined);
        }
      });

      test('replays history after the given revision, then follows', async () => {
        const [a] = (await createAll(store, ['a', 'b', 'c'])) as [KeyValue];
        const watch = await collectWatch(store, pods, a.modRevision);
        await store.create(podKey('d'), 'd');
        await waitFor(() => watch.events.length >= 3, 'history and the new event');
        assert.deepEqual(watch.events.map((e) => e.kv.key), ['b', 'c', 'd'].map(podKey));
        watch.stop();
      });

      test('updates and deletes carry prevKv; a delete carries its own revision', async () => {
        const start = await store.currentRevision();
        const watch = await collectWatch(store, pods, start);
        const created = await store.create(podKey('a'), 'one');
        const updated = await store.update(podKey('a'), 'two', created.modRevision);
        const deleted = await store.delete(podKey('a'));
        await waitFor(() => watch.events.length >= 3, 'three events');
        const [put1, put2, del] = watch.events as [WatchEvent, WatchEvent, WatchEvent];
        assert.deepEqual(put1, { type: 'put', kv: created });
        assert.deepEqual(put2, { type: 'put', kv: updated, prevKv: created });
        assert.equal(del.type, 'delete');
        assert.equal(del.kv.key, podKey('a'));
        assert.equal(del.kv.modRevision, deleted.modRevision);
        assert.deepEqual(del.prevKv, updated);
        watch.stop();
      });

      test('only keys under the prefix are delivered', async () => {
        const start = await store.currentRevision();
        const watch = await collectWatch(store, pods, start);
        await store.create('/registry/pods/default2/x', 'x');
        await store.create('/registry/services/default/a', 'a');
        const mine = await store.create(podKey('a'), 'a');
        await waitFor(() => watch.events.length >= 1, 'one event');
        await settle(store);
        assert.deepEqual(watch.events.map((e) => e.kv.modRevision), [mine.modRevision]);
        watch.stop();
      });

      test('a watch from a future revision delivers only later events', async () => {
        await createAll(store, ['a']);
        // Events after (current + 1): the next write is skipped.
        const watch = await collectWatch(store, pods, (await store.currentRevision()) + 1);
        const more = await createAll(store, ['b', 'c', 'd']);
        await waitFor(() => watch.events.length >= 2, 'two events');
        await settle(store);
        assert.deepEqual(
          watch.events.map((e) => e.kv.key),
          more.slice(1).map((kv) => kv.key),
        );
        watch.stop();
      });

      test('concurrent watchers see identical sequences', async () => {
        const start = await store.currentRevision();
        const watches = await Promise.all([1, 2, 3].map(() => collectWatch(store, pods, start)));
        const names = Array.from({ length: 30 }, (_, i) => `w${i}`);
        await Promise.all(
          names.map(async (n, i) => {
            const kv = await store.create(podKey(n), 'v0');
            if (i % 2 === 0) await store.update(podKey(n), 'v1', kv.modRevision);
            if (i % 3 === 0) await store.delete(podKey(n));
          }),
        );
        const total = 30 + 15 + 10;
        await waitFor(() => watches.every((w) => w.events.length >= total), `${total} events on each watch`);
        const [first, ...others] = watches.map((w) => summary(w.events));
        for (const other of others) assert.deepEqual(other, first);
        for (const w of watches) w.stop();
      });

      test('stop() ends delivery', async () => {
        const start = await store.currentRevision();
        const watch = await collectWatch(store, pods, start);
        await store.create(podKey('a'), 'a');
        await waitFor(() => watch.events.length === 1, 'first event');
        watch.stop();
        await store.create(podKey('b'), 'b');
        await settle(store);
        assert.equal(watch.events.length, 1);
      });

      test('an AbortSignal ends delivery', async () => {
        const start = await store.currentRevision();
        const controller = new AbortController();
        const watch = await collectWatch(store, pods, start, controller.signal);
        await store.create(podKey('a'), 'a');
        await waitFor(() => watch.events.length === 1, 'first event');
        controller.abort();
        await store.create(podKey('b'), 'b');
        await settle(store);
        assert.equal(watch.events.length, 1);
      });

      test('an already aborted signal delivers nothing', async () => {
        const start = await store.currentRevision();
        const watch = await collectWatch(store, pods, start, AbortSignal.abort());
        await store.create(podKey('a'), 'a');
        await settle(store);
        assert.equal(watch.events.length, 0);
      });
    });

    describe('compaction', () => {
      test('keeps latest values and forgets older history', async () => {
        const [a, b] = (await createAll(store, ['a', 'b', 'c'])) as [KeyValue, KeyValue];
        const a2 = await store.update(podKey('a'), 'a2', a.modRevision);
        await store.delete(podKey('b'));
        const compactAt = await store.currentRevision();
        await store.create(podKey('d'), 'd');
        await store.compact(compactAt);
        assert.equal(await store.compactedRevision(), compactAt);
        assert.deepEqual(await store.get(podKey('a')), a2);
        assert.equal(await store.get(podKey('b')), undefined);
        const atCompaction = await store.list(pods, { revision: compactAt });
        assert.deepEqual(atCompaction.items.map((kv) => kv.key), ['a', 'c'].map(podKey));
        await rejectsWith(store.list(pods, { revision: compactAt - 1 }), 'Compacted');
        await rejectsWith(store.list(pods, { revision: b.modRevision }), 'Compacted');
        assert.deepEqual((await store.list(pods)).items.map((kv) => kv.key), ['a', 'c', 'd'].map(podKey));
      });

      test('a watch from before the compacted revision fails with Compacted', async () => {
        const [a] = (await createAll(store, ['a', 'b'])) as [KeyValue];
        await store.update(podKey('a'), 'a2', a.modRevision);
        const compactAt = await store.currentRevision();
        await store.compact(compactAt);
        await rejectsWith(store.watch(pods, { afterRevision: compactAt - 1, onEvents: () => {} }), 'Compacted');
        await rejectsWith(store.watch(pods, { afterRevision: a.modRevision - 1, onEvents: () => {} }), 'Compacted');
        const watch = await collectWatch(store, pods, compactAt);
        const later = await store.create(podKey('c'), 'c');
        await waitFor(() => watch.events.length === 1, 'event after compaction');
        assert.deepEqual(watch.events[0], { type: 'put', kv: later });
        watch.stop();
      });

      test('an open watch loses nothing when history is compacted under it', async () => {
        const start = await store.currentRevision();
        const watch = await collectWatch(store, pods, start);
        const a = await store.create(podKey('a'), 'a');
        const deleted = await store.delete(podKey('a'));
        await store.compact(deleted.modRevision);
        const b = await store.create(podKey('b'), 'b');
        await waitFor(() => watch.events.length >= 3, 'three events');
        assert.deepEqual(
          watch.events.map((e) => [e.type, e.kv.modRevision]),
          [['put', a.modRevision], ['delete', deleted.modRevision], ['put', b.modRevision]],
        );
        watch.stop();
      });

      test('is idempotent and never goes back', async () => {
        await createAll(store, ['a', 'b', 'c']);
        const current = await store.currentRevision();
        await store.compact(current);
        await store.compact(current);
        await store.compact(current - 1);
        assert.equal(await store.compactedRevision(), current);
        await assert.rejects(store.compact(current + 10), isFutureRevisionError);
      });
    });
  });
}
