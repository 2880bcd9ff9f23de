/** Reads the credentials of a kubeconfig's first cluster and user (the form `switchboard up` writes). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Credentials {
  server: string;
  ca: string;
  cert: string;
  key: string;
}

export function credentialsFromKubeconfig(path: string): Credentials {
  const kc = parse(readFileSync(path, 'utf8')) as {
    clusters?: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users?: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const cluster = kc.clusters?.[0]?.cluster;
  const user = kc.users?.[0]?.user;
  if (!cluster || !user) throw new Error(`${path}: no cluster or user`);
  const decode = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  return {
    server: cluster.server,
    ca: decode(cluster['certificate-authority-data']),
    cert: decode(user['client-certificate-data']),
    key: decode(user['client-key-data']),
  };
}
