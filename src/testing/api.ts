/**
 * Test support: a real API server on loopback over an in-memory store, and a client for it.
 * Controllers are tested against real API semantics (validation, watch, conflicts), not mocks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../storage/index.js';
import { ensurePki } from '../apiserver/pki.js';
import { startApiServer } from '../apiserver/server.js';
import { ApiClient } from '../client/rest.js';
import { InformerFactory } from '../client/factory.js';
import { silentLogger } from '../lib/log.js';

export interface TestApi {
  client: ApiClient;
  url: string;
  /** A fresh informer factory on this server (stop it before the server). */
  informers(): InformerFactory;
  stop(): Promise<void>;
}

let pkiDir: string | undefined;

export async function startTestApi(options: { serviceCidr?: string } = {}): Promise<TestApi> {
  pkiDir ??= mkdtempSync(join(tmpdir(), 'sb-pki-'));
  const pki = await ensurePki({ dir: pkiDir, dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const store = await openStore({ kind: 'memory' });
  const log = silentLogger();
  const api = await startApiServer(
    {
      bindAddress: '127.0.0.1',
      port: 0,
      serviceCidr: options.serviceCidr ?? '10.96.0.0/12',
      nodePortRange: { first: 30000, last: 32767 },
      advertiseAddress: '10.243.0.1',
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert },
      tokens: new Map(),
      version: { major: '1', minor: '32', gitVersion: 'v1.32.0+switchboard' },
    },
    { store, log },
  );
  const client = new ApiClient({ server: api.url, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });
  const factories: InformerFactory[] = [];
  return {
    client,
    url: api.url,
    informers() {
      const f = new InformerFactory(client, log);
      factories.push(f);
      return f;
    },
    async stop() {
      for (const f of factories) await f.stop();
      client.close();
      await api.stop();
      await store.close();
    },
  };
}

process.on('exit', () => {
  if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
});
