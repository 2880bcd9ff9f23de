import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, SqliteStore, isStorageError, openStore } from './index.js';

test('openStore builds the configured engine', async () => {
  const memory = await openStore({ kind: 'memory' });
  assert.ok(memory instanceof MemoryStore);
  await memory.close();
  const dir = mkdtempSync(join(tmpdir(), 'sb-open-'));
  try {
    const sqlite = await openStore({ kind: 'sqlite', path: join(dir, 'state.db') });
    assert.ok(sqlite instanceof SqliteStore);
    await sqlite.create('/a', 'b');
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore fails when etcd cannot be reached', async () => {
  // Port 1 on loopback: nothing listens there.
  await assert.rejects(openStore({ kind: 'etcd', endpoints: ['http://127.0.0.1:1'] }), (err: unknown) =>
    isStorageError(err, 'Unavailable'),
  );
});
