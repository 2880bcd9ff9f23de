// netexec's HTTP endpoints, routed like Go's ServeMux: exact paths, `/` catches the rest,
// unclean paths are redirected to their clean form.
import { spawn } from 'node:child_process';
import type http from 'node:http';
import { formatGoDuration, parseGoDuration, parseGoInt } from './flags.js';
import {
  canonicalHeaderKey, cleanUrlPath, goJson, httpError, readForm, redirect, requestUrl, send, sortedRecord,
} from './http-util.js';
import { joinHostPort } from './listen.js';
import { handleDial } from './netexec-dial.js';
import { handleUpload } from './netexec-upload.js';

export interface ExitRequest {
  code: number;
  timeoutMs: number;
  waitMs: number;
}

export interface NetexecState {
  httpPort(): number;
  hostname(): string;
  isUdpReady(): boolean;
  isTerminating(): boolean;
  uploadDir: string;
  shellPath: string;
  log(message: string): void;
  /** Exits at once (`/shutdown`, `/exit` with a zero timeout). */
  exitNow(code: number): void;
  /** Stops accepting, lets open requests finish within the timeout, then exits. */
  shutdown(request: ExitRequest): void;
}

interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  form: URLSearchParams;
  state: NetexecState;
}

type Route = (ctx: RouteContext) => void | Promise<void>;

const processStart = Date.now();

