// `serve-hostname`: the hostname over HTTP (default), or raw over TCP and/or UDP.
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { FlagError, parseFlags, requireNoArgs } from './flags.js';
import type { Host } from './host.js';
import { bindUdp, joinHostPort, listenTcp } from './listen.js';
import { send } from './http-util.js';

export const serveHostnameDefaults = { tcp: false, udp: false, http: true, close: false, port: 9376 };

/** agnhost keeps serving this long after SIGTERM ("Awaiting pod deletion"), then exits 0. */
const afterSigtermMs = 60_000;

async function serveTcp(port: number, hostname: string, host: Host): Promise<number> {
  const server = net.createServer((socket) => {
    host.log(`TCP request from ${joinHostPort(socket.remoteAddress ?? '', socket.remotePort ?? 0)}`);
    socket.end(hostname);
  });
  return listenTcp(server, port);
}

async function serveUdp(port: number, hostname: string, host: Host): Promise<number> {
  const socket = await bindUdp(port);
  socket.on('message', (_msg, rinfo) => {
    host.log(`UDP request from ${joinHostPort(rinfo.address, rinfo.port)}`);
    socket.send(hostname, rinfo.port, rinfo.address);
  });
  return socket.address().port;
}

async function serveHttp(port: number, hostname: string, options: { close: boolean; host: Host }): Promise<number> {
  const server = http.createServer((req, res) => {
    options.host.log(`HTTP request from ${joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0)}`);
    if (options.close) res.setHeader('Connection', 'close');
    send(res, 200, hostname);
  });
  return listenTcp(server, port);
}

export async function runServeHostname(argv: string[], host: Host): Promise<void> {
  const { flags, args } = parseFlags(argv, serveHostnameDefaults);
  requireNoArgs(args, 'serve-hostname');
  if (flags.http && (flags.tcp || flags.udp)) {
    throw new FlagError("Can't server TCP/UDP mode and HTTP mode at the same time");
  }
  host.onSignal('SIGTERM', () => {
    host.log('Shutting down after receiving signal: terminated.');
    host.log('Awaiting pod deletion.');
    setTimeout(() => host.exit(0), afterSigtermMs);
  });
  const hostname = os.hostname();
  const ports: number[] = [];
  if (flags.tcp) ports.push(await serveTcp(flags.port, hostname, host));
  // With port 0 (a Switchboard extension) UDP shares the TCP port number when TCP is on too.
  const udpPort = flags.tcp && flags.port === 0 ? (ports[0] ?? 0) : flags.port;
  if (flags.udp) ports.push(await serveUdp(udpPort, hostname, host));
  if (flags.http) ports.push(await serveHttp(flags.port, hostname, { close: flags.close, host }));
  host.log(`Serving on port ${ports[0] ?? flags.port}.`);
}
