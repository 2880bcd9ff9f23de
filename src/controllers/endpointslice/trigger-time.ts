/**
 * The `endpoints.kubernetes.io/last-change-trigger-time` annotation: the time of the earliest
 * change (a pod's Ready transition, or the Service's creation) that this write reflects and
 * the previous one did not. It lets watchers measure end-to-end latency. Like upstream, a
 * pod changing twice between two syncs yields an approximate value.
 */
import { podReadyCondition } from './pods.js';
import type { Pod, Service } from './types.js';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

function parseTime(value: string | undefined): number {
  if (!value) return 0;
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

/** A computed trigger time and the state to remember once the write that carries it succeeded. */
export interface TriggerTime {
  time: Date | undefined;
  readonly state: ServiceState;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * The trigger time for this sync of `key` (undefined: clear the annotation). Nothing is
   * remembered until `commit`, so a failed write is retried with the same trigger time.
   */
  compute(key: string, service: Service, pods: readonly Pod[]): TriggerTime {
    const previous = this.states.get(key);
    let earliestChange = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parseTime(podReadyCondition(pod)?.lastTransitionTime);
      if (t === 0) continue;
      const name = pod.metadata.name ?? '';
      podTimes.set(name, t);
      if (t > (previous?.podTimes.get(name) ?? 0) && (earliestChange === 0 || t < earliestChange)) earliestChange = t;
    }
    const serviceTime = parseTime(service.metadata.creationTimestamp);
    if (serviceTime > (previous?.serviceTime ?? 0) && (earliestChange === 0 || serviceTime < earliestChange)) earliestChange = serviceTime;
    const state = { serviceTime, podTimes };
    if (!previous) return { time: serviceTime ? new Date(serviceTime) : undefined, state };
    return { time: earliestChange ? new Date(earliestChange) : undefined, state };
  }

  commit(key: string, trigger: TriggerTime): void {
    this.states.set(key, trigger.state);
  }

  forget(key: string): void {
    this.states.delete(key);
  }
}
