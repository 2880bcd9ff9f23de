// `liveness`: healthy (`/healthz` 200) for 10 seconds after start, 500 afterwards.
import http from 'node:http';
import { parseFlags, parseGoInt, requireNoArgs } from './flags.js';
import type { Host } from './host.js';
import { formatGoDuration } from './flags.js';
import { httpError, redirect, requestUrl, send } from './http-util.js';
import { listenTcp } from './listen.js';

/** `--port` is a Switchboard extension; agnhost always listens on 8080. */
export const livenessDefaults = { port: 8080 };

const healthyForSeconds = 10;

interface LivenessParams {
  code: number;
  sleepSeconds: number;
}

function parseParams(url: URL): LivenessParams | string {
  const code = parseGoInt(url.searchParams.get('code') || '500');
  const sleepSeconds = parseGoInt(url.searchParams.get('time') || '0');
  if (code === undefined) return "parameter 'code' is invalid";
  if (sleepSeconds === undefined) return "parameter 'time' is invalid";
  return { code, sleepSeconds };
}

function sleepHeaders(url: URL, res: http.ServerResponse): void {
  const params = parseParams(url);
  if (typeof params === 'string') return httpError(res, params, 400);
  setTimeout(() => send(res, params.code, `Slept for ${params.sleepSeconds} secs\n`), params.sleepSeconds * 1000);
}

export function createLivenessListener(startedAt: number, now: () => number): http.RequestListener {
  return (req, res) => {
    const url = requestUrl(req.url);
    const elapsedSeconds = (now() - startedAt) / 1000;
    switch (url.pathname) {
      case '/started':
        return send(res, 200, formatGoDuration(now() - startedAt));
      case '/healthz':
        return elapsedSeconds > healthyForSeconds ? send(res, 500, `error: ${elapsedSeconds}`) : send(res, 200, 'ok');
      case '/redirect':
        return redirect(req, res, url.searchParams.get('loc') ?? '', 302);
      case '/sleep-headers':
        return sleepHeaders(url, res);
      case '/disconnect-headers':
        return void req.socket.destroy();
      default:
        return send(res, 404, '404 page not found\n');
    }
  };
}

export async function runLiveness(argv: string[], host: Host): Promise<void> {
  const { flags, args } = parseFlags(argv, livenessDefaults);
  requireNoArgs(args, 'liveness');
  const server = http.createServer(createLivenessListener(Date.now(), Date.now));
  host.log(`Started liveness server on port ${await listenTcp(server, flags.port)}`);
}
