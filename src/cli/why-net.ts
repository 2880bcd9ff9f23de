/**
 * The network tests of `switchboard why`, run in the current network namespace: a TCP connect,
 * one HTTP GET (a readiness probe's), one DNS A question over UDP (dns-packet). Each gives up
 * after 2 s. The host runs its loopback tests with these; inside a node they run in why-netns.ts.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { checkKey, type Check, type CheckResult } from './why-types.js';

export const CHECK_TIMEOUT_MS = 2000;

function failure(err: unknown): CheckResult {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (code === 'ECONNREFUSED') return { outcome: 'refused' };
  if (code === 'ETIMEDOUT') return { outcome: 'timeout' };
  return { outcome: 'error', detail: code || (err instanceof Error ? err.message : String(err)) };
}

function tcp(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: CheckResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ outcome: 'timeout' }), timeoutMs);
    socket.once('connect', () => done({ outcome: 'ok' }));
    socket.once('error', (err) => done(failure(err)));
  });
}

function httpGet(c: Extract<Check, { kind: 'http' }>, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const get = c.scheme === 'HTTPS' ? https.get : http.get;
    // Probes do not verify certificates (as the kubelet's do not).
    const req = get({ host: c.host, port: c.port, path: c.path, agent: false, rejectUnauthorized: false, headers: { 'User-Agent': 'switchboard-why' } }, (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve({ outcome: 'ok', status: res.statusCode ?? 0 });
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ outcome: 'timeout' });
    }, timeoutMs);
    req.once('error', (err) => {
      clearTimeout(timer);
      resolve(failure(err));
    });
  });
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

function dnsA(host: string, port: number, name: string, timeoutMs: number): Promise<CheckResult> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const id = Math.floor(Math.random() * 0xffff);
  return new Promise<CheckResult>((resolve) => {
    const timer = setTimeout(() => resolve({ outcome: 'timeout' }), timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      resolve(failure(err));
    });
    socket.on('message', (msg) => {
      let packet;
      try {
        packet = dnsPacket.decode(msg);
      } catch (err) {
        clearTimeout(timer);
        resolve({ outcome: 'error', detail: `undecodable answer: ${err instanceof Error ? err.message : String(err)}` });
        return;
      }
      if (packet.id !== id) return;
      clearTimeout(timer);
      const code = (packet.flags ?? 0) & 0xf;
      const answers = (packet.answers ?? []).flatMap((a) => (a.type === 'A' || a.type === 'CNAME' ? [`${a.type} ${String(a.data).replace(/\.$/, '')}`] : []));
      resolve({ outcome: 'ok', rcode: RCODES[code] ?? `RCODE${code}`, answers });
    });
    socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }), port, host);
  }).finally(() => socket.close());
}

export function runCheck(c: Check, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckResult> {
  switch (c.kind) {
    case 'tcp':
      return tcp(c.host, c.port, timeoutMs);
    case 'http':
      return httpGet(c, timeoutMs);
    case 'dns':
      return dnsA(c.host, c.port, c.name, timeoutMs);
  }
}

/** All checks at once; results by `checkKey`. */
export async function runChecks(checks: Check[]): Promise<[string, CheckResult][]> {
  return Promise.all(checks.map(async (c): Promise<[string, CheckResult]> => [checkKey(c), await runCheck(c)]));
}
