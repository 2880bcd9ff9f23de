/**
 * The EndpointSlice mirroring controller: for Services without a selector whose users
 * write Endpoints, keeps matching EndpointSlices so that slice readers (kube-proxy, DNS)
 * see those back ends too. Keys are `namespace/name` of the Service and Endpoints alike.
 */
import type { KubeObject } from '../../api/types.js';
import { keyOf, splitKey } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { applySliceChanges } from '../endpointslice/apply.js';
import { SliceExpectations } from '../endpointslice/expectations.js';
import {
  type Endpoints,
  type EndpointSlice,
  labelManagedBy,
  labelServiceName,
  mirroringControllerName,
  type Service,
} from '../endpointslice/types.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { planMirroredSlices } from './planner.js';

export interface EndpointSliceMirroringControllerConfig {
  workers?: number;
}

const fieldManager = 'endpointslicemirroring-controller';

function isMirrored(slice: KubeObject): boolean {
  return slice.metadata.labels?.[labelManagedBy] === mirroringControllerName;
}

export function startEndpointSliceMirroringController(config: EndpointSliceMirroringControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'endpointslicemirroring' });
  const services = deps.informers.informer<Service>('', 'services');
  const endpoints = deps.informers.informer<Endpoints>('', 'endpoints');
  const slices = deps.informers.informer<EndpointSlice>('discovery.k8s.io', 'endpointslices');
  const queue = new WorkQueue();
  const expectations = new SliceExpectations(slices.cache, deps.clock);
  const enqueue = (obj: KubeObject): void => queue.add(keyOf(obj));
  const enqueueOwner = (slice: KubeObject): void => {
    const name = slice.metadata.labels?.[labelServiceName];
    if (name && isMirrored(slice)) queue.add(`${slice.metadata.namespace ?? ''}/${name}`);
  };

  services.addHandlers({ onAdd: enqueue, onUpdate: (_old, svc) => enqueue(svc), onDelete: enqueue });
  endpoints.addHandlers({ onAdd: enqueue, onUpdate: (_old, ep) => enqueue(ep), onDelete: enqueue });
  slices.addHandlers({
    onAdd: enqueueOwner,
    onUpdate: (old, slice) => {
      enqueueOwner(old);
      enqueueOwner(slice);
    },
    onDelete: (slice) => {
      const name = slice.metadata.labels?.[labelServiceName];
      if (name) expectations.observeDeleted(`${slice.metadata.namespace ?? ''}/${name}`, keyOf(slice));
      enqueueOwner(slice);
    },
  });

  async function sync(key: string): Promise<void> {
    if (!expectations.isSynced(key)) throw new Error(`EndpointSlice cache for ${key} is behind this controller's writes`);
    const { namespace = '', name } = splitKey(key);
    const existingSlices = slices.cache.listByLabels(namespace, { [labelServiceName]: name, [labelManagedBy]: mirroringControllerName });
    const plan = planMirroredSlices({ endpoints: endpoints.cache.get(key), service: services.cache.get(key), existingSlices });
    if (plan.skippedAddresses > 0) log.warn({ endpoints: key, skipped: plan.skippedAddresses }, 'addresses not mirrored (over 1000 per subset, or not an IP)');
    await applySliceChanges({ client: deps.client, ownerKey: key, changes: plan, expectations, fieldManager });
    if (!services.cache.get(key)) expectations.forget(key);
  }

  return startQueueLoop({
    queue,
    informers: [services, endpoints, slices],
    workers: config.workers ?? 2,
    sync,
    onError: (key, err) => log.debug({ endpoints: key, err: errorText(err) }, 'sync failed; retrying'),
  });
}