/** Go's `%v` of time.Now(): wall clock in UTC plus the monotonic reading. */
export function formatGoNow(now: Date): string {
  const iso = now.toISOString();
  const nanos = `${iso.slice(20, 23)}000000`;
  const monotonic = ((now.getTime() - processStart) / 1000).toFixed(9);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${nanos} +0000 UTC m=+${monotonic}`;
}

function formValue(form: URLSearchParams, key: string): string {
  return form.get(key) ?? '';
}

function echo({ res, form }: RouteContext): void {
  const msg = formValue(form, 'msg');
  const codeString = formValue(form, 'code');
  if (codeString === '') return send(res, 200, msg);
  const code = parseGoInt(codeString);
  if (code === undefined) return send(res, 200, `argument 'code' must be an integer or empty, got "${codeString}"\n`);
  // Go's WriteHeader panics on an invalid status; the connection is dropped.
  if (code < 100 || code > 999) return void res.socket?.destroy();
  send(res, code, msg);
}

function header({ req, res, form }: RouteContext): void {
  const key = formValue(form, 'key');
  if (key !== '') {
    const value = req.headersDistinct[key.toLowerCase()]?.[0] ?? '';
    return send(res, 200, value);
  }
  // Go keeps Host out of Request.Header.
  const entries = Object.entries(req.headersDistinct)
    .filter(([name]) => name !== 'host')
    .map(([name, values]): [string, string[]] => [canonicalHeaderKey(name), values ?? []]);
  send(res, 200, goJson(sortedRecord(entries)));
}

async function exit({ res, form, state }: RouteContext): Promise<void> {
  const [waitString, timeoutString, codeString] = ['wait', 'timeout', 'code'].map((k) => formValue(form, k));
  const timeoutMs = timeoutString === '' ? 0 : parseGoDuration(timeoutString ?? '');
  if (timeoutMs === undefined) return send(res, 200, `argument 'timeout' must be a valid golang duration or empty, got "${timeoutString}"\n`);
  const waitMs = waitString === '' ? 0 : parseGoDuration(waitString ?? '');
  if (waitMs === undefined) return send(res, 200, `argument 'wait' must be a valid golang duration or empty, got "${waitString}"\n`);
  const code = codeString === '' ? 0 : parseGoInt(codeString ?? '');
  if (code === undefined) return send(res, 200, `argument 'code' must be an integer [0-127] or empty, got "${codeString}"\n`);
  state.log(`Will begin shutdown in ${formatGoDuration(waitMs)}, allowing ${formatGoDuration(timeoutMs)} for connections to close, then will exit with ${code}`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
  if (timeoutMs <= 0) return state.exitNow(code);
  state.shutdown({ code, timeoutMs, waitMs });
  send(res, 200, '');
}

function healthz({ res, state }: RouteContext): void {
  send(res, state.isUdpReady() ? 200 : 412, '');
}

function readyz({ res, state }: RouteContext): void {
  if (state.isTerminating()) return send(res, 503, 'shutting down');
  if (state.isUdpReady()) return send(res, 200, 'ok');
  send(res, 412, '');
}

/** The Go error text of a finished command, as exec.ExitError prints it. */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string | undefined {
  const signalNames: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed', SIGTERM: 'terminated', SIGINT: 'interrupt', SIGSEGV: 'segmentation fault', SIGPIPE: 'broken pipe',
  };
  if (signal !== null) return `signal: ${signalNames[signal] ?? signal}`;
  return code === 0 || code === null ? undefined : `exit status ${code}`;
}

function runShell(shellPath: string, command: string): Promise<{ output: string; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(shellPath, ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (err) => resolve({ output: '', error: `fork/exec ${shellPath}: ${err.message}` }));
    child.on('close', (code, signal) => {
      resolve({ output: Buffer.concat(chunks).toString('utf8'), error: describeExit(code, signal) });
    });
  });
}

async function shell({ res, form, state }: RouteContext): Promise<void> {
  const command = formValue(form, 'shellCommand') || formValue(form, 'cmd');
  state.log(`GET /shell?cmd=${command}`);
  const result = await runShell(state.shellPath, command);
  const output: Record<string, string> = {};
  if (result.error !== undefined) output['error'] = result.error;
  if (result.output.length > 0) output['output'] = result.output;
  send(res, 200, goJson(output));
}

const routes: Record<string, Route> = {
  '/': ({ res }) => send(res, 200, `NOW: ${formatGoNow(new Date())}`),
  '/clientip': ({ req, res }) => send(res, 200, joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0)),
  '/serverport': ({ res, state }) => send(res, 200, String(state.httpPort())),
  '/header': header,
  '/dial': ({ res, url }) => handleDial({
    host: url.searchParams.get('host') ?? '',
    port: url.searchParams.get('port') ?? '',
    request: url.searchParams.get('request') ?? '',
    protocol: url.searchParams.get('protocol') ?? '',
    tries: url.searchParams.get('tries') ?? '',
  }, res),
  '/echo': echo,
  '/exit': exit,
  '/healthz': healthz,
  '/readyz': readyz,
  '/hostname': ({ res, state }) => send(res, 200, state.hostname()),
  '/hostName': ({ res, state }) => send(res, 200, state.hostname()),
  '/redirect': ({ req, res, form }) => {
    const codeString = formValue(form, 'code');
    const code = codeString === '' ? 302 : parseGoInt(codeString);
    if (code === undefined) return send(res, 200, `argument 'code' must be an integer or empty, got "${codeString}"\n`);
    redirect(req, res, formValue(form, 'location'), code);
  },
  '/shell': shell,
  '/upload': ({ req, res, state }) => handleUpload(req, res, state.uploadDir),
  '/shutdown': ({ state }) => state.exitNow(0),
};

/** The request listener; with `override`, every request is served as `GET <override>`. */
export function createNetexecListener(state: NetexecState, override: string): http.RequestListener {
  return (req, res) => {
    const url = requestUrl(override !== '' ? override : req.url ?? '/');
    const cleaned = cleanUrlPath(url.pathname);
    if (cleaned !== url.pathname && req.method !== 'CONNECT') {
      return redirect(req, res, `${cleaned}${url.search}`, 301);
    }
    const route = routes[url.pathname] ?? routes['/'];
    const serve = async (): Promise<void> => {
      const form = override !== '' ? url.searchParams : await readForm(req, url);
      await route?.({ req, res, url, form, state });
    };
    serve().catch((err: unknown) => {
      state.log(`handler for ${url.pathname} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) httpError(res, 'Internal Server Error', 500);
      else res.destroy();
    });
  };
}
