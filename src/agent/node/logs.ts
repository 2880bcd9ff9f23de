/**
 * Streams a container's log file: the last `tailLines` lines (or all), at most `limitBytes`,
 * then, with `follow`, what is appended until the container stops writing or the reader goes.
 */
import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';

export interface StreamLogOptions {
  file: string;
  res: Writable & { destroyed: boolean; end(): void };
  follow: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Send nothing from the existing content (it is older than --since). */
  skipAll?: boolean;
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

export async function streamLog(o: StreamLogOptions): Promise<void> {
  const handle = await open(o.file, 'r');
  try {
    const size = (await stat(o.file)).size;
    const content = Buffer.alloc(size);
    await handle.read(content, 0, size, 0);
    let start = o.skipAll ? size : o.tailLines !== undefined ? tailOffset(content, o.tailLines) : 0;
    let budget = o.limitBytes ?? Number.POSITIVE_INFINITY;
    const send = (chunk: Buffer): boolean => {
      const part = chunk.subarray(0, Math.min(chunk.length, budget));
      budget -= part.length;
      if (part.length > 0) o.res.write(part);
      return budget > 0;
    };
    if (!send(content.subarray(start)) || !o.follow) return;
    start = size;
    while (!o.res.destroyed) {
      await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
      const now = (await stat(o.file)).size;
      if (now > start) {
        const more = Buffer.alloc(now - start);
        await handle.read(more, 0, more.length, start);
        start = now;
        if (!send(more)) return;
      } else if (!o.stillWriting()) {
        return;
      }
    }
  } finally {
    await handle.close();
    if (!o.res.destroyed) o.res.end();
  }
}
