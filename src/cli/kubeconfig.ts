/** The kubeconfig `up` writes: the cluster's CA, the API URL, and the admin's client certificate. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  name?: string;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

export function renderKubeconfig(k: KubeconfigInput): string {
  const name = k.name ?? 'switchboard';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: k.server, 'certificate-authority-data': b64(k.caCert) } }],
    users: [{ name: `${name}-admin`, user: { 'client-certificate-data': b64(k.clientCert), 'client-key-data': b64(k.clientKey) } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, k: KubeconfigInput): void {
  writeFileSync(path, renderKubeconfig(k), { mode: 0o600 });
}
