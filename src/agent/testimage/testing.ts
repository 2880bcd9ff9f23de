// Test helpers: run the test image as a child process and talk to it over loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** The compiled entry beside the compiled tests, or the TypeScript source under tsx. */
function entryArgs(): string[] {
  const js = fileURLToPath(new URL('./main.js', import.meta.url));
  if (fs.existsSync(js)) return [js];
  return ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url))];
}

export interface TestImageChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr (the Go-style log). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the child by pid if it still runs. */
  stop(): void;
}

export function startTestImage(args: string[], env: Record<string, string> = {}): TestImageChild {
  const child = spawn(process.execPath, [...entryArgs(), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const waitFor = (which: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> => new Promise((resolve, reject) => {
    const stream = which === 'stdout' ? child.stdout : child.stderr;
    const text = (): string => (which === 'stdout' ? stdout : stderr);
    const check = (): boolean => {
      const match = pattern.exec(text());
      if (!match) return false;
      cleanup();
      resolve(match);
      return true;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} in ${which} after ${timeoutMs} ms:\n${text()}`));
    }, timeoutMs);
    const onExit = (): void => {
      if (check()) return;
      cleanup();
      reject(new Error(`exited before ${pattern}; ${which}:\n${text()}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      stream?.off('data', check);
      child.off('exit', onExit);
    };
    if (check()) return;
    stream?.on('data', check);
    child.on('exit', onExit);
  });
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  };
  return {
    child, stdout: () => stdout, stderr: () => stderr, exited, stop,
    waitForLog: (pattern, timeoutMs) => waitFor('stderr', pattern, timeoutMs),
    waitForStdout: (pattern, timeoutMs) => waitFor('stdout', pattern, timeoutMs),
  };
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request on a fresh connection (no keep-alive pool left behind). */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends one datagram to 127.0.0.1:port and resolves with the first reply. */
export function udpAsk(port: number, text: string, timeoutMs = 3000): Promise<{ reply: string; localPort: number }> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP reply to ${JSON.stringify(text)} from port ${port}`));
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      const localPort = socket.address().port;
      socket.close();
      resolve({ reply: msg.toString('utf8'), localPort });
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.send(text, port, '127.0.0.1');
  });
}

/** A port on 127.0.0.1 that nothing listens on (bound, read, released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
