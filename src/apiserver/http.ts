/** Request and response plumbing shared by every handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { errors, StatusError, isStatusError } from '../api/status.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from '../api/protobuf/index.js';

export const maxBodyBytes = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    throw errors.tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      req.resume();
      throw errors.tooLarge(limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? 'application/json';
}

/** Decodes a JSON or YAML body into a value; malformed input is a 400 as Kubernetes answers it. */
export function decodeBody(body: Buffer, type: string): unknown {
  // kubectl's typed clients (create namespace, create deployment, ...) send protobuf.
  if (isKubernetesProtobuf(type)) return decodeProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the body of the request was empty');
  try {
    if (type.includes('yaml')) return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw errors.badRequest(`error decoding ${type.includes('yaml') ? 'YAML' : 'JSON'}: ${detail}`);
  }
}

function decodeProtobuf(body: Buffer): unknown {
  try {
    return decodeKubernetesProtobuf(body).object;
  } catch (err) {
    if (!(err instanceof ProtobufDecodeError)) throw err;
    if (err.reason === 'UnsupportedKind') {
      throw new StatusError(415, 'UnsupportedMediaType', `${err.message}; send this object as JSON`);
    }
    throw errors.badRequest(`error decoding protobuf: ${err.message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function toStatusError(err: unknown): StatusError {
  if (isStatusError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return errors.internal(message);
}

export function sendError(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds) headers['Retry-After'] = String(err.details.retryAfterSeconds);
  const text = JSON.stringify(err.toStatus());
  res.writeHead(err.code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export interface Query {
  get(name: string): string | undefined;
  has(name: string): boolean;
  bool(name: string): boolean;
  int(name: string): number | undefined;
}

export function parseQuery(search: URLSearchParams): Query {
  return {
    get: (name) => search.get(name) ?? undefined,
    has: (name) => search.has(name),
    bool: (name) => search.get(name) === 'true' || search.get(name) === '1',
    int: (name) => {
      const v = search.get(name);
      if (v === null || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n)) throw errors.badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
      return n;
    },
  };
}
