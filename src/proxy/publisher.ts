/**
 * The port publisher: makes LoadBalancer Services (and, when asked, NodePorts) reachable from
 * the host. The built-in load
 * balancer hands out EXTERNAL-IPs from a host loopback range (127.0.0.0/8 needs no setup on
 * Linux), and for each ingress IP and TCP port the publisher listens on the host at that address
 * and relays every connection into the sandbox, to the Service's NodePort on a node (made from
 * inside the cluster namespace), where the node's dataplane sends it on like any external
 * client's. The host's own network is not changed: these are ordinary loopback listeners.
 */
import net from 'node:net';
import type { KubeObject } from '../api/types.js';
import { isRecord } from '../api/types.js';
import type { Controller, ControllerDeps } from '../controllers/types.js';
import { recordEvent } from '../client/events.js';

export interface PublisherConfig {
  /** Only these nodes are in the sandbox (their InternalIPs are used in turn). */
  nodeNames: string[];
  /** A TCP connection made from inside the sandbox. */
  connect(host: string, port: number): Promise<net.Socket>;
  /** A host loopback address on which every TCP NodePort is published too (`--node-port-address`). */
  nodePortAddress?: string;
}

interface Wanted {
  /** `ip:port` on the host. */
  key: string;
  ip: string;
  port: number;
  nodePort: number;
  service: string;
}

/**
 * What a Service asks to be published: each loopback ingress IP with each TCP port that has a
 * NodePort; and with `nodePortAddress`, each TCP NodePort on that address (like kind's port
 * mappings: `curl <address>:<nodePort>` on the host).
 */
export function publications(svc: KubeObject, nodePortAddress?: string): Wanted[] {
  const spec = isRecord(svc.spec) ? svc.spec : {};
  const service = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`;
  const nodePorts: Wanted[] = [];
  if (nodePortAddress && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) {
    for (const p of Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : []) {
      if ((p.protocol ?? 'TCP') !== 'TCP' || typeof p.nodePort !== 'number') continue;
      nodePorts.push({ key: `${nodePortAddress}:${p.nodePort}`, ip: nodePortAddress, port: p.nodePort, nodePort: p.nodePort, service });
    }
  }
  if (spec.type !== 'LoadBalancer') return nodePorts;
  const status = isRecord(svc.status) && isRecord(svc.status.loadBalancer) ? svc.status.loadBalancer : {};
  const ips = (Array.isArray(status.ingress) ? status.ingress : []).filter(isRecord).map((i) => i.ip).filter((ip): ip is string => typeof ip === 'string' && ip.startsWith('127.'));
  const out: Wanted[] = [];
  for (const p of Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : []) {
    if ((p.protocol ?? 'TCP') !== 'TCP' || typeof p.port !== 'number' || typeof p.nodePort !== 'number') continue;
    for (const ip of ips) out.push({ key: `${ip}:${p.port}`, ip, port: p.port, nodePort: p.nodePort, service });
  }
  return [...out, ...nodePorts];
}

/** Why an address could not be published, for the log. */
function publishFailure(err: NodeJS.ErrnoException, port: number): string {
  if (err.code === 'EADDRINUSE') return 'the address is in use on the host; not published';
  if (err.code === 'EACCES' && port < 1024) {
    return `port ${port} is privileged on the host (below net.ipv4.ip_unprivileged_port_start, 1024 by default) and this cluster runs without root there (rootless); not published: give the Service a port of 1024 or above, or use kubectl port-forward`;
  }
  return 'could not publish the address on the host';
}

export function startPublisher(config: PublisherConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ component: 'port-publisher' });
  const services = deps.informers.informer('', 'services');
  const nodes = deps.informers.informer('', 'nodes');
  const nodeAddresses = (): string[] =>
    config.nodeNames
      .map((name) => nodes.cache.get(name))
      .map((n) => (n && isRecord(n.status) && Array.isArray(n.status.addresses) ? n.status.addresses.filter(isRecord).find((a) => a.type === 'InternalIP')?.address : undefined))
      .filter((a): a is string => typeof a === 'string');
  const listening = new Map<string, { server: net.Server; want: Wanted }>();
  const warned = new Set<string>();
  let next = 0;

  const relay = (want: Wanted, outside: net.Socket): void => {
    outside.pause();
    const addresses = nodeAddresses();
    const node = addresses[next++ % Math.max(1, addresses.length)] ?? '';
    config.connect(node, want.nodePort).then(
      (inside) => {
        outside.pipe(inside).pipe(outside);
        inside.resume();
        outside.resume();
        const end = (): void => {
          inside.destroy();
          outside.destroy();
        };
        inside.on('error', end);
        outside.on('error', end);
      },
      (err: unknown) => {
        log.debug({ err: String(err), service: want.service }, 'could not reach the NodePort inside the sandbox');
        outside.destroy();
      },
    );
  };

  const reconcile = (): void => {
    const wanted = new Map<string, Wanted>();
    for (const svc of services.cache.list()) for (const w of publications(svc, config.nodePortAddress)) if (!wanted.has(w.key)) wanted.set(w.key, w);
    for (const [key, l] of listening) {
      const w = wanted.get(key);
      if (w && w.nodePort === l.want.nodePort && w.service === l.want.service) continue;
      l.server.close();
      listening.delete(key);
    }
    for (const [key, want] of wanted) {
      if (listening.has(key)) continue;
      const server = net.createServer((socket) => relay(want, socket));
      listening.set(key, { server, want });
      server.on('error', (err: NodeJS.ErrnoException) => {
        listening.delete(key);
        // Tried again at the next change of any Service; said once per address and cause.
        const said = `${key} ${err.code ?? err.message}`;
        if (warned.has(said)) return log.debug({ err: err.message, service: want.service, address: key }, 'still not published');
        warned.add(said);
        const why = publishFailure(err, want.port);
        log.warn({ err: err.message, service: want.service, address: key }, why);
        // Said where the user looks too: `kubectl describe svc` shows it.
        const svc = services.cache.get(want.service);
        if (svc) {
          const message = `${key} on the host: ${why}`;
          recordEvent(deps.client, deps.clock, { object: { ...svc, apiVersion: 'v1', kind: 'Service' }, type: 'Warning', reason: 'PublishFailed', message, component: 'port-publisher' }).catch((e: unknown) =>
            log.debug({ err: String(e) }, 'could not record the event'),
          );
        }
      });
      server.listen(want.port, want.ip, () => log.info({ service: want.service, address: key, nodePort: want.nodePort }, 'published on the host'));
    }
  };
  services.addHandlers({ onAdd: reconcile, onUpdate: reconcile, onDelete: reconcile });
  const ready = Promise.all([services.waitForSync(), nodes.waitForSync()]).then(reconcile);
  return {
    ready,
    async stop() {
      await Promise.all([...listening.values()].map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))));
      listening.clear();
    },
  };
}
