/**
 * The storage component: `openStore` picks the engine; everything else talks to `Store`.
 */
import { MemoryStore } from './memory/store.js';
import { SqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

export * from './types.js';
export { FutureRevisionError, isFutureRevisionError } from './checks.js';
export { MemoryStore } from './memory/store.js';
export { SqliteStore } from './sqlite/store.js';
export type { EtcdStoreOptions } from './etcd/store.js';

export type StoreConfig =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'etcd'; endpoints: string[]; prefix?: string };

export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite':
      return SqliteStore.open({ path: config.path });
    case 'etcd': {
      // Loaded on demand: the gRPC client costs a few hundred ms of start-up it need not pay.
      const { EtcdStore } = await import('./etcd/store.js');
      const store = new EtcdStore({ endpoints: config.endpoints, prefix: config.prefix });
      // Fail at open, not at the first request, when etcd cannot be reached.
      await store.currentRevision().catch(async (err: unknown) => {
        await store.close();
        throw err;
      });
      return store;
    }
  }
}
