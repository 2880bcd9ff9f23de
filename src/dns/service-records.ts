/**
 * Turns one Service and its EndpointSlices into the DNS records the Kubernetes DNS
 * specification 1.1.0 asks for. Pure: the index calls it again whenever either changes.
 */
import type { KubeObject } from '../api/types.js';
import { isRecord } from '../api/types.js';
import { addressType, dashedIP, isIP, reverseName } from './names.js';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'SRV' | 'TXT' | 'SOA' | 'NS';

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** One resource record; `name` is canonical (lower-case, no trailing dot). */
export interface ResourceRecord {
  name: string;
  type: RecordType;
  ttl: number;
  data: string | SrvData | SoaData;
}

interface ServicePortInfo {
  name: string;
  port: number;
  protocol: string;
}

interface EndpointInfo {
  label: string;
  addresses: string[];
  ports: ServicePortInfo[];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function servicePorts(spec: Record<string, unknown>): ServicePortInfo[] {
  const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
  return ports.filter(isRecord).map((p) => ({
    name: str(p['name']) ?? '',
    port: typeof p['port'] === 'number' ? p['port'] : 0,
    protocol: (str(p['protocol']) ?? 'TCP').toLowerCase(),
  }));
}

/** Ready endpoints of the slices, with their label (hostname, else the dashed IP). */
function readyEndpoints(slices: Iterable<KubeObject>): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  for (const slice of slices) {
    const ports = servicePorts({ ports: slice['ports'] });
    const endpoints = Array.isArray(slice['endpoints']) ? slice['endpoints'] : [];
    for (const ep of endpoints.filter(isRecord)) {
      // CoreDNS counts an endpoint as ready when conditions.ready is unset or true.
      const conditions = isRecord(ep['conditions']) ? ep['conditions'] : {};
      if (conditions['ready'] === false) continue;
      const addresses = (Array.isArray(ep['addresses']) ? ep['addresses'] : []).filter(
        (a): a is string => typeof a === 'string' && isIP(a),
      );
      const first = addresses[0];
      if (first === undefined) continue;
      const label = (str(ep['hostname']) ?? dashedIP(first)).toLowerCase();
      out.push({ label, addresses, ports });
    }
  }
  return out;
}

/** CoreDNS splits a weight of 100 evenly over the records sharing a priority, rounding down. */
function srvWeight(count: number): number {
  return Math.floor(100 / Math.max(count, 1));
}

function clusterIPs(spec: Record<string, unknown>): string[] {
  const list = Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : [spec['clusterIP']];
  return list.filter((ip): ip is string => typeof ip === 'string' && isIP(ip));
}

interface BuildContext {
  base: string;
  ttl: number;
  out: ResourceRecord[];
}

function add(ctx: BuildContext, name: string, type: RecordType, data: ResourceRecord['data']): void {
  ctx.out.push({ name, type, ttl: ctx.ttl, data });
}

function addSrv(ctx: BuildContext, targets: { target: string; ports: ServicePortInfo[] }[]): void {
  const byName = new Map<string, { target: string; port: number }[]>();
  for (const { target, ports } of targets) {
    for (const p of ports) {
      if (p.name === '') continue; // unnamed ports get no SRV (spec 2.3.2)
      const owner = `_${p.name.toLowerCase()}._${p.protocol}.${ctx.base}`;
      const list = byName.get(owner) ?? [];
      // Count each target once: weights split over distinct records only.
      if (list.some((e) => e.target === target && e.port === p.port)) continue;
      list.push({ target, port: p.port });
      byName.set(owner, list);
    }
  }
  for (const [owner, list] of byName) {
    const weight = srvWeight(list.length);
    for (const { target, port } of list) add(ctx, owner, 'SRV', { priority: 0, weight, port, target });
  }
}

function addEndpointRecords(ctx: BuildContext, endpoints: EndpointInfo[], headless: boolean): void {
  for (const ep of endpoints) {
    const epName = `${ep.label}.${ctx.base}`;
    for (const ip of ep.addresses) {
      if (headless) add(ctx, ctx.base, addressType(ip), ip);
      add(ctx, epName, addressType(ip), ip);
      const ptr = reverseName(ip);
      if (ptr !== undefined) add(ctx, ptr, 'PTR', epName);
    }
  }
}

/** The same endpoint can sit in two slices while the controller moves it; answer it once. */
function unique(records: ResourceRecord[]): ResourceRecord[] {
  const seen = new Set<string>();
  return records.filter((rr) => {
    const key = `${rr.name} ${rr.type} ${JSON.stringify(rr.data)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** All records one Service contributes, given its slices. `zone` is canonical. */
export function serviceRecords(
  service: KubeObject,
  slices: Iterable<KubeObject>,
  opts: { zone: string; ttl: number },
): ResourceRecord[] {
  const { name, namespace } = service.metadata;
  const spec = isRecord(service.spec) ? service.spec : {};
  if (name === undefined || namespace === undefined) return [];
  const ctx: BuildContext = { base: `${name}.${namespace}.svc.${opts.zone}`.toLowerCase(), ttl: opts.ttl, out: [] };
  if (spec['type'] === 'ExternalName') {
    const target = str(spec['externalName']);
    // An IP is not a valid CNAME target; CoreDNS skips it, so the name does not exist.
    if (target !== undefined && target !== '' && !isIP(target)) add(ctx, ctx.base, 'CNAME', target.replace(/\.$/, ''));
    return ctx.out;
  }
  const ips = clusterIPs(spec);
  const endpoints = readyEndpoints(slices);
  const headless = ips.length === 0;
  if (headless) {
    addEndpointRecords(ctx, endpoints, true);
    addSrv(ctx, endpoints.map((ep) => ({ target: `${ep.label}.${ctx.base}`, ports: ep.ports })));
    return unique(ctx.out);
  }
  for (const ip of ips) {
    add(ctx, ctx.base, addressType(ip), ip);
    const ptr = reverseName(ip);
    if (ptr !== undefined) add(ctx, ptr, 'PTR', ctx.base);
  }
  addSrv(ctx, [{ target: ctx.base, ports: servicePorts(spec) }]);
  // Endpoint names work for any Service with endpoints, not only headless ones.
  addEndpointRecords(ctx, endpoints, false);
  return unique(ctx.out);
}
