/** Node taints and pod tolerations, as the scheduler, DaemonSet and node lifecycle controllers read them. */
import { isRecord, type KubeObject } from '../../api/types.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Kubernetes' ToleratesTaint: effect, key (or an empty key with Exists) and value must agree. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if ((toleration.operator || 'Equal') === 'Exists') return true;
  return !!toleration.key && (toleration.value ?? '') === (taint.value ?? '');
}
