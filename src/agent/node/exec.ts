/**
 * `kubectl exec` and `kubectl attach` on a real node: the remotecommand protocol over WebSocket
 * (`v5.channel.k8s.io`, or v4): each binary frame starts with its channel (0 stdin, 1 stdout,
 * 2 stderr, 3 status, 4 resize; v5 adds 255 to close a channel). The command runs inside the
 * container's namespaces (nsenter into its process) with the container's environment and
 * working directory; with a TTY it runs under `script`, which gives it a terminal.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, readSync, statSync, writeSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../lib/log.js';
import { shellQuote } from '../../lib/shell.js';

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

/** The container's environment, read from its process (what the kubelet gives exec). */
function environOf(pid: number): Record<string, string> {
  try {
    const env: Record<string, string> = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  } catch {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  }
}

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
 * `kubectl attach` (and `kubectl run -i`): stdin frames go into the container's stdin FIFO,
 * and what the container writes to its log from now on comes back on stdout, until it exits.
 */
export function serveAttach(req: IncomingMessage, socket: Duplex, head: Buffer, attach: AttachRequest, log: Logger): void {
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    };
    let stdin = attach.stdinPath ? openSync(attach.stdinPath, 'a') : undefined;
    const closeStdin = (): void => {
      if (stdin !== undefined) closeSync(stdin);
      stdin = undefined;
    };
    ws.on('message', (data: Buffer) => {
      if (data[0] === STDIN && stdin !== undefined) writeSync(stdin, data.subarray(1));
    });
    let offset = statSync(attach.logPath).size;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      closeStdin();
      send(STATUS, status(0, null));
      ws.close(1000);
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
          send(STDOUT, chunk);
        } else if (!attach.isRunning()) {
          finish();
        }
      } catch (err) {
        log.debug({ err: String(err) }, 'attach stream ended');
        finish();
      }
    }, 50);
    ws.on('close', () => {
      done = true;
      clearInterval(timer);
      closeStdin();
    });
  });
}

/** Answers the WebSocket upgrade and runs the command; the stream ends with its exit status. */
export function serveExec(req: IncomingMessage, socket: Duplex, head: Buffer, exec: ExecRequest, log: Logger): void {
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const line = exec.command.map(shellQuote).join(' ');
    const argv = exec.tty ? ['script', '-qfec', line, '/dev/null'] : exec.command;
    const child = spawn('nsenter', ['-t', String(exec.pid), '--net', '--uts', '--mount', '--', ...argv], {
      env: { ...environOf(exec.pid), ...(exec.tty ? { TERM: 'xterm' } : {}) },
      cwd: cwdOf(exec.pid),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    };
    child.stdout.on('data', (d: Buffer) => send(STDOUT, d));
    child.stderr.on('data', (d: Buffer) => send(STDERR, d));
    child.stdin.on('error', () => undefined);
    if (!exec.stdin) child.stdin.end();
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      if (channel === STDIN) child.stdin.write(data.subarray(1));
      else if (v5 && channel === CLOSE && data[1] === STDIN) child.stdin.end();
      // Resize (4) is not applied: `script` keeps its terminal's first size.
    });
    ws.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', (err) => {
      send(STATUS, JSON.stringify({ metadata: {}, status: 'Failure', message: `exec failed: ${err.message}`, reason: 'InternalError' }));
      ws.close(1000);
    });
    child.on('close', (code, signal) => {
      send(STATUS, status(code ?? 0, signal));
      ws.close(1000);
      log.debug({ command: exec.command, code }, 'exec finished');
    });
  });
}
