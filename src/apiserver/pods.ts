/**
 * The Pod strategy: a pod bound to a node is deleted gracefully (deletionTimestamp set, the
 * node agent stops it and removes it with a zero grace period); an unbound or finished pod
 * goes at once.
 */
import { isRecord, type KubeObject } from '../api/types.js';
import type { ResourceStrategy } from './hooks.js';

interface Resources {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

/** The QoS class Kubernetes derives from the containers' requests and limits. */
export function qosClass(spec: Record<string, unknown>): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [spec.containers, spec.initContainers].flatMap((list) => (Array.isArray(list) ? list : []));
  const resources = containers.map((c) => (isRecord(c) && isRecord(c.resources) ? (c.resources as Resources) : {}));
  const any = resources.some((r) => Object.keys(r.requests ?? {}).length + Object.keys(r.limits ?? {}).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = resources.every((r) =>
    ['cpu', 'memory'].every((name) => {
      const limit = r.limits?.[name];
      const request = r.requests?.[name] ?? limit;
      return limit !== undefined && String(limit) === String(request);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function podStrategy(): ResourceStrategy {
  return {
    /** A new pod is Pending until a node reports on it; the status a client sent is ignored. */
    prepareForCreate(pod: KubeObject) {
      const spec = isRecord(pod.spec) ? pod.spec : {};
      pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
    },
    gracePeriod(pod: KubeObject, requested: number | undefined): number {
      const spec = isRecord(pod.spec) ? pod.spec : {};
      const status = isRecord(pod.status) ? pod.status : {};
      if (!spec.nodeName) return 0;
      if (status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
      if (requested !== undefined) return Math.max(0, requested);
      const configured = spec.terminationGracePeriodSeconds;
      return typeof configured === 'number' ? configured : 30;
    },
  };
}
