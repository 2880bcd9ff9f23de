// `netexec`: agnhost's HTTP(S) + UDP test server (see README.md for the endpoints).
import type dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { parseFlags, requireNoArgs } from './flags.js';
import type { Host } from './host.js';
import { listenTcp } from './listen.js';
import { createNetexecListener, type ExitRequest, type NetexecState } from './netexec-routes.js';
import { parseListenAddresses, startUdpServer } from './netexec-udp.js';

export const netexecDefaults = {
  'http-port': 8080,
  'udp-port': 8081,
  'sctp-port': -1,
  'grpc-port': -1,
  'tls-cert-file': '',
  'tls-private-key-file': '',
  'http-override': '',
  'udp-listen-addresses': '',
  'delay-shutdown': 0,
};

/** Where /upload writes; agnhost hard-codes /uploads, Switchboard lets tests move it. */
export const uploadDirEnv = 'SWITCHBOARD_UPLOAD_DIR';

function createServer(certFile: string, keyFile: string): http.Server | https.Server {
  if (certFile === '') return http.createServer();
  return https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
}

interface Runtime {
  server: http.Server | https.Server;
  udpSockets: dgram.Socket[];
  httpPort: number;
  terminating: boolean;
  exiting: boolean;
}

function gracefulShutdown(runtime: Runtime, host: Host, request: ExitRequest): void {
  if (runtime.exiting) return;
  runtime.exiting = true;
  const finish = (outcome: string): void => {
    host.log(`Graceful shutdown completed with: ${outcome}`);
    host.exit(request.code);
  };
  const timer = setTimeout(() => finish('context deadline exceeded'), request.timeoutMs);
  runtime.server.close(() => {
    clearTimeout(timer);
    finish('<nil>');
  });
  // The connection carrying /exit becomes idle once its response is written.
  setImmediate(() => runtime.server.closeIdleConnections());
  runtime.server.on('request', (_req, res) => res.on('finish', () => runtime.server.closeIdleConnections()));
}

function buildState(runtime: Runtime, host: Host): NetexecState {
  return {
    httpPort: () => runtime.httpPort,
    hostname: () => os.hostname(),
    isUdpReady: () => runtime.udpSockets.length > 0,
    isTerminating: () => runtime.terminating,
    uploadDir: host.env[uploadDirEnv] ?? '/uploads',
    shellPath: '/bin/sh',
    log: (message) => host.log(message),
    exitNow: (code) => host.exit(code),
    shutdown: (request) => gracefulShutdown(runtime, host, request),
  };
}

function noteUnsupported(flags: typeof netexecDefaults, host: Host): void {
  if (flags['sctp-port'] !== -1) host.log(`SCTP is not supported by Switchboard: --sctp-port=${flags['sctp-port']} ignored`);
  if (flags['grpc-port'] !== -1) host.log(`gRPC is not supported by Switchboard: --grpc-port=${flags['grpc-port']} ignored`);
}

function handleSigterm(runtime: Runtime, host: Host, delaySeconds: number): void {
  if (runtime.terminating) return;
  runtime.terminating = true;
  if (delaySeconds <= 0) return host.exit(0);
  host.log(`Sleeping ${delaySeconds} seconds before terminating...`);
  setTimeout(() => host.exit(0), delaySeconds * 1000);
}

export async function runNetexec(argv: string[], host: Host): Promise<void> {
  const { flags, args } = parseFlags(argv, netexecDefaults);
  requireNoArgs(args, 'netexec');
  noteUnsupported(flags, host);
  const runtime: Runtime = {
    server: createServer(flags['tls-cert-file'], flags['tls-private-key-file']),
    udpSockets: [],
    httpPort: flags['http-port'],
    terminating: false,
    exiting: false,
  };
  host.onSignal('SIGTERM', () => handleSigterm(runtime, host, flags['delay-shutdown']));
  runtime.server.on('request', createNetexecListener(buildState(runtime, host), flags['http-override']));
  if (flags['udp-port'] !== -1) {
    for (const address of parseListenAddresses(flags['udp-listen-addresses'])) {
      const socket = await startUdpServer({ port: flags['udp-port'], address, host, hostname: () => os.hostname() });
      runtime.udpSockets.push(socket);
    }
  }
  runtime.httpPort = await listenTcp(runtime.server, flags['http-port']);
  host.log(`Started HTTP server on port ${runtime.httpPort}`);
}
