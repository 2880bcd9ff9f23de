/**
 * The embedded store: one SQLite file in WAL mode with durable commits. Writes append to the
 * `log` table inside one transaction that also checks the precondition, so optimistic
 * concurrency holds at the database; watches are fed in-process right after each commit.
 * better-sqlite3 is synchronous, which is what lets the watch backlog and the live stream
 * join without a gap (see watch-hub.ts).
 */
import type Database from 'better-sqlite3';
import {
  checkReadRevision,
  closedError,
  compactTarget,
  compactedError,
  keyExists,
  listLimit,
  missingKey,
  revisionMismatch,
} from '../checks.js';
import { prefixEnd } from '../keys.js';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WatchOptions } from '../types.js';
import { WatchHub } from '../watch-hub.js';
import { keyRangeSql, toKeyValue, toWatchEvent, type EventRow, type LogRow, type RangeQuery } from './rows.js';
import { openDatabase, readCounters, toStorageError, type OpenDatabaseOptions } from './schema.js';

interface Append {
  key: string;
  isCreated: boolean;
  isDeleted: boolean;
  createRevision: number;
  prevRevision: number;
  value: string;
}

interface PendingWrite {
  change: () => WatchEvent;
  resolve: (kv: KeyValue) => void;
  reject: (err: unknown) => void;
}

export class SqliteStore implements Store {
  private revision: number;
  private compacted: number;
  private isClosed = false;
  private pending: PendingWrite[] = [];
  private readonly hub = new WatchHub();
  private readonly statementBySql = new Map<string, Database.Statement>();
  private readonly path: string;

  static open(options: OpenDatabaseOptions): SqliteStore {
    return new SqliteStore(openDatabase(options), options.path);
  }

  private constructor(
    private readonly db: Database.Database,
    path: string,
  ) {
    this.path = path;
    ({ revision: this.revision, compacted: this.compacted } = readCounters(db));
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.readCurrent(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = options.revision ?? this.revision;
    checkReadRevision({ revision, current: this.revision, compacted: this.compacted });
    const range: RangeQuery = { start: prefix, end: prefixEnd(prefix), after: options.startAfter };
    const limit = listLimit(options.limit);
    const sql = revision === this.revision ? listCurrentSql(range) : listAtRevisionSql(range);
    const params = { ...range, rev: revision, limit: Number.isFinite(limit) ? limit + 1 : -1 };
    const rows = this.statement(sql).all(params) as LogRow[];
    const more = rows.length > limit;
    return { items: rows.slice(0, Math.min(rows.length, limit)).map(toKeyValue), revision, more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return this.write(() => {
      if (this.readCurrent(key) !== undefined) throw keyExists(key);
      const revision = this.revision + 1;
      const append = { key, value, isCreated: true, isDeleted: false, createRevision: revision, prevRevision: 0 };
      return { type: 'put', kv: this.append(append) };
    });
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.write(() => {
      const current = this.readCurrent(key);
      if (current === undefined) throw missingKey(key);
      if (current.modRevision !== expectedRevision) throw revisionMismatch(current, expectedRevision);
      const kv = this.append({
        key,
        value,
        isCreated: false,
        isDeleted: false,
        createRevision: current.createRevision,
        prevRevision: current.modRevision,
      });
      return { type: 'put', kv, prevKv: current };
    });
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.write(() => {
      const current = this.readCurrent(key);
      if (current === undefined) throw missingKey(key);
      if (expectedRevision !== undefined && current.modRevision !== expectedRevision) {
        throw revisionMismatch(current, expectedRevision);
      }
      // The tombstone keeps the last value so the delete event can carry it.
      const kv = this.append({
        key,
        value: current.value,
        isCreated: false,
        isDeleted: true,
        createRevision: current.createRevision,
        prevRevision: current.modRevision,
      });
      return { type: 'delete', kv, prevKv: current };
    });
  }

  async watch(prefix: string, options: WatchOptions): Promise<Watch> {
    this.checkOpen();
    if (options.afterRevision < this.compacted) throw compactedError(options.afterRevision, this.compacted);
    const range: RangeQuery = { start: prefix, end: prefixEnd(prefix) };
    const rows = this.statement(eventsAfterSql(range)).all({ ...range, rev: options.afterRevision }) as EventRow[];
    return this.hub.add(prefix, options, rows.map(toWatchEvent));
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (!compactTarget({ revision, current: this.revision, compacted: this.compacted })) return;
    this.run(() =>
      this.db.transaction(() => {
        this.statement(compactSql).run({ rev: revision });
        this.statement(setMetaSql).run('compacted_revision', revision);
      })(),
    );
    this.compacted = revision;
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    if (this.pending.length > 0) this.flush(); // writes already queued still commit
    this.isClosed = true;
    this.hub.closeAll();
    this.db.close();
  }

  /**
   * Queues a check-and-append. Writes that arrive in the same turn of the event loop are
   * committed together in one transaction (group commit: one fsync for many writes, since the
   * fsync, not the work, is what a durable write waits for). Each write's precondition is
   * checked in order inside that transaction, so one write's failure fails only that write.
   * A write's promise settles after the commit, so an acknowledgement is always durable.
   */
  private write(change: () => WatchEvent): Promise<KeyValue> {
    this.checkOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ change, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (this.isClosed) {
      for (const w of batch) w.reject(closedError());
      return;
    }
    const before = this.revision;
    const outcomes: ({ event: WatchEvent } | { error: unknown })[] = [];
    try {
      this.run(() =>
        this.db.transaction(() => {
          for (const w of batch) {
            try {
              const event = w.change();
              this.revision = event.kv.modRevision;
              outcomes.push({ event });
            } catch (error) {
              outcomes.push({ error });
            }
          }
        }).immediate(),
      );
    } catch (err) {
      this.revision = before;
      for (const w of batch) w.reject(err);
      return;
    }
    const events = outcomes.flatMap((o) => ('event' in o ? [o.event] : []));
    if (events.length > 0) this.hub.publish(events);
    batch.forEach((w, i) => {
      const o = outcomes[i] as { event: WatchEvent } | { error: unknown };
      if ('event' in o) w.resolve(o.event.kv);
      else w.reject(toStorageError(o.error, this.path));
    });
  }

  /** Appends one log row at the next revision (only inside write()). */
  private append(append: Append): KeyValue {
    const id = this.revision + 1;
    this.statement(insertLogSql).run(
      id,
      append.key,
      append.isCreated ? 1 : 0,
      append.isDeleted ? 1 : 0,
      append.createRevision,
      append.prevRevision,
      append.value,
    );
    if (append.isDeleted) this.statement(deleteCurrentSql).run(append.key);
    else this.statement(upsertCurrentSql).run(append.key, id);
    return { key: append.key, value: append.value, createRevision: append.createRevision, modRevision: id };
  }

  private readCurrent(key: string): KeyValue | undefined {
    const row = this.statement(getCurrentSql).get(key) as LogRow | undefined;
    return row === undefined ? undefined : toKeyValue(row);
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStorageError(err, this.path);
    }
  }

  /** Statements are prepared once per distinct SQL text (list ranges vary in their bounds). */
  private statement(sql: string): Database.Statement {
    let statement = this.statementBySql.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statementBySql.set(sql, statement);
    }
    return statement;
  }

