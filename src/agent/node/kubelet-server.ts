/**
 * The node agent's own HTTP endpoint, the part of the kubelet API the API server proxies to:
 * `GET /containerLogs/{namespace}/{pod}/{container}` with the kubelet's query parameters
 * (follow, tailLines, previous, sinceSeconds, limitBytes). It listens on host loopback with a
 * bearer token; the Node's `switchboard.io/kubelet-endpoint` annotation tells the API server
 * where (the sandbox's node addresses are not reachable from the host).
 */
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../lib/log.js';
import { streamLog } from './logs.js';
import { indexPathOf } from '../runtime/container.js';
import { serveAttach, serveExec } from './exec.js';
import { servePortForward } from './portforward.js';
import type { Duplex } from 'node:stream';
import type net from 'node:net';

export { kubeletEndpointAnnotation, kubeletTokenAnnotation } from '../../api/node-annotations.js';

export interface KubeletServerDeps {
  /** `<podsDir>/<uid>/<container>/<restartCount>.log` */
  podsDir: string;
  /** The uid of a pod this agent knows, by namespace and name. */
  uidOf(namespace: string, name: string): string | undefined;
  /** True while the container may still write (for follow). */
  isRunning(uid: string, container: string): boolean;
  /** The pid of a running container (exec enters its namespaces). */
  pidOf(uid: string, container: string): number | undefined;
  /** A TCP connection from the pod's node to the pod's IP (the pods proxy). */
  connectToPod(uid: string, port: number): Promise<net.Socket>;
  /** A TCP connection to 127.0.0.1:port inside the pod's own network namespace (port-forward). */
  connectToPodLoopback?(uid: string, port: number): Promise<net.Socket>;
  log: Logger;
}

export interface KubeletServer {
  /** `host:port` and token, for the Node annotation. */
  endpoint: string;
  token: string;
  close(): Promise<void>;
}

function fail(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

/** Log files of a container, oldest restart first. */
function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d+\.log$/.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((f) => join(dir, f));
}

/** Forwards one HTTP request to the pod's IP and port, from its node. */
function proxyToPod(req: http.IncomingMessage, res: http.ServerResponse, url: URL, m: RegExpExecArray, deps: KubeletServerDeps): void {
  const [, ns = '', pod = '', port = '0', path = '/'] = m;
  const uid = deps.uidOf(decodeURIComponent(ns), decodeURIComponent(pod));
  if (!uid) return fail(res, 404, `pod "${pod}" in namespace "${ns}" is not on this node`);
  deps.connectToPod(uid, Number(port)).then(
    (socket) => {
      const headers = { ...req.headers };
      delete headers.authorization;
      const upstream = http.request({ method: req.method, path: `${path}${url.search}`, headers, createConnection: () => socket }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', (err) => (res.headersSent ? res.destroy() : fail(res, 502, `error trying to reach service: ${err.message}`)));
      req.pipe(upstream);
    },
    (err: unknown) => fail(res, 503, `error trying to reach service: ${err instanceof Error ? err.message : String(err)}`),
  );
}

export async function startKubeletServer(deps: KubeletServerDeps): Promise<KubeletServer> {
  const token = randomBytes(24).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return fail(res, 401, 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const proxy = /^\/podProxy\/([^/]+)\/([^/]+)\/(\d+)(\/.*)?$/.exec(url.pathname);
    if (proxy) return proxyToPod(req, res, url, proxy, deps);
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return fail(res, 404, 'not found');
    const [, ns = '', pod = '', container = ''] = m.map(decodeURIComponent);
    const uid = deps.uidOf(ns, pod);
    if (!uid) return fail(res, 404, `pod "${pod}" in namespace "${ns}" is not on this node`);
    const files = logFiles(join(deps.podsDir, uid, container));
    const previous = url.searchParams.get('previous') === 'true';
    const file = previous ? files[files.length - 2] : files[files.length - 1];
    if (!file) {
      return previous
        ? fail(res, 400, `previous terminated container "${container}" in pod "${pod}" not found`)
        : fail(res, 400, `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
    }
    const num = (name: string): number | undefined => {
      const v = url.searchParams.get(name);
      return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
    };
    const sinceSeconds = num('sinceSeconds');
    const sinceTime = Date.parse(url.searchParams.get('sinceTime') ?? '');
    const sinceMs = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : Number.isNaN(sinceTime) ? undefined : sinceTime;
    const follow = url.searchParams.get('follow') === 'true' && !previous;
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
    streamLog({
      file,
      res,
      follow,
      tailLines: num('tailLines'),
      limitBytes: num('limitBytes'),
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      timestamps: url.searchParams.get('timestamps') === 'true',
      indexFile: indexPathOf(file),
      stillWriting: () => deps.isRunning(uid, container) && logFiles(join(deps.podsDir, uid, container)).at(-1) === file,
    }).catch((err: unknown) => {
      deps.log.debug({ err: String(err) }, 'log stream ended with an error');
      res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (code: number, message: string): void => {
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? ''}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}`);
    };
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return refuse(401, 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const pf = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (pf) {
      const [, ns = '', pod = ''] = pf.map(decodeURIComponent);
      const uid = deps.uidOf(ns, pod);
      if (!uid) return refuse(404, `pod "${pod}" in namespace "${ns}" is not on this node`);
      // Like the kubelet, a port is reached inside the pod: its IP first, then its loopback
      // (a server bound to 127.0.0.1 only).
      const connect = (port: number): Promise<net.Socket> =>
        deps.connectToPod(uid, port).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ECONNREFUSED' || !deps.connectToPodLoopback) throw err;
          return deps.connectToPodLoopback(uid, port);
        });
      return servePortForward(req, socket, head, { pod: `${ns}/${pod}`, uid, connect }, deps.log);
    }
    const m = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) return refuse(404, 'not found');
    const [, verb = '', ns = '', pod = '', container = ''] = m.map(decodeURIComponent);
    const uid = deps.uidOf(ns, pod);
    const pid = uid ? deps.pidOf(uid, container) : undefined;
    if (!uid) return refuse(404, `pod "${pod}" in namespace "${ns}" is not on this node`);
    if (pid === undefined) return refuse(400, `container ${container} is not running in pod ${pod}`);
    if (verb === 'attach') {
      const files = logFiles(join(deps.podsDir, uid, container));
      const logPath = files[files.length - 1];
      if (!logPath) return refuse(400, `container ${container} is not running in pod ${pod}`);
      const wantsStdin = url.searchParams.get('stdin') === 'true';
      const stdinPath = join(deps.podsDir, uid, container, 'stdin');
      if (wantsStdin && !existsSync(stdinPath)) return refuse(400, `container ${container} in pod ${pod} does not take stdin (set stdin: true)`);
      return serveAttach(req, socket, head, { ...(wantsStdin ? { stdinPath } : {}), logPath, isRunning: () => deps.pidOf(uid, container) !== undefined }, deps.log);
    }
    const command = url.searchParams.getAll('command');
    if (command.length === 0) return refuse(400, 'you must specify at least one command for the container');
    serveExec(req, socket, head, { pid, command, stdin: url.searchParams.get('stdin') === 'true', tty: url.searchParams.get('tty') === 'true' }, deps.log);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
