/**
 * Memory of the DNS record index, in its own process (`node --expose-gc dns-index-mem.js
 * objects.json`): loads the Services and EndpointSlices the API server returned, then builds a
 * RecordIndex from them with upsertService/upsertSlice, and prints the heap growth of each step
 * as JSON. The objects themselves are counted apart: in the server they are shared with the
 * informer cache, which holds them whether or not DNS runs.
 */
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../src/api/types.js';
import { RecordIndex } from '../src/dns/records.js';
import { TTL, ZONE } from './dns-objects.js';

interface StoredService {
  service: KubeObject;
  slice?: KubeObject;
}

function heapUsedMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  // Two passes: the first may only finalize what the second then frees.
  gc();
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

function main(path: string | undefined): void {
  if (path === undefined) throw new Error('usage: dns-index-mem.js objects.json');
  const before = heapUsedMb();
  let text: string | undefined = readFileSync(path, 'utf8');
  const stored = JSON.parse(text) as StoredService[];
  text = undefined;
  const loaded = heapUsedMb();
  const index = new RecordIndex({ zone: ZONE, ttl: TTL });
  index.setNamespaces(new Set(stored.map((s) => s.service.metadata.namespace ?? '')));
  for (const s of stored) {
    index.upsertService(s.service);
    if (s.slice !== undefined) index.upsertSlice(s.slice);
  }
  const built = heapUsedMb();
  // Keep both alive until after the last measurement.
  const kept = index.exists(ZONE) && stored.length > 0;
  process.stdout.write(`${JSON.stringify({ services: stored.length, objectsMb: loaded - before, indexMb: built - loaded, kept })}\n`);
}

main(process.argv[2]);
