/**
 * The EndpointSlice controller: keeps each selector Service's EndpointSlices equal to the
 * pods it selects. Handlers only enqueue Service keys; `sync` re-reads the caches, plans
 * with `planEndpointSlices` and applies the plan.
 */
import type { KubeObject } from '../../api/types.js';
import { keyOf, splitKey } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import { queueServicesOnChanges } from './service-pods.js';
import type { Controller, ControllerDeps } from '../types.js';
import { applySliceChanges } from './apply.js';
import { SliceExpectations } from './expectations.js';
import { planEndpointSlices } from './planner.js';
import { hasSelector, selectorPairs, serviceSelectorIndex } from './pods.js';
import { TriggerTimeTracker } from './trigger-time.js';
import {
  type EndpointSlice,
  endpointSliceControllerName,
  labelManagedBy,
  labelServiceName,
  labelTopologyZone,
  type Node,
  type Pod,
  type Service,
} from './types.js';

export interface EndpointSliceControllerConfig {
  /** Endpoints per slice: default 100, at most 1000. */
  maxEndpointsPerSlice?: number;
  workers?: number;
}

const podNodeIndex = 'endpointslice.pod-node';
const fieldManager = 'endpointslice-controller';

function isManaged(slice: KubeObject): boolean {
  return slice.metadata.labels?.[labelManagedBy] === endpointSliceControllerName;
}

function serviceKeyOf(slice: KubeObject): string | undefined {
  const name = slice.metadata.labels?.[labelServiceName];
  return name ? `${slice.metadata.namespace ?? ''}/${name}` : undefined;
}

export function startEndpointSliceController(config: EndpointSliceControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'endpointslice' });
  const services = deps.informers.informer<Service>('', 'services');
  const pods = deps.informers.informer<Pod>('', 'pods');
  const nodes = deps.informers.informer<Node>('', 'nodes');
  const slices = deps.informers.informer<EndpointSlice>('discovery.k8s.io', 'endpointslices');
  services.cache.addIndex(serviceSelectorIndex, selectorPairs);
  pods.cache.addIndex(podNodeIndex, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));

  const queue = new WorkQueue();
  const triggerTimes = new TriggerTimeTracker();
  const expectations = new SliceExpectations(slices.cache, deps.clock);
  const { podServices, enqueueAll } = queueServicesOnChanges({ services, pods, queue });
  // A node appearing or changing zone changes the endpoints of the pods on it.
  const nodeChanged = (node: Node): void => {
    for (const pod of pods.cache.byIndex(podNodeIndex, node.metadata.name ?? '')) enqueueAll(podServices(pod));
  };
  nodes.addHandlers({
    onAdd: nodeChanged,
    onUpdate: (old, node) => {
      if (old.metadata.labels?.[labelTopologyZone] !== node.metadata.labels?.[labelTopologyZone]) nodeChanged(node);
    },
    onDelete: nodeChanged,
  });
  const sliceChanged = (slice: EndpointSlice): void => {
    const key = serviceKeyOf(slice);
    if (key) queue.add(key);
  };
  slices.addHandlers({
    onAdd: (s) => isManaged(s) && sliceChanged(s),
    onUpdate: (old, s) => (isManaged(old) || isManaged(s)) && sliceChanged(s),
    onDelete: (s) => {
      const key = serviceKeyOf(s);
      if (key) expectations.observeDeleted(key, keyOf(s));
      if (isManaged(s)) sliceChanged(s);
    },
  });

  async function sync(key: string): Promise<void> {
    const svc = services.cache.get(key);
    if (!svc) {
      // The garbage collector removes the slices through their ownerReference.
      triggerTimes.forget(key);
      expectations.forget(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !hasSelector(svc)) return;
    if (!expectations.isSynced(key)) throw new Error(`EndpointSlice cache for ${key} is behind this controller's writes`);
    const { namespace = '', name } = splitKey(key);
    const selected = pods.cache.listByLabels(namespace, svc.spec?.selector ?? {});
    const existingSlices = slices.cache.listByLabels(namespace, { [labelServiceName]: name, [labelManagedBy]: endpointSliceControllerName });
    const trigger = triggerTimes.compute(key, svc, selected);
    const plan = planEndpointSlices({
      service: svc,
      pods: selected,
      existingSlices,
      nodes: nodes.cache,
      maxEndpointsPerSlice: config.maxEndpointsPerSlice,
      triggerTime: trigger.time,
    });
    await applySliceChanges({ client: deps.client, ownerKey: key, changes: plan, expectations, fieldManager });
    triggerTimes.commit(key, trigger);
    if (plan.missingNodes.length > 0) {
      throw new Error(`pods of ${key} are on unknown nodes ${plan.missingNodes.join(', ')}; left out for now`);
    }
  }

  return startQueueLoop({
    queue,
    informers: [services, pods, nodes, slices],
    workers: config.workers ?? 4,
    sync,
    onError: (key, err) => log.debug({ service: key, err: errorText(err) }, 'sync failed; retrying'),
  });
}
