/**
 * Test support: a tiny stand-in for a node. Every pending pod it sees is reported Running and
 * Ready (with a pod IP) through the status subresource after a short delay, so ReplicaSet and
 * Deployment availability advances as it would on a cluster.
 */
import type { InformerFactory } from '../../../client/factory.js';
import { keyOf } from '../../../client/keys.js';
import type { ApiClient } from '../../../client/rest.js';
import { rfc3339 } from '../../../lib/clock.js';
import { podsResource } from '../apply.js';
import type { Pod } from '../types.js';

export interface FakeNode {
  /** Pods started so far, by key. */
  readonly started: Set<string>;
  stop(): void;
}

/** Pods with this annotation set to "true" are left Pending (to hold a rollout). */
export const holdAnnotation = 'test.switchboard.dev/hold';

export function startFakeNode(args: { client: ApiClient; informers: InformerFactory; readyDelayMs?: number }): FakeNode {
  const started = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let nextIp = 2;
  const start = (pod: Pod): void => {
    const key = keyOf(pod);
    if (stopped || started.has(key) || pod.metadata.deletionTimestamp || pod.status?.phase !== 'Pending') return;
    if (pod.metadata.annotations?.[holdAnnotation] === 'true') return;
    started.add(key);
    const timer = setTimeout(() => {
      timers.delete(timer);
      void markRunning(args.client, pod, `10.244.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 2}`).catch(() => started.delete(key));
    }, args.readyDelayMs ?? 20);
    timers.add(timer);
  };
  args.informers.informer<Pod>('', 'pods').addHandlers({ onAdd: start, onUpdate: (_old, pod) => start(pod) });
  return {
    started,
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}

async function markRunning(client: ApiClient, pod: Pod, podIP: string): Promise<void> {
  const now = rfc3339(new Date());
  const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: now, lastProbeTime: null });
  const status = {
    phase: 'Running',
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: now,
    conditions: [condition('Initialized'), condition('ContainersReady'), condition('Ready'), condition('PodScheduled')],
  };
  await client.patch(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', { status }, { subresource: 'status' });
}
