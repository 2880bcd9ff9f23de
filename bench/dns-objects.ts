/**
 * The cluster state of the DNS section: a deterministic mix of Services (mostly ClusterIP with
 * one or two named ports, a fifth headless with three ready endpoints, a few ExternalName),
 * created through the API at bounded concurrency, and the dnsperf query file drawn from it.
 */
import { findResource, type ResourceInfo } from '../src/api/resources.js';
import { StatusError } from '../src/api/status.js';
import type { KubeObject } from '../src/api/types.js';
import type { ApiClient } from '../src/client/rest.js';
import { runPool } from './lib.js';

export const ZONE = 'cluster.local';
export const TTL = 5;
export const NAMESPACE_COUNT = 20;

export const resources = {
  namespaces: findResource('', 'namespaces') as ResourceInfo,
  services: findResource('', 'services') as ResourceInfo,
  endpointslices: findResource('discovery.k8s.io', 'endpointslices') as ResourceInfo,
};

export type ServiceKind = 'ClusterIP' | 'Headless' | 'ExternalName';

interface PortSpec {
  name: string;
  port: number;
  protocol: 'TCP';
}

interface EndpointSpec {
  ip: string;
  hostname?: string;
}

export interface ServiceShape {
  namespace: string;
  name: string;
  kind: ServiceKind;
  ports: PortSpec[];
  endpoints: EndpointSpec[];
}

/** A Service as the API server returned it, with its EndpointSlice (headless ones only). */
export interface CreatedService {
  shape: ServiceShape;
  service: KubeObject;
  slice?: KubeObject;
}

export function namespaceOf(i: number): string {
  return `bench-${i % NAMESPACE_COUNT}`;
}

/** Endpoint addresses from 10.128.0.0/9, one per (service, endpoint) pair. */
function endpointIP(j: number): string {
  return `10.${128 + (j >> 16)}.${(j >> 8) & 255}.${j & 255}`;
}

/** Service number i of the mix: 2% ExternalName, 20% headless (half with hostnames), the rest ClusterIP. */
export function shapeOf(i: number): ServiceShape {
  const base = { namespace: namespaceOf(i), name: `svc-${i}` };
  if (i % 50 === 7) return { ...base, kind: 'ExternalName', ports: [], endpoints: [] };
  if (i % 5 === 0) {
    const endpoints = [0, 1, 2].map((k) => ({
      ip: endpointIP(i * 3 + k),
      ...(i % 10 === 0 ? { hostname: `${base.name}-${k}` } : {}),
    }));
    return { ...base, kind: 'Headless', ports: [{ name: 'peer', port: 7000, protocol: 'TCP' }], endpoints };
  }
  const ports: PortSpec[] = [{ name: 'http', port: 80, protocol: 'TCP' }];
  if (i % 2 === 1) ports.push({ name: 'grpc', port: 9090, protocol: 'TCP' });
  return { ...base, kind: 'ClusterIP', ports, endpoints: [] };
}

export function serviceObject(shape: ServiceShape): KubeObject {
  const metadata = { name: shape.name, labels: { app: 'dns-bench' } };
  const ports = shape.ports.map((p) => ({ ...p, targetPort: p.port }));
  if (shape.kind === 'ExternalName') return { metadata, spec: { type: 'ExternalName', externalName: `${shape.name}.example.com` } };
  if (shape.kind === 'Headless') return { metadata, spec: { clusterIP: 'None', selector: { app: shape.name }, ports } };
  return { metadata, spec: { type: 'ClusterIP', selector: { app: shape.name }, ports } };
}

export function sliceObject(shape: ServiceShape): KubeObject | undefined {
  if (shape.endpoints.length === 0) return undefined;
  return {
    metadata: {
      name: `${shape.name}-bench`,
      labels: { 'kubernetes.io/service-name': shape.name, 'endpointslice.kubernetes.io/managed-by': 'dns-bench.switchboard.io' },
    },
    addressType: 'IPv4',
    endpoints: shape.endpoints.map((e) => ({
      addresses: [e.ip],
      ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
      conditions: { ready: true, serving: true, terminating: false },
    })),
    ports: shape.ports,
  };
}

export async function ensureNamespaces(client: ApiClient, names: string[]): Promise<void> {
  for (const name of names) {
    try {
      await client.create(resources.namespaces, undefined, { metadata: { name } });
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

/** Creates Services number `from` .. `to - 1` (and their slices), 32 in flight. */
export async function createServices(client: ApiClient, range: { from: number; to: number }): Promise<CreatedService[]> {
  const count = range.to - range.from;
  // Indexed by number, so the query file drawn from them is the same from run to run.
  const created: (CreatedService | undefined)[] = new Array<CreatedService | undefined>(count);
  const done = await runPool({
    count,
    concurrency: 32,
    deadlineMs: 600_000,
    task: async (k) => {
      const shape = shapeOf(range.from + k);
      const service = await client.create(resources.services, shape.namespace, serviceObject(shape));
      const body = sliceObject(shape);
      const slice = body === undefined ? undefined : await client.create(resources.endpointslices, shape.namespace, body);
      created[k] = { shape, service, ...(slice === undefined ? {} : { slice }) };
    },
  });
  if (done < count) throw new Error(`created only ${done} of ${count} services within the bound`);
  return created.filter((c): c is CreatedService => c !== undefined);
}

export function serviceName(shape: ServiceShape): string {
  return `${shape.name}.${shape.namespace}.svc.${ZONE}`;
}

function endpointLabel(ep: EndpointSpec): string {
  return ep.hostname ?? ep.ip.replaceAll('.', '-');
}

/** A small seeded generator, so the query file is the same from run to run. */
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * dnsperf lines (`name type`): 45% ClusterIP A, 15% SRV, 15% headless A, 10% endpoint A,
 * 15% names that do not exist. ExternalName Services are left out: their targets lie outside
 * the zone, and a forwarding server would send those queries off the machine.
 */
export function queryLines(shapes: readonly ServiceShape[], count: number, seed = 42): string[] {
  const random = seededRandom(seed);
  const clusterIPs = shapes.filter((s) => s.kind === 'ClusterIP');
  const headless = shapes.filter((s) => s.kind === 'Headless');
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const r = random();
    if (r < 0.45) lines.push(`${serviceName(pick(clusterIPs))} A`);
    else if (r < 0.6) {
      const s = random() < 0.7 ? pick(clusterIPs) : pick(headless);
      lines.push(`_${s.ports[0]?.name ?? 'http'}._tcp.${serviceName(s)} SRV`);
    } else if (r < 0.75) lines.push(`${serviceName(pick(headless))} A`);
    else if (r < 0.85) {
      const s = pick(headless);
      lines.push(`${endpointLabel(pick(s.endpoints))}.${serviceName(s)} A`);
    } else lines.push(`nosuch-${n}.${namespaceOf(n)}.svc.${ZONE} A`);
  }
  return lines;
}
