/**
 * The Pod strategy: a pod bound to a node is deleted gracefully (deletionTimestamp set, the
 * node agent stops it and removes it with a zero grace period); an unbound or finished pod
 * goes at once.
 */
import { isRecord, type KubeObject } from '../api/types.js';
import type { ResourceStrategy } from './hooks.js';

export function podStrategy(): ResourceStrategy {
  return {
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
