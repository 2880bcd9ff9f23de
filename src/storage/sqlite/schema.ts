/**
 * The SQLite file layout. `log` is append-only: one row per write, `id` = revision (kine's
 * design). AUTOINCREMENT keeps ids from ever being reused, even after compaction deletes the
 * newest rows' predecessors, so the current revision is `sqlite_sequence.seq`.
 *
 * `current` maps each live key to its latest row and is maintained in the same transaction
 * as the append, so get and list at the current revision are plain index lookups instead of
 * a max-id-per-key aggregate over the whole history.
 */
import Database from 'better-sqlite3';
import { StorageError } from '../types.js';

const ddl = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_id ON log (key, id);
CREATE TABLE IF NOT EXISTS current (
  key TEXT PRIMARY KEY,
  id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

export const schemaVersion = 1;

export interface OpenDatabaseOptions {
  path: string;
  /** How long to wait for another holder of the file before giving up (default 5 s). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) a store file and takes it for this process alone. The watch
 * stream is fed in-process after each commit, so a second writer would go unseen: the
 * exclusive lock makes a second opener fail instead.
 */
export function openDatabase({ path, busyTimeoutMs = 5000 }: OpenDatabaseOptions): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    // Exclusive locking before WAL: no shared-memory index, and the lock is held until close.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
    db.pragma('synchronous = FULL');
    db.exec(ddl);
    // A real write takes the exclusive lock now rather than at the first client write.
    db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(
      'schema_version',
      schemaVersion,
    );
    return db;
  } catch (err) {
    db.close();
    throw toStorageError(err, path);
  }
}

export function readCounters(db: Database.Database): { revision: number; compacted: number } {
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get() as { seq: number } | undefined;
  const compacted = db.prepare("SELECT value FROM meta WHERE name = 'compacted_revision'").get() as
    | { value: number }
    | undefined;
  return { revision: sequence?.seq ?? 0, compacted: compacted?.value ?? 0 };
}

/** Maps SQLite's failures to the store's: a locked or failing file is Unavailable. */
export function toStorageError(err: unknown, path: string): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  if (err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED') {
    return new StorageError('Unavailable', `${path} is in use by another process (${err.code})`);
  }
  if (err.code === 'SQLITE_FULL' || err.code.startsWith('SQLITE_IOERR') || err.code === 'SQLITE_CANTOPEN') {
    return new StorageError('Unavailable', `${path}: ${err.message} (${err.code})`);
  }
  return err;
}
