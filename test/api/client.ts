/** A minimal HTTPS client for tests that speak to the API server directly (no kubectl). */
import https from 'node:https';
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
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const cluster = kc.clusters[0]!.cluster;
  const user = kc.users[0]!.user;
  const b = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return { server: cluster.server, ca: b(cluster['certificate-authority-data']), cert: b(user['client-certificate-data']), key: b(user['client-key-data']) };
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export function request(
  creds: Credentials,
  method: string,
  path: string,
  options: { body?: string | Buffer; contentType?: string; anonymous?: boolean; headers?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(path, creds.server);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        method,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        ca: creds.ca,
        ...(options.anonymous ? {} : { cert: creds.cert, key: creds.key }),
        headers: {
          ...(options.contentType ? { 'Content-Type': options.contentType } : {}),
          // Node frames GET and DELETE bodies only when told their length.
          ...(options.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
