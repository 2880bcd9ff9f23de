/**
 * `kubectl port-forward` on a real node: the portforward.k8s.io protocol over SPDY/3.1, either
 * on the upgraded HTTP connection itself (`Upgrade: SPDY/3.1`) or tunnelled in a WebSocket
 * (subprotocol `SPDY/3.1+portforward.k8s.io`, kubectl's default since 1.31). For each local
 * connection the client opens two streams with the same `requestid` and `port`: an error
 * stream (where the server writes why forwarding failed) and a data stream (the bytes). The
 * server connects to the port inside the pod and copies both ways. The older WebSocket channel
 * form (`v4.channel.k8s.io`, ports in the query), which the official client libraries speak,
 * is served too.
 */
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
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

/** The older WebSocket form (the official client libraries use it): one channel pair per port. */
const CHANNELS = ['v4.channel.k8s.io', 'channel.k8s.io'];

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => (offered.has(TUNNEL) ? TUNNEL : (CHANNELS.find((p) => offered.has(p)) ?? false)),
});

/**
 * portforward.k8s.io over WebSocket channels: the ports come in the query (`ports=80,443`);
 * port i has data channel 2i and error channel 2i+1, each opened by the server with a frame of
 * the port number (2 bytes, little-endian); every frame starts with its channel byte. One
 * connection per port; the session ends when they have.
 */
function serveChannels(ws: WebSocket, ports: number[], target: PortForwardTarget, log: Logger): void {
  const sockets: (net.Socket | undefined)[] = [];
  const pending: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  const closed = (): void => {
    open--;
    if (open <= 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    const portBytes = Buffer.from([port & 0xff, port >> 8]);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    target.connect(port).then(
      (socket) => {
        sockets[i] = socket;
        socket.on('data', (d: Buffer) => send(2 * i, d));
        socket.on('error', (err) => log.debug({ err: String(err), port }, 'port-forward connection failed'));
        socket.once('close', closed);
        for (const chunk of pending[i] ?? []) socket.write(chunk);
        pending[i] = [];
        socket.resume();
      },
      (err: unknown) => {
        send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${err instanceof Error ? err.message : String(err)}`));
        closed();
      },
    );
  });
  ws.on('message', (message: Buffer) => {
    const channel = message[0] ?? 255;
    if (channel % 2 !== 0 || channel / 2 >= ports.length) return;
    const i = channel / 2;
    const socket = sockets[i];
    if (socket) socket.write(message.subarray(1));
    else pending[i]?.push(Buffer.from(message.subarray(1)));
  });
  ws.on('close', () => {
    for (const s of sockets) s?.destroy();
  });
}

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
    if (!offered.includes(TUNNEL) && !CHANNELS.some((p) => offered.includes(p))) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nport-forward over WebSocket needs the subprotocol ${TUNNEL} or ${CHANNELS[0]}`);
      return;
    }
    const ports = new URL(req.url ?? '/', 'http://kubelet').searchParams.getAll('ports').flatMap((v) => v.split(',')).map(Number);
    if (!offered.includes(TUNNEL) && (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nport-forward over WebSocket channels needs ports=<port>[,<port>...] between 1 and 65535');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (ws.protocol !== TUNNEL) return serveChannels(ws, ports, target, log);
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
