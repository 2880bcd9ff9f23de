// `connect host:port`: one TCP or UDP attempt; failures are printed with a fixed prefix
// (UNKNOWN, TIMEOUT, DNS, REFUSED, OTHER) that tests match on. Exit 0 on success, 1 otherwise.
import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import net from 'node:net';
import { FlagError, parseFlags, parseGoDuration } from './flags.js';
import type { Host } from './host.js';

export const connectDefaults = { timeout: '0s', protocol: 'tcp', 'udp-data': 'hostname', 'sctp-data': 'hostname' };

function errorCode(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : '';
}

export function splitHostPort(dest: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d*)$/.exec(dest);
  if (!match) throw new Error(`address ${dest}: missing port in address`);
  return { host: match[1] ?? match[2] ?? '', port: Number(match[3] ?? '0') };
}

async function resolve(host: string): Promise<string> {
  if (host === '' || net.isIP(host) !== 0) return host || '127.0.0.1';
  try {
    return (await dns.lookup(host)).address;
  } catch {
    throw new Error(`lookup ${host}: no such host`);
  }
}

/** The failure line for one TCP attempt, or undefined when it connected. */
function connectTcp(ip: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = net.connect({ host: ip, port });
    const timer = timeoutMs > 0 ? setTimeout(() => {
      socket.destroy();
      done('TIMEOUT');
    }, timeoutMs) : undefined;
    socket.on('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      done(undefined);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      done(errorCode(err) === 'ECONNREFUSED' ? 'REFUSED' : `OTHER: dial tcp ${ip}:${port}: ${err.message}`);
    });
  });
}

function connectUdp(ip: string, port: number, options: { timeoutMs: number; data: string }): Promise<string | undefined> {
  const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
  return new Promise((done) => {
    const finish = (line: string | undefined): void => {
      clearTimeout(timer);
      socket.close();
      done(line);
    };
    const timer = options.timeoutMs > 0 ? setTimeout(() => finish(`TIMEOUT: read udp ${ip}:${port}: i/o timeout`), options.timeoutMs) : undefined;
    socket.on('message', (msg) => finish(msg.length > 0 ? undefined
      : 'OTHER: No data received from the server. Cannot guarantee the server received the request.'));
    socket.on('error', (err) => finish(errorCode(err) === 'ECONNREFUSED'
      ? `REFUSED: read udp ${ip}:${port}: connection refused` : `UNKNOWN: ${err.message}`));
    socket.connect(port, ip, () => socket.send(`${options.data}\n`));
  });
}

async function attempt(dest: string, flags: typeof connectDefaults): Promise<string | undefined> {
  const timeoutMs = parseGoDuration(flags.timeout);
  if (timeoutMs === undefined) throw new FlagError(`invalid argument "${flags.timeout}" for "--timeout" flag: time: invalid duration "${flags.timeout}"`);
  let target: { host: string; port: number };
  try {
    target = splitHostPort(dest);
  } catch (err) {
    return `UNKNOWN: ${err instanceof Error ? err.message : String(err)}`;
  }
  let ip: string;
  try {
    ip = await resolve(target.host);
  } catch (err) {
    return `DNS: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (flags.protocol === '' || flags.protocol === 'tcp') return connectTcp(ip, target.port, timeoutMs);
  return connectUdp(ip, target.port, { timeoutMs, data: flags['udp-data'] });
}

export async function runConnect(argv: string[], host: Host): Promise<void> {
  const { flags, args } = parseFlags(argv, connectDefaults);
  if (args.length !== 1) throw new FlagError(`accepts 1 arg(s), received ${args.length}`);
  if (!['', 'tcp', 'udp'].includes(flags.protocol)) {
    host.err(`Unsupported protocol\n${flags.protocol}`);
    return host.exit(1);
  }
  const failure = await attempt(args[0] ?? '', flags);
  if (failure !== undefined) host.err(`${failure}\n`);
  host.exit(failure === undefined ? 0 : 1);
}
