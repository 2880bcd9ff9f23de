/**
 * The DNS section's Switchboard server, in its own process so it does not share a core with
 * the API server or the benchmark: reads the API credentials as one JSON line on stdin, starts
 * `startClusterDns` on informers against that API server, prints `{"port":N}` once synced and
 * listening on 127.0.0.1, and exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import type { Credentials } from '../src/client/kubeconfig.js';
import { InformerFactory } from '../src/client/factory.js';
import { ApiClient } from '../src/client/rest.js';
import { startClusterDns } from '../src/dns/cluster-dns.js';
import { systemClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/log.js';
import { TTL, ZONE } from './dns-objects.js';

async function readCredentials(): Promise<{ creds: Credentials; lines: AsyncIterator<string> }> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done === true) throw new Error('dns-server: no credentials on stdin');
  return { creds: JSON.parse(first.value) as Credentials, lines };
}

async function main(): Promise<void> {
  const { creds, lines } = await readCredentials();
  const log = createLogger({ level: 'warn', destination: 2 });
  const client = new ApiClient(creds, 'switchboard-dns-bench');
  const informers = new InformerFactory(client, log);
  const dns = startClusterDns({ zone: ZONE, ttl: TTL, listen: [{ host: '127.0.0.1', port: 0 }] }, { client, informers, log, clock: systemClock });
  await informers.start();
  await dns.ready;
  const port = dns.addresses()[0]?.port;
  if (port === undefined) throw new Error('dns-server: no listen address');
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  // Wait for the parent to close stdin (or die), then stop cleanly.
  while ((await lines.next()).done !== true);
  await dns.stop();
  await informers.stop();
  client.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`dns-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
