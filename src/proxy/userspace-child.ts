/**
 * The userspace service proxy of one node: runs inside the node's network namespace (started by
 * `userspace.ts` through `nsenter --net`), listens on each Service port's addresses there and
 * relays every connection (TCP) or client flow (UDP) to an endpoint chosen as the nftables
 * backend would choose it (`routeConnection`). The parent adds the Service addresses to the
 * namespace's loopback before it sends the plans that use them, so binding them works.
 *
 * A port with no endpoints is not listened on: its address is local, so the kernel refuses at
 * once (TCP reset, ICMP port unreachable), as the nftables backend's reject does.
 */
import net from 'node:net';
import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { Endpoint, ServicePortPlan } from './planner.js';
import { routeConnection, type Entrance } from './trace.js';
import { loadTcpRelay } from '../lib/tcp-relay.js';

/** The native relay (native/tcp-relay) when it is built: bytes never reach JS. Else Node streams. */
const nativeRelay = loadTcpRelay();

export type ToChild =
  | { seq: number; kind: 'update'; clusterCidr: string; upsert: ServicePortPlan[]; remove: string[] }
  | { seq: number; kind: 'settle'; ip: string; timeoutMs: number }
  | { seq: number; kind: 'forget'; ip: string };

export type FromChild = { seq: number; listeners: number; errors: string[] };

/** A client that sends nothing for this long loses its UDP flow (and so its endpoint choice). */
const UDP_IDLE_MS = 10_000;
/** The most UDP flows kept per listener; the least recently used goes first. */
const UDP_MAX_FLOWS = 4096;
/** How long a connection to an endpoint may take before the next one is tried. */
const CONNECT_TIMEOUT_MS = 3_000;

interface Target {
  spId: string;
  entrance: Entrance;
}

interface UdpFlow {
  socket: dgram.Socket;
  endpoint: Endpoint;
  timer: NodeJS.Timeout;
}

interface Listener {
  key: string;
  target: Target;
  close(): void;
  /** UDP: the flows, by client `ip:port`. */
  flows?: Map<string, UdpFlow>;
}

const plans = new Map<string, ServicePortPlan>();
const listeners = new Map<string, Listener>();
let clusterCidr = '10.244.0.0/16';
/** Round-robin position per Service port. */
const nextPick = new Map<string, number>();
/** ClientIP affinity per Service port: client address -> endpoint and when it lapses. */
const affinity = new Map<string, Map<string, { endpoint: Endpoint; until: number }>>();

/** The node's own addresses (NodePorts answer on them): every IPv4 address not on loopback. */
function nodeAddresses(): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === 'lo') continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out.sort();
}
let ownAddresses = nodeAddresses();

const key = (protocol: string, ip: string, port: number): string => `${protocol} ${ip} ${port}`;
const same = (a: Endpoint, b: Endpoint): boolean => a.ip === b.ip && a.port === b.port;

/** The endpoints to try for a new connection or flow from `src`, the first being the pick. */
function choose(target: Target, src: string): Endpoint[] | 'reject' | 'drop' {
  const sp = plans.get(target.spId);
  if (!sp) return 'reject';
  const r = routeConnection(sp, target.entrance, { src, nodeAddresses: ownAddresses, clusterCidr });
  if (r.verdict !== 'dnat') return r.verdict === 'drop' ? 'drop' : 'reject';
  const list = r.endpoints;
  let first: Endpoint | undefined;
  if (sp.affinitySeconds > 0) {
    let byClient = affinity.get(sp.id);
    if (!byClient) affinity.set(sp.id, (byClient = new Map()));
    const held = byClient.get(src);
    const now = Date.now();
    first = held && held.until > now ? list.find((e) => same(e, held.endpoint)) : undefined;
    if (!first) first = list[Math.floor(Math.random() * list.length)];
    if (first) byClient.set(src, { endpoint: first, until: now + sp.affinitySeconds * 1000 });
  } else {
    const i = (nextPick.get(sp.id) ?? 0) % list.length;
    nextPick.set(sp.id, i + 1);
    first = list[i];
  }
  return first ? [first, ...list.filter((e) => !same(e, first))] : 'drop';
}

/**
 * Connections per endpoint address that are being made or have not had a byte back yet: the
 * request they carry was sent to an endpoint chosen before it left the plan. `settle` waits for
 * them before the pod is stopped, so a server that exits at SIGTERM still answers them.
 */
