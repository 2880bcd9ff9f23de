/**
 * Test support only: a tiny stand-in for a node agent, for the workload controllers'
 * integration tests. It binds pending pods (to the node a DaemonSet pod's affinity names, or
 * to a default node), reports them Running and Ready through the status subresource (job
 * pods then Succeeded), and finishes graceful deletions.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { InformerFactory } from '../../client/factory.js';
import { keyOf, splitKey } from '../../client/keys.js';
import type { ApiClient } from '../../client/rest.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { podPhase, podSpec } from './pod-state.js';

const podsInfo = findResource('', 'pods') as ResourceInfo;

export interface TestNodeOptions {
  client: ApiClient;
  informers: InformerFactory;
  /** Bind unbound pods (to their affinity's node, else to this node); unset leaves them unbound. */
  bindTo?: string;
  /** How a running pod then ends, if it does (job pods). */
  finishes?: (pod: KubeObject) => 'Succeeded' | 'Failed' | undefined;
}

/** The node named by a DaemonSet pod's required node affinity (matchFields metadata.name). */
function affinityNode(pod: KubeObject): string | undefined {
  const terms = (podSpec(pod) as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: unknown } } } })
    .affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms)) return undefined;
  for (const term of terms) {
    const fields = isRecord(term) && Array.isArray(term.matchFields) ? term.matchFields : [];
    for (const f of fields) if (isRecord(f) && f.key === 'metadata.name' && Array.isArray(f.values)) return String(f.values[0]);
  }
  return undefined;
}

let ipCounter = 1;

export function startTestNode(options: TestNodeOptions): { stop(): Promise<void> } {
  const pods = options.informers.informer('', 'pods');
  const queue = new WorkQueue();
  const enqueue = (pod: KubeObject): void => queue.add(keyOf(pod));
  pods.addHandlers({ onAdd: enqueue, onUpdate: (_o, pod) => enqueue(pod) });
  const { client } = options;

  const sync = async (key: string): Promise<void> => {
    const pod = pods.cache.get(key);
    if (!pod) return;
    const { namespace, name } = splitKey(key);
    const nodeName = podSpec(pod).nodeName;
    if (pod.metadata.deletionTimestamp) {
      if (nodeName) await client.delete(podsInfo, namespace, name, { gracePeriodSeconds: 0 }).catch(ignoreNotFound);
      return;
    }
    const target = affinityNode(pod) ?? options.bindTo;
    if (!nodeName && target) {
      const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: target } };
      await client.create(podsInfo, namespace, binding, { subresource: 'binding' }).catch(ignoreNotFound);
      return;
    }
    const phase = podPhase(pod);
    const end = phase === 'Running' ? options.finishes?.(pod) : undefined;
    if (phase === 'Pending') await setStatus(pod, 'Running');
    else if (end) await setStatus(pod, end);
  };

  const setStatus = async (pod: KubeObject, phase: 'Running' | 'Succeeded' | 'Failed'): Promise<void> => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ready = phase === 'Running' ? 'True' : 'False';
    const status = {
      ...(isRecord(pod.status) ? pod.status : {}),
      phase,
      podIP: `10.244.0.${ipCounter++ % 250}`,
      conditions: [{ type: 'Ready', status: ready, lastTransitionTime: now }],
    };
    await client.update(podsInfo, { ...pod, status }, { subresource: 'status' }).catch(ignoreNotFound);
  };

  const running = runWorkers({ queue, workers: 4, sync });
  return {
    async stop() {
      queue.shutDown();
      await running;
    },
  };
}

function ignoreNotFound(err: unknown): void {
  if (!isStatusError(err, 'NotFound')) throw err;
}
