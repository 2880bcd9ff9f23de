import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { runStoreContract } from './contract.js';
import { waitFor } from './contract-watch.js';
import { isStorageError } from './types.js';
import { EtcdStore } from './etcd/store.js';
import { isEtcdInstalled, startTestEtcd, etcdBinary, type TestEtcd } from './etcd/testing.js';

const isCI = process.env.CI === 'true';

if (!isEtcdInstalled() && !isCI) {
  test(`etcd store contract (skipped: ${etcdBinary} not found; apt-get install etcd-server)`, { skip: true }, () => {});
} else {
  describe('etcd', () => {
    let etcd: TestEtcd | undefined;
    before(async () => {
      if (!isEtcdInstalled()) throw new Error(`CI requires ${etcdBinary} (Debian package etcd-server)`);
      etcd = await startTestEtcd();
    });
    after(async () => {
      await etcd?.stop();
    });

    // Every case gets its own key prefix in the one etcd; revisions are shared, which the
    // contract allows for.
    runStoreContract('etcd', async () => {
      if (etcd === undefined) throw new Error('etcd did not start');
      const store = new EtcdStore({ endpoints: etcd.endpoints, prefix: `/t-${randomUUID()}` });
      return { store, cleanup: () => store.close() };
    });
  });

  describe('etcd outages', () => {
    test('a watch reports Unavailable once when etcd goes away', async () => {
      if (!isEtcdInstalled()) throw new Error(`CI requires ${etcdBinary} (Debian package etcd-server)`);
      const etcd = await startTestEtcd();
      const store = new EtcdStore({ endpoints: etcd.endpoints });
      try {
        const errors: Error[] = [];
        await store.watch('/registry/', { afterRevision: 0, onEvents: () => {}, onError: (err) => errors.push(err) });
        await etcd.stop();
        await waitFor(() => errors.length > 0, 'the watch error');
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(errors.length, 1);
        assert.ok(isStorageError(errors[0], 'Unavailable'));
      } finally {
        await store.close();
        await etcd.stop();
      }
    });
  });
}