const unanswered = new Map<string, number>();
const settleWaiters = new Set<{ ip: string; done: () => void }>();
function hold(ip: string): () => void {
  unanswered.set(ip, (unanswered.get(ip) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (unanswered.get(ip) ?? 1) - 1;
    if (n > 0) return void unanswered.set(ip, n);
    unanswered.delete(ip);
    for (const w of settleWaiters) if (w.ip === ip) w.done();
  };
}

/** Connects to the first endpoint that accepts, in order; undefined when none does. */
function connectAny(candidates: Endpoint[], onConnected: (s: net.Socket, release: () => void) => void, onFailed: () => void): void {
  const attempt = (i: number): void => {
    const ep = candidates[i];
    if (!ep || i >= 3) return onFailed();
    const release = hold(ep.ip);
    const s = net.connect({ host: ep.ip, port: ep.port, allowHalfOpen: true, noDelay: true, timeout: CONNECT_TIMEOUT_MS });
    const fail = (): void => {
      release();
      s.destroy();
      attempt(i + 1);
    };
    s.once('error', fail);
    s.once('timeout', fail);
    s.once('connect', () => {
      s.off('error', fail);
      s.off('timeout', fail);
      s.setTimeout(0);
      onConnected(s, release);
    });
  };
  attempt(0);
}

function relayTcp(target: Target, client: net.Socket): void {
  client.on('error', () => client.destroy());
  const picked = choose(target, client.remoteAddress ?? '');
  if (picked === 'reject') return void client.resetAndDestroy();
  if (picked === 'drop') return void client.destroy();
  if (nativeRelay) return relayNative(client, picked);
  connectAny(
    picked,
    (upstream, release) => {
      upstream.once('data', release);
      upstream.once('close', release);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('close', (hadError) => (hadError ? upstream.resetAndDestroy() : undefined));
      upstream.on('close', (hadError) => (hadError && !client.destroyed ? client.resetAndDestroy() : undefined));
      client.pipe(upstream);
      upstream.pipe(client);
    },
    () => {
      if (!client.destroyed) client.resetAndDestroy();
    },
  );
}

/** The same through the native relay: it connects, then copies both ways on its own thread. */
function relayNative(client: net.Socket, candidates: Endpoint[]): void {
  const relay = nativeRelay;
  if (!relay) return;
  const attempt = (i: number): void => {
    const ep = candidates[i];
    if (!ep || i >= 3 || client.destroyed) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    const release = hold(ep.ip);
    relay.relay(client, ep.ip, ep.port, CONNECT_TIMEOUT_MS, {
      onFirstByte: release,
      onClosed: release,
      onFailed: () => {
        release();
        attempt(i + 1);
      },
    });
  };
  attempt(0);
}

function listenTcp(k: string, ip: string, port: number, target: Target): Promise<Listener> {
  // Paused: the native relay takes the connection before anything is read from it.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true });
  const listener: Listener = { key: k, target, close: () => server.close() };
  server.on('connection', (client) => relayTcp(listener.target, client));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port, backlog: 4096 }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      resolve(listener);
    });
  });
}

function endFlow(flows: Map<string, UdpFlow>, client: string): void {
  const flow = flows.get(client);
  if (!flow) return;
  flows.delete(client);
  clearTimeout(flow.timer);
  flow.socket.close();
}

function listenUdp(k: string, ip: string, port: number, target: Target): Promise<Listener> {
  const socket = dgram.createSocket('udp4');
  const flows = new Map<string, UdpFlow>();
  const listener: Listener = {
    key: k,
    target,
    flows,
    close: () => {
      for (const client of [...flows.keys()]) endFlow(flows, client);
      socket.close();
    },
  };
  socket.on('message', (msg, rinfo) => {
    const client = `${rinfo.address}:${rinfo.port}`;
    let flow = flows.get(client);
    if (flow) {
      // Most recently used last, for eviction.
      flows.delete(client);
      flows.set(client, flow);
      flow.timer.refresh();
    } else {
      const picked = choose(listener.target, rinfo.address);
      if (typeof picked === 'string' || !picked[0]) return;
      if (flows.size >= UDP_MAX_FLOWS) endFlow(flows, flows.keys().next().value ?? '');
      const upstream = dgram.createSocket('udp4');
      upstream.on('error', () => endFlow(flows, client));
      upstream.on('message', (reply, from) => {
        if (from.address !== created.endpoint.ip || from.port !== created.endpoint.port) return;
        created.timer.refresh();
        socket.send(reply, rinfo.port, rinfo.address);
      });
      const created: UdpFlow = { socket: upstream, endpoint: picked[0], timer: setTimeout(() => endFlow(flows, client), UDP_IDLE_MS) };
      flows.set(client, (flow = created));
    }
    flow.socket.send(msg, flow.endpoint.port, flow.endpoint.ip);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: ip, port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(listener);
    });
  });
}

