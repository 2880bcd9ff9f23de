import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { offsetSince, parseIndex, rfc3339Nano, streamLog, tailOffset, timeAt } from './logs.js';

/** An index as the stamper writes it: (offset, ns) records. */
function index(records: [number, bigint][]): Buffer {
  const b = Buffer.alloc(records.length * 16);
  records.forEach(([o, t], i) => {
    b.writeBigUInt64LE(BigInt(o), i * 16);
    b.writeBigUInt64LE(t, i * 16 + 8);
  });
  return b;
}

const T0 = 1_796_400_000_000_000_000n; // 2026-12-04T16:00:00Z in ns

test('rfc3339Nano drops trailing zeros of the fraction, as Go does', () => {
  assert.equal(rfc3339Nano(T0), '2026-12-04T16:00:00Z');
  assert.equal(rfc3339Nano(T0 + 123_450_000n), '2026-12-04T16:00:00.12345Z');
  assert.equal(rfc3339Nano(T0 + 1n), '2026-12-04T16:00:00.000000001Z');
});

test('the index finds the time of any offset in a line and the first line since a time', () => {
  const i = parseIndex(index([[0, T0], [4, T0 + 10n], [9, T0 + 20n]]));
  assert.equal(timeAt(i, 0), T0);
  assert.equal(timeAt(i, 3), T0);
  assert.equal(timeAt(i, 4), T0 + 10n);
  assert.equal(timeAt(i, 100), T0 + 20n);
  assert.equal(offsetSince(i, T0 + 5n), 4);
  assert.equal(offsetSince(i, T0 + 21n), undefined);
  assert.equal(tailOffset(Buffer.from('a\nbb\nccc\n'), 2), 2);
});

test('streamLog: --timestamps prefixes each line with its own time, --since starts at the first line written since', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-logs-'));
  try {
    const log = join(dir, '0.log');
    const idx = join(dir, '0.idx');
    writeFileSync(log, 'one\ntwo\nthree\n');
    writeFileSync(idx, index([[0, T0], [4, T0 + 1_000_000_000n], [8, T0 + 2_000_000_000n]]));
    const read = async (o: { timestamps?: boolean; sinceMs?: number; tailLines?: number }): Promise<string> => {
      const res = new PassThrough();
      let out = '';
      res.on('data', (d: Buffer) => (out += d.toString()));
      await streamLog({ file: log, indexFile: idx, res, follow: false, stillWriting: () => false, ...o });
      return out;
    };
    assert.equal(await read({ timestamps: true }), '2026-12-04T16:00:00Z one\n2026-12-04T16:00:01Z two\n2026-12-04T16:00:02Z three\n');
    assert.equal(await read({ sinceMs: Number(T0 / 1_000_000n) + 500 }), 'two\nthree\n');
    assert.equal(await read({ tailLines: 1, timestamps: true }), '2026-12-04T16:00:02Z three\n');
    assert.equal(await read({}), 'one\ntwo\nthree\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
