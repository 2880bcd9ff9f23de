/**
 * The cluster DNS index: precomputed record sets keyed by canonical owner name, updated
 * incrementally per Service. Each Service's records are recomputed from the Service and its
 * EndpointSlices whenever either changes, and swapped in; lookups are then map reads.
 */
import type { KubeObject } from '../api/types.js';
import { ancestorsWithin, canonical, inZone } from './names.js';
import { serviceRecords, type RecordType, type ResourceRecord, type SoaData } from './service-records.js';

export type { RecordType, ResourceRecord, SoaData, SrvData } from './service-records.js';

export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface RecordIndexOptions {
  /** Cluster domain, default `cluster.local`. */
  zone?: string;
  /** TTL of every answer, default 5 seconds. */
  ttl?: number;
  /** Pod records `a-b-c-d.<ns>.pod.<zone>`; default insecure (kubeadm's setting). */
  pods?: PodMode;
  /** Clock for the SOA serial, in milliseconds. */
  now?: () => number;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** CoreDNS serves the schema-version TXT with this long TTL. */
const VERSION_TTL = 28800;

function keyOf(namespace: string | undefined, name: string | undefined): string | undefined {
  return namespace === undefined || name === undefined ? undefined : `${namespace}/${name}`;
}

export class RecordIndex {
  readonly zone: string;
  readonly ttl: number;
  readonly pods: PodMode;
  private readonly now: () => number;
  private readonly names = new Map<string, ResourceRecord[]>();
  /** How many records sit below each name; a name with a count but no records is an empty non-terminal. */
  private readonly below = new Map<string, number>();
  private readonly services = new Map<string, KubeObject>();
  private readonly slices = new Map<string, Map<string, KubeObject>>();
  private readonly contributed = new Map<string, ResourceRecord[]>();
  private namespaces = new Set<string>();
  /** `verified` pod records: each pod's IPs, and how many pods hold each `<ns>/<ip>`. */
  private readonly podIPsByPod = new Map<string, string[]>();
  private readonly podIPs = new Map<string, number>();
  private serial: number;
  /** Bumped by every change that can alter an answer; cached answers of older generations are stale. */
  generation = 0;

  constructor(opts: RecordIndexOptions = {}) {
    this.zone = canonical(opts.zone ?? 'cluster.local');
    this.ttl = opts.ttl ?? 5;
    this.pods = opts.pods ?? 'insecure';
    this.now = opts.now ?? Date.now;
    this.serial = Math.floor(this.now() / 1000);
    this.addStatic();
  }

  /** The zone's SOA record, as served in answers and negative authority sections. */
  soa(): ResourceRecord {
    const data: SoaData = {
      mname: `ns.dns.${this.zone}`,
      rname: `hostmaster.${this.zone}`,
      serial: this.serial,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: this.ttl,
    };
    return { name: this.zone, type: 'SOA', ttl: Math.min(this.ttl, 300), data };
  }

  /** Records at a canonical name (any type), or an empty list. */
  lookup(name: string): readonly ResourceRecord[] {
    return this.names.get(name) ?? [];
  }

  /** True when the name holds records or has records below it (an empty non-terminal). */
  exists(name: string): boolean {
    return this.names.has(name) || (this.below.get(name) ?? 0) > 0;
  }

  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace.toLowerCase());
  }

  upsertService(service: KubeObject): void {
    const key = keyOf(service.metadata.namespace, service.metadata.name);
    if (key === undefined) return;
    this.services.set(key, service);
    this.rebuild(key);
  }

  deleteService(service: KubeObject): void {
    const key = keyOf(service.metadata.namespace, service.metadata.name);
    if (key === undefined) return;
    this.services.delete(key);
    this.rebuild(key);
  }

  upsertSlice(slice: KubeObject): void {
    const key = this.sliceServiceKey(slice);
    const sliceName = slice.metadata.name;
    if (key === undefined || sliceName === undefined) return;
    const perService = this.slices.get(key) ?? new Map<string, KubeObject>();
    perService.set(sliceName, slice);
    this.slices.set(key, perService);
    this.rebuild(key);
  }

  deleteSlice(slice: KubeObject): void {
    const key = this.sliceServiceKey(slice);
    const sliceName = slice.metadata.name;
    if (key === undefined || sliceName === undefined) return;
    const perService = this.slices.get(key);
    perService?.delete(sliceName);
    if (perService?.size === 0) this.slices.delete(key);
    this.rebuild(key);
  }

  setNamespaces(namespaces: Iterable<string>): void {
    this.namespaces = new Set([...namespaces].map((n) => n.toLowerCase()));
    this.touch();
  }

  /** Records a pod's IPs for `verified` pod records (a pod without an IP holds none). */
  upsertPod(pod: KubeObject): void {
    const key = keyOf(pod.metadata.namespace, pod.metadata.name);
    if (key === undefined) return;
    const status = (pod as { status?: { podIPs?: { ip?: unknown }[]; podIP?: unknown } }).status;
    const listed = (status?.podIPs ?? []).flatMap((p) => (typeof p.ip === 'string' ? [p.ip] : []));
    const ips = listed.length > 0 ? listed : typeof status?.podIP === 'string' ? [status.podIP] : [];
    this.deletePod(pod);
    if (ips.length === 0) return;
    this.generation++;
    const ns = (pod.metadata.namespace ?? '').toLowerCase();
    this.podIPsByPod.set(key, ips);
    for (const ip of ips) this.podIPs.set(`${ns}/${ip}`, (this.podIPs.get(`${ns}/${ip}`) ?? 0) + 1);
  }

  deletePod(pod: KubeObject): void {
    const key = keyOf(pod.metadata.namespace, pod.metadata.name);
    if (key === undefined) return;
    const ns = (pod.metadata.namespace ?? '').toLowerCase();
    if (this.podIPsByPod.has(key)) this.generation++;
    for (const ip of this.podIPsByPod.get(key) ?? []) {
      const n = (this.podIPs.get(`${ns}/${ip}`) ?? 0) - 1;
      if (n > 0) this.podIPs.set(`${ns}/${ip}`, n);
      else this.podIPs.delete(`${ns}/${ip}`);
    }
    this.podIPsByPod.delete(key);
  }

  /** True when a pod in the namespace has this IP (for `verified` pod records). */
  hasPodIP(namespace: string, ip: string): boolean {
    return this.podIPs.has(`${namespace.toLowerCase()}/${ip}`);
  }

  private sliceServiceKey(slice: KubeObject): string | undefined {
    return keyOf(slice.metadata.namespace, slice.metadata.labels?.[SERVICE_NAME_LABEL]);
  }

  private rebuild(key: string): void {
    for (const rr of this.contributed.get(key) ?? []) this.remove(rr);
    this.contributed.delete(key);
    const service = this.services.get(key);
    if (service !== undefined) {
      const slices = this.slices.get(key)?.values() ?? [];
      const records = serviceRecords(service, slices, { zone: this.zone, ttl: this.ttl });
      for (const rr of records) this.insert(rr);
      this.contributed.set(key, records);
    }
    this.touch();
  }

  private touch(): void {
    this.generation++;
    this.serial = Math.max(this.serial + 1, Math.floor(this.now() / 1000));
  }

  private addStatic(): void {
    this.insert({ name: this.zone, type: 'NS', ttl: this.ttl, data: `ns.dns.${this.zone}` });
    this.insert({ name: `dns-version.${this.zone}`, type: 'TXT', ttl: VERSION_TTL, data: '1.1.0' });
    // `svc.<zone>` and `pod.<zone>` always exist as empty non-terminals.
    for (const label of ['svc', 'pod']) this.below.set(`${label}.${this.zone}`, 1);
  }

  private parentsOf(name: string): string[] {
    if (inZone(name, this.zone)) return ancestorsWithin(name, this.zone);
    // Reverse names: count ancestors down to the arpa suffix.
    const suffix = name.endsWith('.ip6.arpa') ? 'ip6.arpa' : 'in-addr.arpa';
    return ancestorsWithin(name, suffix);
  }

  private insert(rr: ResourceRecord): void {
    const list = this.names.get(rr.name);
    if (list === undefined) this.names.set(rr.name, [rr]);
    else list.push(rr);
    for (const parent of this.parentsOf(rr.name)) this.below.set(parent, (this.below.get(parent) ?? 0) + 1);
  }

  private remove(rr: ResourceRecord): void {
    const list = this.names.get(rr.name);
    if (list === undefined) return;
    const at = list.indexOf(rr);
    if (at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) this.names.delete(rr.name);
    for (const parent of this.parentsOf(rr.name)) {
      const count = (this.below.get(parent) ?? 0) - 1;
      if (count > 0) this.below.set(parent, count);
      else this.below.delete(parent);
    }
  }
}

export function isAddressType(type: RecordType): boolean {
  return type === 'A' || type === 'AAAA';
}
