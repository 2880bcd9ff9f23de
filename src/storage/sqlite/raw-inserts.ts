/**
 * The baseline the SQLite store's write path is measured against: durable single-row
 * inserts into the same file with the same pragmas and nothing else.
 */
import Database from 'better-sqlite3';

export function timeRawInserts(path: string, count: number): number {
  const db = new Database(path);
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS raw_baseline (id INTEGER PRIMARY KEY, key TEXT, value TEXT)');
    const insert = db.prepare('INSERT INTO raw_baseline (key, value) VALUES (?, ?)');
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) insert.run(`/registry/raw/${i}`, `{"i":${i}}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    db.exec('DROP TABLE raw_baseline');
    db.close();
  }
}
