/** A minimal HTTPS client for tests that speak to the API server directly (no kubectl). */
import https from 'node:https';

export { credentialsFromKubeconfig, type Credentials } from '../../src/client/kubeconfig.js';
import type { Credentials } from '../../src/client/kubeconfig.js';

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
