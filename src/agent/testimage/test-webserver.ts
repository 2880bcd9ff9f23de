// `test-webserver`: serves any file of the filesystem named by the URL path, with agnhost's
// CORS and caching headers.
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseFlags, requireNoArgs } from './flags.js';
import type { Host } from './host.js';
import { cleanUrlPath, redirect, requestUrl, send } from './http-util.js';
import { listenTcp } from './listen.js';

export const testWebserverDefaults = { port: 80 };

const fixedHeaders: Record<string, string> = {
  'Cache-Control': 'private',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'DNT,X-Mx-ReqToken,Keep-Alive,User-Agent,X-Requested-With,Cache-Control,Content-Type',
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml',
};

function notFound(res: http.ServerResponse): void {
  send(res, 404, '404 page not found\n');
}

async function serveDirectory(dir: string, res: http.ServerResponse): Promise<void> {
  try {
    const index = await fs.readFile(path.join(dir, 'index.html'));
    return send(res, 200, index.toString('utf8'), contentTypes['.html']);
  } catch {
    const names = (await fs.readdir(dir, { withFileTypes: true }))
      .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name)).sort();
    const links = names.map((name) => `<a href="${encodeURI(name)}">${name}</a>\n`).join('');
    send(res, 200, `<pre>\n${links}</pre>\n`, contentTypes['.html']);
  }
}

/** Go's http.FileServer rooted at `/`, minus ranges and conditional requests. */
export async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, root: string): Promise<void> {
  for (const [name, value] of Object.entries(fixedHeaders)) res.setHeader(name, value);
  const urlPath = decodeURIComponent(requestUrl(req.url).pathname);
  const file = path.join(root, cleanUrlPath(urlPath));
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(file);
  } catch {
    return notFound(res);
  }
  if (stat.isDirectory()) {
    if (!urlPath.endsWith('/')) return redirect(req, res, `${path.posix.basename(urlPath)}/`, 301);
    return serveDirectory(file, res);
  }
  const body = await fs.readFile(file);
  res.setHeader('Content-Type', contentTypes[path.extname(file)] ?? 'application/octet-stream');
  res.setHeader('Last-Modified', stat.mtime.toUTCString());
  res.writeHead(200);
  res.end(body);
}

export async function runTestWebserver(argv: string[], host: Host): Promise<void> {
  const { flags, args } = parseFlags(argv, testWebserverDefaults);
  requireNoArgs(args, 'test-webserver');
  const server = http.createServer((req, res) => {
    serveFile(req, res, '/').catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
    });
  });
  host.log(`Serving files on port ${await listenTcp(server, flags.port)}`);
}
