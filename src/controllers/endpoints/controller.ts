/**
 * The Endpoints controller: keeps the legacy Endpoints object of every selector Service in
 * step with its pods, and deletes Endpoints whose Service is gone. Endpoints of Services
 * without a selector belong to their users and are left alone.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { keyOf, splitKey } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { isNamespaceTerminating } from '../endpointslice/apply.js';
import { hasSelector, selectorPairs, serviceSelectorIndex } from '../endpointslice/pods.js';
import { TriggerTimeTracker } from '../endpointslice/trigger-time.js';
import { annotationLeader, type Endpoints, type Pod, type Service } from '../endpointslice/types.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import { queueServicesOnChanges } from '../endpointslice/service-pods.js';
import type { Controller, ControllerDeps } from '../types.js';
import { planEndpoints, type EndpointsPlan } from './planner.js';

export interface EndpointsControllerConfig {
  workers?: number;
}

const endpointsInfo = findResource('', 'endpoints') as ResourceInfo;
const fieldManager = 'endpoint-controller';

async function applyPlan(deps: ControllerDeps, plan: EndpointsPlan): Promise<void> {
  const options = { fieldManager };
  for (const ep of plan.create) {
    try {
      await deps.client.create(endpointsInfo, ep.metadata.namespace, ep, options);
    } catch (err) {
      if (!isNamespaceTerminating(err)) throw err;
    }
  }
  for (const ep of plan.update) await deps.client.update(endpointsInfo, ep, options);
  for (const ep of plan.delete) {
    try {
      await deps.client.delete(endpointsInfo, ep.metadata.namespace, ep.metadata.name ?? '');
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }
}

export function startEndpointsController(config: EndpointsControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'endpoints' });
  const services = deps.informers.informer<Service>('', 'services');
  const pods = deps.informers.informer<Pod>('', 'pods');
  const endpoints = deps.informers.informer<Endpoints>('', 'endpoints');
  services.cache.addIndex(serviceSelectorIndex, selectorPairs);

  const queue = new WorkQueue();
  const triggerTimes = new TriggerTimeTracker();
  queueServicesOnChanges({ services, pods, queue });
  endpoints.addHandlers({
    // Someone else changed or removed Endpoints we manage: put them back.
    onUpdate: (_old, ep) => {
      const svc = services.cache.get(keyOf(ep));
      if (svc && hasSelector(svc)) queue.add(keyOf(ep));
    },
    onDelete: (ep) => queue.add(keyOf(ep)),
  });

  async function sync(key: string): Promise<void> {
    const svc = services.cache.get(key);
    const { namespace = '', name } = splitKey(key);
    if (!svc) {
      triggerTimes.forget(key);
      // Delete by name even when the cache has not seen the Endpoints yet (as upstream does).
      const current = endpoints.cache.get(key) ?? { metadata: { namespace, name } };
      await applyPlan(deps, planEndpoints({ service: undefined, pods: [], current }));
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !hasSelector(svc)) return;
    const selected = pods.cache.listByLabels(namespace, svc.spec?.selector ?? {});
    const trigger = triggerTimes.compute(key, svc, selected);
    const plan = planEndpoints({ service: svc, pods: selected, current: endpoints.cache.get(key), triggerTime: trigger.time });
    await applyPlan(deps, plan);
    triggerTimes.commit(key, trigger);
  }

  /** checkLeftoverEndpoints: Endpoints whose Service went while no controller ran. */
  function enqueueLeftovers(): void {
    for (const ep of endpoints.cache.list()) {
      if (ep.metadata.annotations?.[annotationLeader] !== undefined) continue;
      if (!services.cache.get(keyOf(ep))) queue.add(keyOf(ep));
    }
  }

  return startQueueLoop({
    queue,
    informers: [services, pods, endpoints],
    workers: config.workers ?? 4,
    sync,
    onError: (key, err) => log.debug({ service: key, err: errorText(err) }, 'sync failed; retrying'),
    onSynced: enqueueLeftovers,
  });
}
