/**
 * The DNS server alone in a process, for the fuzz test: a crash is then an exit the test can
 * see, not an exception inside the test runner. Serves the fixture cluster plus two headless
 * Services large enough to need truncation, on 127.0.0.1 with a free port, and prints
 * `{"port":N}` on stdout. Warnings go to stderr. Exits when stdin closes, so it cannot outlive
 * the test.
 */
import { startDnsServer } from '../../src/dns/server.js';
import { fixtureIndex, headless, slice } from '../../src/dns/test-fixtures.js';
import { createLogger } from '../../src/lib/log.js';
import { LARGE_SERVICES } from './packets.js';

function largeIndex(): ReturnType<typeof fixtureIndex> {
  const index = fixtureIndex();
  for (const [name, count] of Object.entries(LARGE_SERVICES)) {
    const endpoints = Array.from({ length: count }, (_, i) => ({ ip: `10.245.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    index.upsertService(headless('example', name, [{ name: 'web', port: 80, protocol: 'TCP' }]));
    index.upsertSlice(slice('example', name, endpoints, [{ name: 'web', port: 8080, protocol: 'TCP' }]));
  }
  return index;
}

async function main(): Promise<void> {
  const server = await startDnsServer({
    index: largeIndex(),
    synced: () => true,
    log: createLogger({ level: 'warn', destination: 2 }),
    listen: [{ host: '127.0.0.1', port: 0 }],
  });
  const port = server.addresses()[0]?.port;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

await main();
