import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runStoreContract } from './contract.js';
import { SqliteStore } from './sqlite/store.js';
import { isStorageError } from './types.js';

const dirs: string[] = [];
function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sqlite-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

runStoreContract('sqlite', async () => {
  const store = SqliteStore.open({ path: tempPath() });
  return { store, cleanup: () => store.close() };
});

/** Runs crash-writer.ts until it has acknowledged `count` writes, then SIGKILLs it. */
async function writeAndKill(path: string, count: number): Promise<Map<string, number>> {
  // Compiled (dist/*.js) the writer runs as plain JS; from source (tsx) as TypeScript.
  const compiled = import.meta.url.endsWith('.js');
  const writer = new URL(`./sqlite/crash-writer.${compiled ? 'js' : 'ts'}`, import.meta.url).pathname;
  const child = spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const acknowledged = new Map<string, number>();
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const [key, revision] = line.split(' ');
      if (key !== undefined && revision !== undefined) acknowledged.set(key, Number(revision));
      if (acknowledged.size >= count) break;
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    await exited;
  }
  return acknowledged;
}

describe('sqlite store', () => {
  test('every acknowledged write survives SIGKILL of the writer', async () => {
    const path = tempPath();
    const acknowledged = await writeAndKill(path, 300);
    assert.ok(acknowledged.size >= 300, `writer acknowledged only ${acknowledged.size} writes`);
    const store = SqliteStore.open({ path });
    try {
      for (const [key, revision] of acknowledged) {
        const kv = await store.get(key);
        assert.equal(kv?.modRevision, revision, `acknowledged ${key} at ${revision}`);
      }
      const lastAcknowledged = Math.max(...acknowledged.values());
      assert.ok((await store.currentRevision()) >= lastAcknowledged);
    } finally {
      await store.close();
    }
  });

  test('reopening continues revisions, history and compaction state', async () => {
    const path = tempPath();
    const first = SqliteStore.open({ path });
    const a = await first.create('/registry/pods/default/a', 'a');
    const b = await first.create('/registry/pods/default/b', 'b');
    await first.update('/registry/pods/default/a', 'a2', a.modRevision);
    await first.compact(b.modRevision);
    // The compacted revision's superseded row is gone; the last row stays the newest.
    const last = await first.delete('/registry/pods/default/b');
    await first.close();

    const second = SqliteStore.open({ path });
    try {
      assert.equal(await second.currentRevision(), last.modRevision);
      assert.equal(await second.compactedRevision(), b.modRevision);
      const c = await second.create('/registry/pods/default/c', 'c');
      assert.equal(c.modRevision, last.modRevision + 1);
      const history = await second.list('/registry/pods/', { revision: b.modRevision });
      assert.deepEqual(history.items.map((kv) => kv.value), ['a', 'b']);
      await assert.rejects(second.list('/registry/pods/', { revision: a.modRevision }), (err) =>
        isStorageError(err, 'Compacted'),
      );
    } finally {
      await second.close();
    }
  });

  test('revisions are never reused after compaction removes the newest rows', async () => {
    const path = tempPath();
    const store = SqliteStore.open({ path });
    await store.create('/k', 'v');
    const deleted = await store.delete('/k');
    await store.compact(deleted.modRevision);
    await store.close();
    const reopened = SqliteStore.open({ path });
    try {
      assert.equal(await reopened.currentRevision(), deleted.modRevision);
      assert.equal((await reopened.create('/k', 'again')).modRevision, deleted.modRevision + 1);
    } finally {
      await reopened.close();
    }
  });

  test('a second opener of the same file fails with Unavailable', async () => {
    const path = tempPath();
    const store = SqliteStore.open({ path });
    try {
      assert.throws(
        () => SqliteStore.open({ path, busyTimeoutMs: 50 }),
        (err: unknown) => isStorageError(err, 'Unavailable'),
      );
    } finally {
      await store.close();
    }
  });
});
