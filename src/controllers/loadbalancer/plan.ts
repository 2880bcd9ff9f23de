/**
 * Which address a LoadBalancer Service gets: the one it asked for in spec.loadBalancerIP if
 * that is in the pool and free; else the one it already has; else the lowest free one. A
 * Service that is no longer ours (another type, another loadBalancerClass) holds nothing.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import type { AddressPool } from './pool.js';

export const loadBalancerClass = 'switchboard.io/lb';

export type Allocation =
  | { kind: 'assign'; ip: string }
  | { kind: 'fail'; reason: string; message: string }
  /** Not ours: release what it holds; `clearStatus` when its status still shows an address. */
  | { kind: 'release'; clearStatus: boolean };

const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

export function isManaged(svc: KubeObject): boolean {
  const spec = record(svc.spec);
  if (spec.type !== 'LoadBalancer') return false;
  return spec.loadBalancerClass === undefined || spec.loadBalancerClass === null || spec.loadBalancerClass === loadBalancerClass;
}

export function ingressIPs(svc: KubeObject): string[] {
  const ingress = record(record(svc.status).loadBalancer).ingress;
  return (Array.isArray(ingress) ? ingress.filter(isRecord) : []).map((i) => i.ip).filter((ip): ip is string => typeof ip === 'string');
}

/** `key` is the Service's namespace/name; `pool` knows which Service holds which address. */
export function planAllocation(svc: KubeObject, key: string, pool: AddressPool): Allocation {
  const spec = record(svc.spec);
  if (!isManaged(svc)) {
    // A Service of another class belongs to another implementation: its status is not ours.
    const clearStatus = spec.type !== 'LoadBalancer' && ingressIPs(svc).length > 0;
    return { kind: 'release', clearStatus };
  }
  const requested = typeof spec.loadBalancerIP === 'string' && spec.loadBalancerIP ? spec.loadBalancerIP : undefined;
  if (requested) return planRequested(requested, key, pool);
  const mine = [...pool.held(key), ...ingressIPs(svc).map((ip) => pool.canonical(ip) ?? ip)].find(
    (ip) => pool.contains(ip) && (pool.holder(ip) ?? key) === key,
  );
  if (mine) return { kind: 'assign', ip: mine };
  const next = pool.next();
  if (!next) return { kind: 'fail', reason: 'AllocationFailed', message: 'Failed to allocate IP for "' + key + '": no available IPs' };
  return { kind: 'assign', ip: next };
}

function planRequested(requested: string, key: string, pool: AddressPool): Allocation {
  const ip = pool.canonical(requested);
  if (!ip || !pool.contains(ip)) {
    return { kind: 'fail', reason: 'AllocationFailed', message: `Failed to allocate IP for "${key}": "${requested}" is not allowed in the LoadBalancer pool` };
  }
  const holder = pool.holder(ip);
  if (holder && holder !== key) {
    return { kind: 'fail', reason: 'AllocationFailed', message: `Failed to allocate IP for "${key}": "${requested}" is already in use by "${holder}"` };
  }
  return { kind: 'assign', ip };
}