/** What should be listened on: key -> address, port, protocol and target. */
function desired(): Map<string, { ip: string; port: number; protocol: string; target: Target }> {
  const out = new Map<string, { ip: string; port: number; protocol: string; target: Target }>();
  const add = (protocol: string, ip: string, port: number, target: Target): void => {
    const k = key(protocol, ip, port);
    if (!out.has(k)) out.set(k, { ip, port, protocol, target });
  };
  const sorted = [...plans.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const sp of sorted) {
    // SCTP has no socket API in Node.js; no endpoints: the kernel refuses (nothing listens).
    if (sp.protocol === 'SCTP' || sp.clusterEndpoints.length === 0) continue;
    for (const ip of sp.clusterIPs) add(sp.protocol, ip, sp.port, { spId: sp.id, entrance: 'clusterip' });
    for (const ip of sp.externalIPs) add(sp.protocol, ip, sp.port, { spId: sp.id, entrance: 'external' });
    if (sp.nodePort > 0) for (const ip of ownAddresses) add(sp.protocol, ip, sp.nodePort, { spId: sp.id, entrance: 'external' });
  }
  return out;
}

/** UDP flows whose endpoint is no longer among their Service port's endpoints end (conntrack's clean-up). */
function endStaleFlows(): void {
  for (const l of listeners.values()) {
    if (!l.flows) continue;
    const sp = plans.get(l.target.spId);
    const live = sp ? [...sp.clusterEndpoints, ...sp.internalEndpoints, ...sp.externalEndpoints] : [];
    for (const [client, flow] of [...l.flows]) if (!live.some((e) => same(e, flow.endpoint))) endFlow(l.flows, client);
  }
}

async function update(m: Extract<ToChild, { kind: 'update' }>): Promise<FromChild> {
  clusterCidr = m.clusterCidr;
  for (const id of m.remove) {
    plans.delete(id);
    affinity.delete(id);
    nextPick.delete(id);
  }
  for (const sp of m.upsert) {
    plans.set(sp.id, sp);
    if (sp.affinitySeconds === 0) affinity.delete(sp.id);
  }
  ownAddresses = nodeAddresses();
  const want = desired();
  const errors: string[] = [];
  for (const [k, l] of [...listeners]) {
    const w = want.get(k);
    if (w) l.target = w.target;
    else {
      listeners.delete(k);
      l.close();
    }
  }
  await Promise.all(
    [...want].filter(([k]) => !listeners.has(k)).map(async ([k, w]) => {
      try {
        listeners.set(k, await (w.protocol === 'UDP' ? listenUdp : listenTcp)(k, w.ip, w.port, w.target));
      } catch (err) {
        errors.push(`${w.target.spId} on ${w.ip}:${w.port}: ${(err as Error).message}`);
      }
    }),
  );
  endStaleFlows();
  return { seq: m.seq, listeners: listeners.size, errors };
}

/** Resolves once no connection to `ip` waits for its first answer (or after the time-out). */
async function settle(m: Extract<ToChild, { kind: 'settle' }>): Promise<FromChild> {
  if (unanswered.has(m.ip)) {
    await new Promise<void>((resolve) => {
      const w = { ip: m.ip, done: () => finish() };
      const timer = setTimeout(() => finish(), m.timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        settleWaiters.delete(w);
        resolve();
      };
      settleWaiters.add(w);
    });
  }
  return { seq: m.seq, listeners: listeners.size, errors: [] };
}

/** A pod has stopped: its UDP flows end (its address may be given to another pod). */
function forget(m: Extract<ToChild, { kind: 'forget' }>): FromChild {
  for (const l of listeners.values()) if (l.flows) for (const [client, flow] of [...l.flows]) if (flow.endpoint.ip === m.ip) endFlow(l.flows, client);
  return { seq: m.seq, listeners: listeners.size, errors: [] };
}

// Updates are applied one at a time, in order; waits and clean-ups do not hold them up.
let queue: Promise<void> = Promise.resolve();
process.on('message', (m: ToChild) => {
  if (m.kind === 'update') queue = queue.then(async () => void process.send?.(await update(m)));
  else if (m.kind === 'settle') void settle(m).then((r) => process.send?.(r));
  else process.send?.(forget(m));
});
// The parent is the only reason to exist.
process.on('disconnect', () => process.exit(0));
