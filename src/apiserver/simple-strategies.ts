/** Strategies of resources whose only special behaviour is a small preparation step. */
import { defaultJobSelector } from '../api/defaults/index.js';
import { isRecord, type KubeObject } from '../api/types.js';
import type { ResourceStrategy } from './hooks.js';

/** Jobs select their pods by the Job's uid unless the user manages the selector. */
export function jobStrategy(): ResourceStrategy {
  return {
    prepareForCreate(job) {
      const spec = isRecord(job.spec) ? job.spec : {};
      if (!spec.selector || spec.manualSelector !== true) defaultJobSelector(job, job.metadata.uid ?? '');
    },
  };
}

/** A Secret's write-only `stringData` is folded into `data` (base64), as Kubernetes does. */
function foldStringData(secret: KubeObject): void {
  if (!isRecord(secret.stringData)) return;
  const data = isRecord(secret.data) ? { ...secret.data } : {};
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  secret.data = data;
  delete secret.stringData;
}

export function secretStrategy(): ResourceStrategy {
  return { prepareForCreate: foldStringData, prepareForUpdate: foldStringData };
}

/**
 * Namespaces are deleted in two steps, as in Kubernetes: DELETE marks them Terminating; the
 * namespace controller empties them and clears spec.finalizers (the `finalize` subresource),
 * and then they go.
 */
export function namespaceStrategy(): ResourceStrategy {
  const specFinalizers = (ns: KubeObject): unknown[] => {
    const spec = isRecord(ns.spec) ? ns.spec : {};
    return Array.isArray(spec.finalizers) ? spec.finalizers : [];
  };
  return {
    holdsDeletion: (ns) => specFinalizers(ns).length > 0,
    prepareForDelete(ns) {
      ns.status = { ...(isRecord(ns.status) ? ns.status : {}), phase: 'Terminating' };
    },
  };
}
