// Response helpers reproducing what Go's net/http writes, so clients see agnhost's bytes.
import http from 'node:http';
import path from 'node:path';

export const textPlain = 'text/plain; charset=utf-8';

export function send(res: http.ServerResponse, status: number, body: string, contentType?: string): void {
  if (body.length > 0) res.setHeader('Content-Type', contentType ?? textPlain);
  res.writeHead(status);
  res.end(body);
}

/** Go's http.Error: plain text, nosniff, message plus newline. */
export function httpError(res: http.ServerResponse, message: string, status: number): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  send(res, status, `${message}\n`);
}

/** Go's encoding/json escapes HTML-significant characters and line/paragraph separators. */
export function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** An object with sorted keys, as Go marshals a map. */
export function sortedRecord<V>(entries: Iterable<[string, V]>): Record<string, V> {
  const record: Record<string, V> = {};
  for (const [key, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) record[key] = value;
  return record;
}

/** Parses a request target; `//x` is a path here, not a host as in URL resolution. */
export function requestUrl(target: string | undefined): URL {
  const raw = target ?? '/';
  return raw.startsWith('/') ? new URL(`http://request.invalid${raw}`) : new URL(raw, 'http://request.invalid/');
}

/** Go's path.Clean for URL paths, keeping a trailing slash as the ServeMux does. */
export function cleanUrlPath(urlPath: string): string {
  if (urlPath === '') return '/';
  const rooted = urlPath.startsWith('/') ? urlPath : `/${urlPath}`;
  let cleaned = path.posix.normalize(rooted);
  if (cleaned.startsWith('//')) cleaned = cleaned.replace(/^\/+/, '/');
  if (rooted.endsWith('/') && !cleaned.endsWith('/')) cleaned += '/';
  return cleaned;
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/** Go's http.Redirect, including its resolution of relative locations against the request path. */
export function redirect(req: http.IncomingMessage, res: http.ServerResponse, location: string, status: number): void {
  let target = location;
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(target) && !target.startsWith('//')) {
    const requestPath = requestUrl(req.url).pathname;
    const [pathPart = '', query] = splitOnce(target, '?');
    let resolved = pathPart;
    if (!resolved.startsWith('/')) resolved = `${requestPath.slice(0, requestPath.lastIndexOf('/') + 1)}${resolved}`;
    const trailing = resolved.endsWith('/');
    resolved = path.posix.normalize(resolved);
    if (trailing && !resolved.endsWith('/')) resolved += '/';
    target = query === undefined ? resolved : `${resolved}?${query}`;
  }
  res.setHeader('Location', target);
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(status);
    res.end();
    return;
  }
  const body = `<a href="${htmlEscape(target)}">${http.STATUS_CODES[status] ?? ''}</a>.\n\n`;
  send(res, status, body, 'text/html; charset=utf-8');
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new Error('http: request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

const formMethods = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Go's Request.FormValue sources: an url-encoded body (for POST, PUT, PATCH) takes precedence
 * over the query string.
 */
export async function readForm(req: http.IncomingMessage, url: URL): Promise<URLSearchParams> {
  const form = new URLSearchParams();
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (formMethods.has(req.method ?? '') && contentType === 'application/x-www-form-urlencoded') {
    const body = await readBody(req, 10 << 20);
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) form.append(key, value);
  }
  for (const [key, value] of url.searchParams) form.append(key, value);
  return form;
}

/** textproto.CanonicalMIMEHeaderKey: `x-forwarded-for` -> `X-Forwarded-For`. */
export function canonicalHeaderKey(key: string): string {
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