  private checkOpen(): void {
    if (this.isClosed) throw closedError();
  }
}

const rowColumns = 'l.id, l.key, l.create_revision, l.value';
const getCurrentSql = `SELECT ${rowColumns} FROM current c JOIN log l ON l.id = c.id WHERE c.key = ?`;
const insertLogSql =
  'INSERT INTO log (id, key, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)';
const upsertCurrentSql = 'INSERT INTO current (key, id) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET id = excluded.id';
const deleteCurrentSql = 'DELETE FROM current WHERE key = ?';
const setMetaSql = 'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value';

/**
 * Drops every row at or below the compacted revision that no read at or after it can need:
 * rows superseded by a later row at or below it, and tombstones (an absent key needs no row).
 */
const compactSql = `
DELETE FROM log WHERE id <= @rev AND (
  deleted = 1 OR id < (SELECT MAX(newer.id) FROM log newer WHERE newer.key = log.key AND newer.id <= @rev)
)`;

function listCurrentSql(range: RangeQuery): string {
  return `SELECT ${rowColumns} FROM current c JOIN log l ON l.id = c.id
    WHERE ${keyRangeSql('c.key', range)} ORDER BY c.key LIMIT @limit`;
}

function listAtRevisionSql(range: RangeQuery): string {
  return `SELECT ${rowColumns} FROM log l JOIN (
      SELECT key, MAX(id) AS id FROM log WHERE ${keyRangeSql('key', range)} AND id <= @rev GROUP BY key
    ) latest ON l.id = latest.id
    WHERE l.deleted = 0 ORDER BY l.key LIMIT @limit`;
}

function eventsAfterSql(range: RangeQuery): string {
  return `SELECT ${rowColumns}, l.deleted, l.prev_revision,
      p.value AS prev_value, p.create_revision AS prev_create_revision, p.deleted AS prev_deleted
    FROM log l LEFT JOIN log p ON p.id = l.prev_revision
    WHERE l.id > @rev AND ${keyRangeSql('l.key', range)} ORDER BY l.id`;
}
