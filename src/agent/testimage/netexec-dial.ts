// netexec's /dial: netexec dials another server `tries` times over HTTP or UDP and reports
// what came back. The output quirks are agnhost's, kept because e2e tests parse them.
import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import { parseGoInt } from './flags.js';
import { goJson, httpError, send } from './http-util.js';
import { joinHostPort } from './listen.js';

/** Go's http.Client timeout and UDP read deadline in agnhost's dialers. */
const dialTimeoutMs = 5000;
const maxRedirects = 10;
const udpBufferSize = 2048;

export interface DialTarget {
  ip: string;
  port: number;
}

export interface DialQuery {
  host: string;
  port: string;
  request: string;
  protocol: string;
  tries: string;
}

export type Dialer = (request: string, target: DialTarget) => Promise<string>;

function errorCode(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : '';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Go's net.ResolveTCPAddr: numeric or empty port, host resolved (IPv4 preferred). */
export async function resolveTarget(host: string, port: string): Promise<DialTarget> {
  const portNumber = port === '' ? 0 : parseGoInt(port);
  if (portNumber === undefined) throw new Error(`lookup tcp/${port}: unknown port`);
  if (portNumber < 0 || portNumber > 65535) throw new Error(`address ${port}: invalid port`);
  if (host === '') return { ip: '127.0.0.1', port: portNumber };
  if (net.isIP(host) !== 0) return { ip: host, port: portNumber };
  try {
    const addresses = await dns.lookup(host, { all: true });
    const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
    if (!chosen) throw new Error('no addresses');
    return { ip: chosen.address, port: portNumber };
  } catch {
    throw new Error(`lookup ${host}: no such host`);
  }
}

function describeHttpError(err: unknown, target: DialTarget): string {
  const addr = joinHostPort(target.ip, target.port);
  switch (errorCode(err)) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET': return `read tcp ${addr}: read: connection reset by peer`;
    case 'ETIMEDOUT': return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
    default: return errorMessage(err);
  }
}

function getOnce(url: URL, deadline: number): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: Math.max(1, deadline - Date.now()) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        location: res.headers.location,
        body: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/** GET http://ip:port/<request>, following redirects like Go's http.Client; returns the body. */
export const dialHttp: Dialer = async (request, target) => {
  const raw = `http://${joinHostPort(target.ip, target.port)}/${request}`;
  const deadline = Date.now() + dialTimeoutMs;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new Error(`parse "${raw}": ${errorMessage(err)}`);
  }
  for (let hop = 0; ; hop++) {
    let reply: Awaited<ReturnType<typeof getOnce>>;
    try {
      reply = await getOnce(url, deadline);
    } catch (err) {
      throw new Error(`Get "${url.href}": ${describeHttpError(err, target)}`);
    }
    const isRedirect = [301, 302, 303, 307, 308].includes(reply.status) && reply.location !== undefined;
    if (!isRedirect) return reply.body;
    if (hop + 1 >= maxRedirects) throw new Error(`Get "${url.href}": stopped after ${maxRedirects} redirects`);
    url = new URL(reply.location ?? '', url);
  }
};

/** Sends the request as one datagram and waits up to 5 s for one reply. */
export const dialUdp: Dialer = (request, target) => {
  const socket = dgram.createSocket(net.isIPv6(target.ip) ? 'udp6' : 'udp4');
  return new Promise<string>((resolve, reject) => {
    let local = '';
    const remote = joinHostPort(target.ip, target.port);
    const fail = (cause: string): void => {
      reject(new Error(`reading from udp connection failed. err:'read udp ${local}->${remote}: ${cause}'`));
    };
    const timer = setTimeout(() => fail('i/o timeout'), dialTimeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      socket.close();
    };
    socket.on('message', (msg) => {
      finish();
      if (msg.length === 0) fail('<nil>');
      else resolve(msg.subarray(0, udpBufferSize).toString('utf8'));
    });
    socket.on('error', (err) => {
      finish();
      if (errorCode(err) === 'ECONNREFUSED') fail('read: connection refused');
      else reject(new Error(`udp dial failed. err:${errorMessage(err)}`));
    });
    socket.connect(target.port, target.ip, () => {
      const address = socket.address();
      local = joinHostPort(address.address, address.port);
      socket.send(request);
    });
  });
};

function pickDialer(protocol: string): Dialer | undefined {
  switch (protocol.toLowerCase()) {
    case '':
    case 'http': return dialHttp;
    case 'udp': return dialUdp;
    default: return undefined;
  }
}

/**
 * The agnhost output: `responses` appears only when the LAST try returned a non-empty body
 * (a quirk of agnhost's code), `errors` only when some try failed; keys are sorted.
 */
export function formatDialOutput(results: ReadonlyArray<{ response?: string; error?: string }>): string {
  const responses = results.flatMap((r) => (r.response === undefined ? [] : [r.response]));
  const errors = results.flatMap((r) => (r.error === undefined ? [] : [r.error]));
  const last = results[results.length - 1];
  const output: Record<string, string[]> = {};
  if (errors.length > 0) output['errors'] = errors;
  if ((last?.response ?? '').length > 0) output['responses'] = responses;
  return goJson(output);
}

export async function handleDial(query: DialQuery, res: http.ServerResponse): Promise<void> {
  const tries = query.tries === '' ? 1 : parseGoInt(query.tries);
  if (tries === undefined) {
    httpError(res, `tries parameter is invalid. strconv.Atoi: parsing "${query.tries}": invalid syntax`, 400);
    return;
  }
  if (query.request === '') {
    httpError(res, 'request parameter not specified. <nil>', 400);
    return;
  }
  const dialer = pickDialer(query.protocol);
  if (!dialer) {
    const why = query.protocol.toLowerCase() === 'sctp' ? ' (SCTP is not supported by Switchboard)' : '';
    httpError(res, `unsupported protocol. ${query.protocol}${why}`, 400);
    return;
  }
  let target: DialTarget;
  try {
    target = await resolveTarget(query.host, query.port);
  } catch (err) {
    httpError(res, `host and/or port param are invalid. ${errorMessage(err)}`, 400);
    return;
  }
  const results: Array<{ response?: string; error?: string }> = [];
  for (let i = 0; i < tries; i++) {
    try {
      results.push({ response: await dialer(query.request, target) });
    } catch (err) {
      results.push({ error: errorMessage(err) });
    }
  }
  send(res, 200, formatDialOutput(results));
}
