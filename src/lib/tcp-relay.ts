/**
 * TCP relay on a native thread, through the addon in native/tcp-relay (Linux, epoll). Node
 * streams cost a JS callback and a buffer per chunk in each direction; here the bytes of a
 * relayed connection never reach JS: after the upstream connection is made, one native thread
 * copies both ways, with backpressure, half-close and resets passed through.
 *
 * The addon is optional: when it is not built, or fails to load, `loadTcpRelay` returns
 * undefined and the caller pipes Node sockets. `tcpRelayUnavailable()` says why.
 */
import { createRequire } from 'node:module';
import type net from 'node:net';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface RelayEvents {
  /** The upstream connection is established; the relay owns the connection from now on. */
  onConnected?(): void;
  /** The upstream sent its first bytes (the first answer to the request). */
  onFirstByte?(): void;
  /** Connecting failed (code such as 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH'); the client socket is still Node's, untouched, so the caller may try another endpoint or reset it. */
  onFailed(code: string): void;
  /** Both directions are finished and both sockets closed (also after an error/reset). */
  onClosed?(): void;
}

export interface TcpRelay {
  /** `client`: an accepted net.Socket that has not been read from (server made with pauseOnConnect: true). Connects (non-blocking, IPv4) to host:port from the native side, then copies bytes both ways in the native thread until both sides are done. */
  relay(client: net.Socket, host: string, port: number, timeoutMs: number, events: RelayEvents): void;
  /** Connections the native side holds now. */
  active(): number;
}

/** The addon's own surface (native/tcp-relay/src/tcp_relay.c). */
interface Addon {
  init(onEvent: (id: number, kind: number, errno: number) => void): void;
  /** Dups `fd` and queues the connection; returns its id. Throws with `errno`. */
  start(fd: number, host: string, port: number, timeoutMs: number): number;
  active(): number;
  EV_CONNECTED: number;
  EV_FIRST_BYTE: number;
  EV_FAILED: number;
  EV_CLOSED: number;
}

const addonFile = 'native/tcp-relay/build/Release/tcp_relay.node';
// From src/lib (tsx) and from dist/src/lib (compiled) to the repository root.
const defaultPaths = [new URL(`../../${addonFile}`, import.meta.url), new URL(`../../../${addonFile}`, import.meta.url)];

let loaded: { relay?: TcpRelay; reason?: string } | undefined;

function isAddon(value: unknown): value is Addon {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['init', 'start', 'active'].every((name) => typeof record[name] === 'function') && typeof record.EV_CLOSED === 'number';
}

function loadFrom(paths: ReadonlyArray<URL>): { relay?: TcpRelay; reason?: string } {
  const require = createRequire(import.meta.url);
  const reasons: string[] = [];
  for (const path of paths) {
    const file = fileURLToPath(path);
    try {
      const mod: unknown = require(file);
      if (isAddon(mod)) return { relay: createRelay(mod) };
      reasons.push(`${file}: not the tcp-relay addon`);
    } catch (err) {
      reasons.push(`${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  return { reason: `tcp-relay addon unavailable (${reasons.join('; ')})` };
}

/** The addon if it was built (native/tcp-relay/build/Release/tcp_relay.node), else undefined (caller falls back). */
export function loadTcpRelay(): TcpRelay | undefined {
  loaded ??= loadFrom(defaultPaths);
  return loaded.relay;
}

/** Why the addon cannot be used, or undefined when it can. */
export function tcpRelayUnavailable(): string | undefined {
  loaded ??= loadFrom(defaultPaths);
  return loaded.reason;
}

/** 'ECONNREFUSED' for 111 and so on; 'E<n>' for a number this platform does not name. */
function errnoCode(errno: number): string {
  return Object.entries(constants.errno).find(([, value]) => value === errno)?.[0] ?? `E${errno}`;
}

function errorCode(err: unknown): string {
  if (err instanceof Error && 'errno' in err && typeof err.errno === 'number') return errnoCode(err.errno);
  return 'EINVAL';
}

/** The fd under an accepted socket (Linux), or undefined once Node has closed it. */
function socketFd(socket: net.Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

interface Relayed {
  /** Node's client socket until the upstream connects; then destroyed (the dup lives on). */
  client: net.Socket | undefined;
  events: RelayEvents;
}

function createRelay(addon: Addon): TcpRelay {
  const relayedById = new Map<number, Relayed>();
  addon.init((id, kind, errno) => {
    const relayed = relayedById.get(id);
    if (!relayed) return;
    if (kind === addon.EV_CONNECTED) {
      // The native side holds its own fd of the socket: closing Node's sends nothing.
      relayed.client?.destroy();
      relayed.client = undefined;
      relayed.events.onConnected?.();
    } else if (kind === addon.EV_FIRST_BYTE) {
      relayed.events.onFirstByte?.();
    } else if (kind === addon.EV_FAILED) {
      relayedById.delete(id);
      relayed.events.onFailed(errnoCode(errno));
    } else if (kind === addon.EV_CLOSED) {
      relayedById.delete(id);
      relayed.events.onClosed?.();
    }
  });
  return {
    relay(client, host, port, timeoutMs, events) {
      const fd = socketFd(client);
      let id: number;
      try {
        if (fd === undefined) throw Object.assign(new Error('tcp-relay: the client socket has no fd'), { errno: constants.errno.EBADF });
        id = addon.start(fd, host, port, Math.min(2 ** 31 - 1, Math.max(0, Math.round(timeoutMs))));
      } catch (err) {
        // Same path as a failed connect: asynchronous, client untouched.
        const code = errorCode(err);
        process.nextTick(() => events.onFailed(code));
        return;
      }
      relayedById.set(id, { client, events });
    },
    active: () => addon.active(),
  };
}
