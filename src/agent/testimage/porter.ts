// `porter`: serves the value of each SERVE_PORT_<n> (and SERVE_TCP_PORT_<n>,
// SERVE_UDP_PORT_<n>, SERVE_TLS_PORT_<n>) environment variable on port <n>.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { parseFlags, requireNoArgs } from './flags.js';
import type { Host } from './host.js';
import { goJson, send } from './http-util.js';
import { bindUdp, listenTcp } from './listen.js';

export const porterDefaults = { 'json-response': false };

export type PorterKind = 'tcp' | 'udp' | 'tls' | 'sctp';

export interface PorterListener {
  kind: PorterKind;
  /** The text after the prefix; agnhost passes it to Listen unchecked. */
  port: string;
  value: string;
  variable: string;
}

const prefixes: Array<[string, PorterKind]> = [
  ['SERVE_PORT_', 'tcp'],
  ['SERVE_TCP_PORT_', 'tcp'],
  ['SERVE_UDP_PORT_', 'udp'],
  ['SERVE_SCTP_PORT_', 'sctp'],
  ['SERVE_TLS_PORT_', 'tls'],
];

export function listPorterListeners(env: Readonly<Record<string, string | undefined>>): PorterListener[] {
  const listeners: PorterListener[] = [];
  for (const [variable, value] of Object.entries(env)) {
    const match = prefixes.find(([prefix]) => variable.startsWith(prefix));
    if (match === undefined || value === undefined) continue;
    listeners.push({ kind: match[1], port: variable.slice(match[0].length), value, variable });
  }
  return listeners;
}

function respond(value: string, json: boolean): http.RequestListener {
  return (req, res) => {
    if (!json) return send(res, 200, value);
    send(res, 200, goJson({ Method: req.method ?? '', Body: value }), 'application/json');
  };
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new Error(`listen tcp: address ${text}: invalid port`);
  return Number(text);
}

async function serveOne(listener: PorterListener, options: { json: boolean; host: Host }): Promise<number> {
  const { host } = options;
  const port = parsePort(listener.port);
  switch (listener.kind) {
    case 'tcp':
      return listenTcp(http.createServer(respond(listener.value, options.json)), port, '0.0.0.0');
    case 'tls': {
      const certFile = host.env['CERT_FILE'] || 'localhost.crt';
      const keyFile = host.env['KEY_FILE'] || 'localhost.key';
      const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
      server.on('request', respond(listener.value, options.json));
      return listenTcp(server, port, '0.0.0.0');
    }
    case 'udp': {
      const socket = await bindUdp(port, '0.0.0.0');
      socket.on('message', (_msg, rinfo) => socket.send(listener.value, rinfo.port, rinfo.address));
      return socket.address().port;
    }
    case 'sctp':
      throw new Error('SCTP is not supported by Switchboard');
  }
}

export async function runPorter(argv: string[], host: Host): Promise<void> {
  const { flags, args } = parseFlags(argv, porterDefaults);
  requireNoArgs(args, 'porter');
  // Like agnhost, a listener that fails is logged and the others keep serving.
  await Promise.all(listPorterListeners(host.env).map(async (listener) => {
    try {
      const port = await serveOne(listener, { json: flags['json-response'], host });
      host.log(`Serving ${listener.variable} on ${listener.kind} port ${port}`);
    } catch (err) {
      host.log(`server for ${listener.variable} on port "${listener.port}" failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }));
  // agnhost blocks forever (`select {}`); an open handle keeps the event loop alive.
  setInterval(() => undefined, 1 << 30);
}

