/**
 * Authentication: a client certificate signed by the cluster CA, or a known bearer token.
 * Anything else is 401, except the health endpoints (as Kubernetes' anonymous-auth
 * configurable endpoints allow), so probes need no credentials.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';

export interface User {
  name: string;
  groups: string[];
}

const anonymousPaths = new Set(['/healthz', '/livez', '/readyz']);

export function isAnonymousPath(pathname: string): boolean {
  return anonymousPaths.has(pathname) || [...anonymousPaths].some((p) => pathname.startsWith(`${p}/`));
}

function tokenMatches(given: string, tokens: Map<string, User>): User | undefined {
  for (const [token, user] of tokens) {
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length === b.length && timingSafeEqual(a, b)) return user;
  }
  return undefined;
}

/** A connection's certificate user, read once per TLS connection rather than per request. */
const certificateUsers = new WeakMap<TLSSocket, User>();

function certificateUser(socket: TLSSocket): User {
  let user = certificateUsers.get(socket);
  if (!user) {
    const subject = socket.getPeerCertificate().subject as unknown as Record<string, string | string[]> | undefined;
    const org = subject?.O;
    user = { name: String(subject?.CN ?? 'unknown'), groups: Array.isArray(org) ? org : org ? [org] : [] };
    certificateUsers.set(socket, user);
  }
  return user;
}

export function authenticate(req: IncomingMessage, tokens: Map<string, User>): User | undefined {
  const socket = req.socket as TLSSocket;
  if (socket.authorized) return certificateUser(socket);
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return tokenMatches(header.slice(7).trim(), tokens);
  return undefined;
}
