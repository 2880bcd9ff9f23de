/**
 * The LoadBalancer IP allocator: gives each Service of type LoadBalancer (no
 * loadBalancerClass, or `switchboard.io/lb`) an address from the configured pool in
 * status.loadBalancer.ingress, and takes it back when the Service goes or changes type.
 * Which Service holds which address is rebuilt from the Services' status at start; one worker
 * keeps allocation free of races.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import { keyOf, splitKey } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { recordEvent } from '../../client/events.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { ingressIPs, isManaged, planAllocation } from './plan.js';
import { AddressPool } from './pool.js';

export interface LoadBalancerConfig {
  /** CIDRs and/or ranges `a.b.c.d-a.b.c.e`, comma-separated. */
  pool: string;
}

const servicesInfo = findResource('', 'services') as ResourceInfo;
const component = 'loadbalancer-controller';

export function startLoadBalancerController(config: LoadBalancerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: component });
  const pool = new AddressPool(config.pool);
  const services = deps.informers.informer('', 'services');
  const queue = new WorkQueue();
  const lastEvent = new Map<string, string>();
  // Services that found no address; any address freed may be theirs.
  const waiting = new Set<string>();
  const release = (key: string): void => {
    if (pool.held(key).length === 0) return;
    pool.release(key);
    for (const k of waiting) queue.add(k);
  };
  const enqueue = (svc: KubeObject): void => queue.add(keyOf(svc));
  services.addHandlers({ onAdd: enqueue, onUpdate: (_o, svc) => enqueue(svc), onDelete: enqueue });

  const warnOnce = async (svc: KubeObject, key: string, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> => {
    if (lastEvent.get(key) === message) return;
    lastEvent.set(key, message);
    await recordEvent(deps.client, deps.clock, { object: { ...svc, apiVersion: 'v1', kind: 'Service' }, type, reason, message, component });
  };

  const sync = async (key: string): Promise<void> => {
    const svc = services.cache.get(key);
    if (!svc) {
      release(key);
      lastEvent.delete(key);
      waiting.delete(key);
      return;
    }
    const allocation = planAllocation(svc, key, pool);
    if (allocation.kind === 'fail') waiting.add(key);
    else waiting.delete(key);
    if (allocation.kind === 'assign') {
      if (!pool.held(key).includes(allocation.ip)) release(key);
      pool.claim(allocation.ip, key);
      const current = ingressIPs(svc);
      if (current.length === 1 && current[0] === allocation.ip) return;
      await writeIngress(deps, key, [{ ip: allocation.ip, ipMode: 'VIP' }]);
      await warnOnce(svc, key, 'Normal', 'IPAllocated', `Assigned IP ["${allocation.ip}"]`);
      return;
    }
    release(key);
    if (allocation.kind === 'fail') {
      if (ingressIPs(svc).length > 0) await writeIngress(deps, key, null);
      await warnOnce(svc, key, 'Warning', allocation.reason, allocation.message);
      return;
    }
    lastEvent.delete(key);
    if (allocation.clearStatus) await writeIngress(deps, key, null);
  };

  return startQueueLoop({
    queue,
    informers: [services],
    workers: 1,
    sync,
    onError: (key, err) => log.warn({ service: key, err: errorText(err) }, 'LoadBalancer allocation failed; retrying'),
    onSynced: () => rebuild(pool, services.cache.list()),
    stopWaitsForSync: true,
  });
}

/** Addresses already in Services' status are theirs again (first claim wins a duplicate). */
function rebuild(pool: AddressPool, services: readonly KubeObject[]): void {
  for (const svc of services) {
    if (!isManaged(svc)) continue;
    for (const ip of ingressIPs(svc)) {
      const canonical = pool.canonical(ip);
      if (canonical && pool.contains(canonical) && !pool.holder(canonical)) pool.claim(canonical, keyOf(svc));
    }
  }
}

async function writeIngress(deps: ControllerDeps, key: string, ingress: { ip: string; ipMode: string }[] | null): Promise<void> {
  const { namespace, name } = splitKey(key);
  try {
    await deps.client.patch(servicesInfo, namespace, name, 'merge', { status: { loadBalancer: { ingress } } }, { subresource: 'status', fieldManager: component });
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
  }
}
