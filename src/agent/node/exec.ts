/**
 * `kubectl exec` and `kubectl attach` on a real node: the remotecommand protocol over WebSocket
 * (`v5.channel.k8s.io`, or v4): each binary frame starts with its channel (0 stdin, 1 stdout,
 * 2 stderr, 3 status, 4 resize; v5 adds 255 to close a channel); or over SPDY/3.1
 * (`v4.channel.k8s.io`, one stream per channel), which clients fall back to. The command runs inside the
 * container's namespaces (nsenter into its process) with the container's environment and
 * working directory; with a TTY it runs under `script`, which gives it a terminal.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readlinkSync, readSync, statSync, writeSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../lib/log.js';
import { SpdySession, type SpdyStream } from '../../lib/spdy.js';
import { shellQuote } from '../../lib/shell.js';
import { environmentOf } from '../runtime/container.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

export interface ExecRequest {
  pid: number;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
});


function cwdOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return '/';
  }
}


function status(exitCode: number, signal: string | null): string {
  if (exitCode === 0 && !signal) return JSON.stringify({ metadata: {}, status: 'Success' });
  const code = exitCode || 128;
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${signal ? `killed by ${signal}` : `exit status ${code}`}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  });
}

export interface AttachRequest {
  /** The container's stdin FIFO, when it has `stdin: true` and the client sends stdin. */
  stdinPath?: string;
  /** The container's current log file: what it writes from now on is streamed. */
  logPath: string;
  isRunning(): boolean;
}

/**
 * The streams of one exec or attach, whatever carries them: WebSocket channels (v5/v4) or SPDY
 * streams (remotecommand v4, what clients use when WebSockets are off or refused).
 */
interface Streams {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Sends the final status (a metav1.Status as JSON) and ends the session. */
  finish(statusJson: string): void;
  onStdin?: (data: Buffer) => void;
  onStdinEnd?: () => void;
  /** The client went away. */
  onGone?: () => void;
}

/** WebSocket channels: each binary message starts with its channel number. */
function webSocketStreams(ws: WebSocket): Streams {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const send = (channel: number, data: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
  };
  const streams: Streams = {
    stdout: (d) => send(STDOUT, d),
    stderr: (d) => send(STDERR, d),
    finish: (json) => {
      send(STATUS, json);
      ws.close(1000);
    },
  };
  ws.on('message', (data: Buffer) => {
    const channel = data[0];
    if (channel === STDIN) streams.onStdin?.(data.subarray(1));
    else if (v5 && channel === CLOSE && data[1] === STDIN) streams.onStdinEnd?.();
    // Resize (4) is not applied: `script` keeps its terminal's first size.
  });
  ws.on('close', () => streams.onGone?.());
  return streams;
}

const SPDY_PROTOCOL = 'v4.channel.k8s.io';
const STREAM_WAIT_MS = 30_000;

/**
 * SPDY/3.1 streams (remotecommand v4): the client opens an `error` stream and one per standard
 * stream it asked for (`stdin`, `stdout`, `stderr`, `resize` with a TTY); the command runs once
 * all have arrived, and the status goes back on `error`.
 */
