// `tutorial-backend`: Switchboard's own backend for the Services walkthrough (scenario S1):
// GET /healthy and GET /host_name as JSON on port 5000, graceful stop on SIGTERM/SIGINT.
import http from 'node:http';
import os from 'node:os';
import { parseFlags, requireNoArgs } from './flags.js';
import type { Host } from './host.js';
import { goJson, requestUrl, send } from './http-util.js';
import { listenTcp } from './listen.js';

export const tutorialBackendDefaults = { port: 5000 };

/** How long open requests may take to finish after a stop signal. */
const stopGraceMs = 5000;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, goJson(body), 'application/json');
}

export function createTutorialBackendListener(hostname: () => string): http.RequestListener {
  return (req, res) => {
    const { pathname } = requestUrl(req.url);
    const method = req.method ?? 'GET';
    const known = pathname === '/healthy' || pathname === '/host_name';
    if (!known) return json(res, 404, { error: 'not found' });
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, { error: 'method not allowed' });
    }
    if (pathname === '/healthy') return json(res, 200, { healthy: true });
    json(res, 200, { host_name: hostname() });
  };
}

function stopGracefully(server: http.Server, host: Host, signal: string): void {
  host.log(`Received ${signal}, closing the server`);
  const timer = setTimeout(() => {
    server.closeAllConnections();
    host.exit(0);
  }, stopGraceMs);
  server.close(() => {
    clearTimeout(timer);
    host.exit(0);
  });
  server.closeIdleConnections();
}

export async function runTutorialBackend(argv: string[], host: Host): Promise<void> {
  const { flags, args } = parseFlags(argv, tutorialBackendDefaults);
  requireNoArgs(args, 'tutorial-backend');
  const listener = createTutorialBackendListener(() => os.hostname());
  let stopping = false;
  const server = http.createServer((req, res) => {
    // Requests still arriving on a kept-alive connection after the signal get `Connection: close`.
    if (stopping) res.setHeader('Connection', 'close');
    listener(req, res);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    host.onSignal(signal, () => {
      if (stopping) return;
      stopping = true;
      stopGracefully(server, host, signal);
    });
  }
  host.log(`tutorial-backend listening on port ${await listenTcp(server, flags.port)}`);
}
