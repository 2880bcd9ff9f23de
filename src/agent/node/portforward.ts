/**
 * `kubectl port-forward` on a real node: the portforward.k8s.io protocol over SPDY/3.1, either
 * on the upgraded HTTP connection itself (`Upgrade: SPDY/3.1`) or tunnelled in a WebSocket
 * (subprotocol `SPDY/3.1+portforward.k8s.io`, kubectl's default since 1.31). For each local
 * connection the client opens two streams with the same `requestid` and `port`: an error
 * stream (where the server writes why forwarding failed) and a data stream (the bytes). The
 * server connects to the port inside the pod and copies both ways.
 */
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from '../../lib/log.js';
import { SpdySession, type SpdyStream } from '../../lib/spdy.js';

const PROTOCOL = 'portforward.k8s.io';
const TUNNEL = `SPDY/3.1+${PROTOCOL}`;
/** How long the second stream of a pair may keep the first waiting (the kubelet allows 30 s). */
const PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardTarget {
  /** `<namespace>/<name>` and uid, for error messages. */
  pod: string;
  uid: string;
  /** A connection to the port inside the pod. */
  connect(port: number): Promise<net.Socket>;
}

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => (offered.has(TUNNEL) ? TUNNEL : false),
});

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** The request id the client gave; clients before requestid pair streams by id (error first). */
function requestIdOf(stream: SpdyStream): string {
  const given = stream.headers.requestid;
  if (given !== undefined) return given;
  return String(stream.headers.streamtype === 'data' ? stream.id - 2 : stream.id);
}

function forward(pair: Required<Omit<Pair, 'timer'>>, port: number, target: PortForwardTarget, log: Logger): void {
  const { data, error } = pair;
  const fail = (message: string): void => {
    error.end(`error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${message}`);
    data.end();
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`invalid port "${data.headers.port ?? ''}"`);
  target.connect(port).then(
    (socket) => {
      socket.on('error', (err) => {
        log.debug({ err: String(err), port }, 'port-forward connection failed');
        data.destroy();
      });
      data.on('error', () => socket.destroy());
      data.on('close', () => socket.destroy());
      socket.on('close', () => error.end());
      socket.pipe(data);
      data.pipe(socket);
      socket.resume();
    },
    (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
  );
}

function serveSession(transport: Duplex, target: PortForwardTarget, log: Logger): void {
  const session = new SpdySession(transport);
  const pairs = new Map<string, Pair>();
  session.on('stream', (stream) => {
    const type = stream.headers.streamtype;
    if (type !== 'data' && type !== 'error') {
      stream.reset();
      return;
    }
    void stream.reply();
    stream.on('error', () => undefined);
    const id = requestIdOf(stream);
    let pair = pairs.get(id);
    if (!pair) {
      pair = { timer: setTimeout(() => pairs.delete(id), PAIR_TIMEOUT_MS) };
      pair.timer.unref();
      pairs.set(id, pair);
    }
    pair[type] = stream;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      forward({ data: pair.data, error: pair.error }, Number(pair.data.headers.port), target, log);
    }
  });
  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });
}

/** Takes over an upgrade request for port-forward (already authorised). */
export function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, target: PortForwardTarget, log: Logger): void {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(TUNNEL)) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nport-forward over WebSocket needs the subprotocol ${TUNNEL}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => undefined);
      serveSession(stream, target, log);
    });
    return;
  }
  if (upgrade.startsWith('spdy/3.1')) {
    const offered = String(req.headers['x-stream-protocol-version'] ?? PROTOCOL).split(',').map((p) => p.trim());
    if (!offered.includes(PROTOCOL)) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nunable to upgrade: no common protocol version among ${offered.join(', ')}`);
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PROTOCOL}\r\n\r\n`);
    if (head.length > 0) socket.unshift(head);
    serveSession(socket, target, log);
    return;
  }
  socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nport-forward needs an upgrade to SPDY/3.1 or a WebSocket');
}