function spdyStreams(req: IncomingMessage, socket: Duplex, head: Buffer, want: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }, ready: (s: Streams) => void): void {
  const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(SPDY_PROTOCOL)) {
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nunable to upgrade: no common protocol version among ${offered.join(', ')}`);
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${SPDY_PROTOCOL}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
  const session = new SpdySession(socket);
  const got = new Map<string, SpdyStream>();
  const needed = ['error', ...(want.stdin ? ['stdin'] : []), ...(want.stdout ? ['stdout'] : []), ...(want.stderr && !want.tty ? ['stderr'] : []), ...(want.tty ? ['resize'] : [])];
  const timer = setTimeout(() => session.close(), STREAM_WAIT_MS);
  session.on('stream', (stream) => {
    const type = stream.headers.streamtype ?? '';
    void stream.reply();
    stream.on('error', () => undefined);
    got.set(type, stream);
    if (type === 'resize') stream.resume();
    if (!needed.every((t) => got.has(t))) return;
    clearTimeout(timer);
    const write = (type: string, d: Buffer): void => {
      const s = got.get(type);
      if (s && !s.writableEnded) s.write(d);
    };
    const streams: Streams = {
      stdout: (d) => write('stdout', d),
      stderr: (d) => write('stderr', d),
      finish: (json) => {
        const error = got.get('error');
        // v4 sends the status only for a failure; success is an empty error stream.
        if (error && JSON.parse(json).status !== 'Success') error.write(json);
        for (const s of got.values()) if (!s.writableEnded) s.end();
        setTimeout(() => session.close(), 100).unref();
      },
    };
    const stdin = got.get('stdin');
    stdin?.on('data', (d: Buffer) => streams.onStdin?.(d));
    stdin?.on('end', () => streams.onStdinEnd?.());
    session.on('close', () => streams.onGone?.());
    ready(streams);
  });
  session.on('close', () => clearTimeout(timer));
}

/** Runs `start` with the session's streams, over whichever transport the client upgraded to. */
function withStreams(req: IncomingMessage, socket: Duplex, head: Buffer, want: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }, start: (s: Streams) => void): void {
  if (String(req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/')) return spdyStreams(req, socket, head, want, start);
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => start(webSocketStreams(ws)));
}

function wanted(req: IncomingMessage, stdin: boolean, tty: boolean): { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  const q = new URL(req.url ?? '/', 'http://kubelet').searchParams;
  return { stdin, tty, stdout: q.get('stdout') !== 'false', stderr: q.get('stderr') !== 'false' };
}

/**
 * `kubectl attach` (and `kubectl run -i`): stdin goes into the container's stdin FIFO, and
 * what the container writes to its log from now on comes back on stdout, until it exits.
 */
export function serveAttach(req: IncomingMessage, socket: Duplex, head: Buffer, attach: AttachRequest, log: Logger): void {
  const tty = new URL(req.url ?? '/', 'http://kubelet').searchParams.get('tty') === 'true';
  withStreams(req, socket, head, wanted(req, attach.stdinPath !== undefined, tty), (streams) => {
    let stdin = attach.stdinPath ? openSync(attach.stdinPath, 'a') : undefined;
    const closeStdin = (): void => {
      if (stdin !== undefined) closeSync(stdin);
      stdin = undefined;
    };
    streams.onStdin = (data) => {
      if (stdin !== undefined) writeSync(stdin, data);
    };
    let offset = statSync(attach.logPath).size;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      closeStdin();
      streams.finish(status(0, null));
    };
    const timer = setInterval(() => {
      try {
        const size = statSync(attach.logPath).size;
        if (size > offset) {
          const chunk = Buffer.alloc(size - offset);
          const fd = openSync(attach.logPath, 'r');
          readSync(fd, chunk, 0, chunk.length, offset);
          closeSync(fd);
          offset = size;
          streams.stdout(chunk);
        } else if (!attach.isRunning()) {
          finish();
        }
      } catch (err) {
        log.debug({ err: String(err) }, 'attach stream ended');
        finish();
      }
    }, 50);
    streams.onGone = () => {
      done = true;
      clearInterval(timer);
      closeStdin();
    };
  });
}

/** Answers the upgrade and runs the command; the session ends with its exit status. */
export function serveExec(req: IncomingMessage, socket: Duplex, head: Buffer, exec: ExecRequest, log: Logger): void {
  withStreams(req, socket, head, wanted(req, exec.stdin, exec.tty), (streams) => {
    const line = exec.command.map(shellQuote).join(' ');
    const argv = exec.tty ? ['script', '-qfec', line, '/dev/null'] : exec.command;
    const child = spawn('nsenter', ['-t', String(exec.pid), '--net', '--uts', '--mount', '--', ...argv], {
      env: { ...environmentOf(exec.pid), ...(exec.tty ? { TERM: 'xterm' } : {}) },
      cwd: cwdOf(exec.pid),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => streams.stdout(d));
    child.stderr.on('data', (d: Buffer) => streams.stderr(d));
    child.stdin.on('error', () => undefined);
    if (!exec.stdin) child.stdin.end();
    streams.onStdin = (data) => child.stdin.write(data);
    streams.onStdinEnd = () => child.stdin.end();
    streams.onGone = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    child.on('error', (err) => streams.finish(JSON.stringify({ metadata: {}, status: 'Failure', message: `exec failed: ${err.message}`, reason: 'InternalError' })));
    child.on('close', (code, signal) => {
      streams.finish(status(code ?? 0, signal));
      log.debug({ command: exec.command, code }, 'exec finished');
    });
  });
}
