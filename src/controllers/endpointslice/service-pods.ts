/**
 * The event wiring both endpoint controllers share: a Service change queues that Service; a
 * pod change queues every Service selecting the pod (before and after the change).
 */
import { keyOf } from '../../client/keys.js';
import type { Informer } from '../../client/informer.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { podUpdateMatters, servicesSelecting } from './pods.js';
import type { Pod, Service } from './types.js';

export interface ServicePodQueueing {
  /** Keys of the Services selecting a pod. */
  podServices(pod: Pod): Set<string>;
  enqueueAll(keys: Iterable<string>): void;
}

export function queueServicesOnChanges(args: { services: Informer<Service>; pods: Informer<Pod>; queue: WorkQueue }): ServicePodQueueing {
  const { services, pods, queue } = args;
  const enqueueAll = (keys: Iterable<string>): void => {
    for (const k of keys) queue.add(k);
  };
  const podServices = (pod: Pod): Set<string> => servicesSelecting(services.cache, pod.metadata.namespace ?? '', pod.metadata.labels);
  services.addHandlers({
    onAdd: (svc) => queue.add(keyOf(svc)),
    onUpdate: (_old, svc) => queue.add(keyOf(svc)),
    onDelete: (svc) => queue.add(keyOf(svc)),
  });
  pods.addHandlers({
    onAdd: (pod) => enqueueAll(podServices(pod)),
    onUpdate: (old, pod) => {
      if (!podUpdateMatters(old, pod)) return;
      enqueueAll(podServices(pod));
      enqueueAll(podServices(old));
    },
    onDelete: (pod) => enqueueAll(podServices(pod)),
  });
  return { podServices, enqueueAll };
}
