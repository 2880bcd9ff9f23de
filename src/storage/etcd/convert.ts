/** Conversions between etcd's wire shapes and the store's, and etcd's error identities. */
import type { IKeyValue, IEvent } from 'etcd3';
import { StorageError, type KeyValue, type WatchEvent } from '../types.js';

/** Maps store keys to etcd keys under an optional extra prefix, and back. */
export class KeySpace {
  constructor(readonly prefix: string) {}

  toEtcd(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  fromEtcd(key: Buffer): string {
    return key.toString().slice(this.prefix.length);
  }

  /** etcd's range end for a prefix: the prefix with its last byte incremented; "\0" = to the end. */
  rangeEnd(prefix: string): Buffer {
    const bytes = Buffer.from(this.prefix + prefix);
    for (let i = bytes.length - 1; i >= 0; i--) {
      if ((bytes[i] as number) < 0xff) {
        const end = Buffer.from(bytes.subarray(0, i + 1));
        end[i] = (bytes[i] as number) + 1;
        return end;
      }
    }
    return Buffer.from([0]);
  }

  toKeyValue(kv: IKeyValue): KeyValue {
    return {
      key: this.fromEtcd(kv.key),
      value: kv.value.toString(),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  toWatchEvent(event: IEvent): WatchEvent {
    const kv = this.toKeyValue(event.kv);
    const prevKv = event.prev_kv ? this.toKeyValue(event.prev_kv) : undefined;
    if (event.type === 'Delete') {
      // etcd's delete event has an empty value and no create revision: take them from prevKv.
      const deleted = { ...kv, value: prevKv?.value ?? '', createRevision: prevKv?.createRevision ?? 0 };
      return prevKv ? { type: 'delete', kv: deleted, prevKv } : { type: 'delete', kv: deleted };
    }
    return prevKv ? { type: 'put', kv, prevKv } : { type: 'put', kv };
  }
}

export function isCompactedMessage(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision has been compacted');
}

export function isFutureMessage(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision is a future revision');
}

/** Maps a broken connection to Unavailable; other errors pass through unchanged. */
export function toUnavailable(err: unknown): unknown {
  if (err instanceof Error && /unavailable|ECONNREFUSED|deadline|closed/i.test(`${err.name} ${err.message}`)) {
    return new StorageError('Unavailable', `etcd: ${err.message}`);
  }
  return err;
}
