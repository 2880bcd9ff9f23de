/**
 * Streams a container's log file: the last `tailLines` lines (or all, or those written since
 * a time), at most `limitBytes`, each line prefixed with the time it was written when asked
 * (`--timestamps`), then, with `follow`, what is appended until the container stops writing
 * or the reader goes. Line times come from the stamper's index beside the log (`<n>.idx`:
 * 16-byte records, the offset where a line begins and the time it was read, in ns).
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';

export interface StreamLogOptions {
  file: string;
  res: Writable & { destroyed: boolean; end(): void };
  follow: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Only lines written at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** Prefix each line with the time it was written (RFC 3339, nanoseconds). */
  timestamps?: boolean;
  /** The line index, when the log has one (see `indexPathOf`). */
  indexFile?: string;
  /** True while the file may still grow. */
  stillWriting(): boolean;
}

const FOLLOW_POLL_MS = 100;

/** The offset where the last `n` lines of `text` begin. */
export function tailOffset(text: Buffer, n: number): number {
  if (n <= 0) return text.length;
  let at = text.length;
  // A final newline ends the last line; it does not start another.
  if (text[at - 1] === 0x0a) at--;
  for (let lines = 0; at > 0; at--) {
    if (text[at - 1] === 0x0a && ++lines === n) return at;
  }
  return 0;
}

/** When each line of a log began: offsets ascending, times in ns. */
export interface LineIndex {
  offsets: bigint[];
  times: bigint[];
}

export function parseIndex(raw: Buffer): LineIndex {
  const offsets: bigint[] = [];
  const times: bigint[] = [];
  for (let at = 0; at + 16 <= raw.length; at += 16) {
    offsets.push(raw.readBigUInt64LE(at));
    times.push(raw.readBigUInt64LE(at + 8));
  }
  return { offsets, times };
}

/** The time of the line that holds `offset` (the last record at or before it); undefined without one. */
export function timeAt(index: LineIndex, offset: number): bigint | undefined {
  const target = BigInt(offset);
  let lo = 0;
  let hi = index.offsets.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((index.offsets[mid] ?? 0n) <= target) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? undefined : index.times[found];
}

/** Where the first line written at or after `ns` begins; undefined when none is. */
export function offsetSince(index: LineIndex, ns: bigint): number | undefined {
  const i = index.times.findIndex((t) => t >= ns);
  return i < 0 ? undefined : Number(index.offsets[i]);
}

/** RFC 3339 with nanoseconds, trailing zeros of the fraction dropped (Go's RFC3339Nano, UTC). */
export function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${new Date(ms).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

async function readIndex(file: string | undefined): Promise<LineIndex | undefined> {
  if (!file) return undefined;
  try {
    return parseIndex(await readFile(file));
  } catch {
    return undefined;
  }
}

export async function streamLog(o: StreamLogOptions): Promise<void> {
  const handle = await open(o.file, 'r');
  try {
    const info = await stat(o.file);
    const size = info.size;
    const content = Buffer.alloc(size);
    await handle.read(content, 0, size, 0);
    let index = o.timestamps || o.sinceMs !== undefined ? await readIndex(o.indexFile) : undefined;
    // Without an index (no stamper), every line gets the file's last write time.
    const fallbackNs = BigInt(Math.round(info.mtimeMs)) * 1_000_000n;
    let start = 0;
    if (o.sinceMs !== undefined) {
      const since = BigInt(Math.round(o.sinceMs)) * 1_000_000n;
      start = index ? (offsetSince(index, since) ?? size) : fallbackNs >= since ? 0 : size;
    }
    if (o.tailLines !== undefined) start = Math.max(start, tailOffset(content, o.tailLines));
    let budget = o.limitBytes ?? Number.POSITIVE_INFINITY;
    /** Whether the next byte sent begins a line (for the timestamp prefix). */
    let lineStart = start === 0 || content[start - 1] === 0x0a;
    const stamped = (chunk: Buffer, from: number): Buffer => {
      if (!o.timestamps) return chunk;
      const parts: Buffer[] = [];
      let i = 0;
      while (i < chunk.length) {
        if (lineStart) {
          const t = (index ? timeAt(index, from + i) : undefined) ?? fallbackNs;
          parts.push(Buffer.from(`${rfc3339Nano(t)} `));
        }
        const nl = chunk.indexOf(0x0a, i);
        const end = nl < 0 ? chunk.length : nl + 1;
        parts.push(chunk.subarray(i, end));
        lineStart = nl >= 0;
        i = end;
      }
      return Buffer.concat(parts);
    };
    const send = (chunk: Buffer, from: number): boolean => {
      const out = stamped(chunk, from);
      const part = out.subarray(0, Math.min(out.length, budget));
      budget -= part.length;
      if (part.length > 0) o.res.write(part);
      return budget > 0;
    };
    if (!send(content.subarray(start), start) || !o.follow) return;
    start = size;
    while (!o.res.destroyed) {
      await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
      const now = (await stat(o.file)).size;
      if (now > start) {
        const more = Buffer.alloc(now - start);
        await handle.read(more, 0, more.length, start);
        if (o.timestamps) index = (await readIndex(o.indexFile)) ?? index;
        const from = start;
        start = now;
        if (!send(more, from)) return;
      } else if (!o.stillWriting()) {
        return;
      }
    }
  } finally {
    await handle.close();
    if (!o.res.destroyed) o.res.end();
  }
}
