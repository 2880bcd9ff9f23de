/**
 * The Deployment controller: Deployment, ReplicaSet and pod events enqueue Deployment keys; a
 * sync claims the Deployment's ReplicaSets, plans one rollout step and applies it.
 */
import { selectorFromLabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { keyOf } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { controllerRefOf, controllerUidIndex, controllerUidIndexValues } from '../replicaset/ownership.js';
import type { Pod, ReplicaSet } from '../replicaset/types.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { applyRollout, claimReplicaSets, type DeploymentWriter } from './apply.js';
import { planRollout } from './plan.js';
import type { Deployment } from './types.js';

export interface DeploymentControllerConfig {
  /** Deployments synced at once (upstream --concurrent-deployment-syncs, 5). */
  workers?: number;
}

export function startDeploymentController(config: DeploymentControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'deployment-controller' });
  const queue = new WorkQueue({ minResyncMs: 50 }) // coalesce bursts of pod events on one owner;
  const deployments = deps.informers.informer<Deployment>('apps', 'deployments');
  const replicaSets = deps.informers.informer<ReplicaSet>('apps', 'replicasets');
  const pods = deps.informers.informer<Pod>('', 'pods');
  replicaSets.cache.addIndex(controllerUidIndex, controllerUidIndexValues);
  pods.cache.addIndex(controllerUidIndex, controllerUidIndexValues);
  const owners = new DeploymentResolver(deployments, replicaSets);

  deployments.addHandlers({
    onAdd: (d) => queue.add(keyOf(d)),
    onUpdate: (_old, d) => queue.add(keyOf(d)),
    onDelete: (d) => queue.add(keyOf(d)),
  });
  replicaSets.addHandlers({
    onAdd: (rs) => owners.forReplicaSet(rs).forEach((k) => queue.add(k)),
    onUpdate: (old, rs) => new Set([...owners.forReplicaSet(old), ...owners.forReplicaSet(rs)]).forEach((k) => queue.add(k)),
    onDelete: (rs) => owners.forReplicaSet(rs).forEach((k) => queue.add(k)),
  });
  // Recreate waits for the old pods to be gone: their deletion is the signal to go on.
  pods.addHandlers({
    onDelete: (pod) => {
      const key = owners.forPod(pod);
      if (key && deployments.cache.get(key)?.spec?.strategy?.type === 'Recreate') queue.add(key);
    },
  });

  const writer: DeploymentWriter = { client: deps.client, fieldManager: 'deployment-controller' };
  const sync = async (key: string): Promise<void> => {
    const d = deployments.cache.get(key);
    if (!d) return;
    const claim = claimReplicaSets(d, candidatesOf(replicaSets, d));
    await claim.apply(writer);
    const rsUids = new Set(claim.owned.map((rs) => rs.metadata.uid ?? ''));
    const ownedPods = [...rsUids].flatMap((uid) => pods.cache.byIndex(controllerUidIndex, uid));
    const plan = planRollout({ deployment: d, replicaSets: claim.owned, pods: ownedPods, now: deps.clock.now() });
    const requeue = await applyRollout({ writer, deployment: d, plan, cached: (name) => replicaSets.cache.get(`${d.metadata.namespace ?? ''}/${name}`), now: deps.clock.now() });
    if (requeue !== undefined) queue.addAfter(key, requeue);
  };

  return startQueueLoop({
    queue,
    informers: [deployments, replicaSets, pods],
    workers: config.workers ?? 5,
    sync,
    onError: (key, err) => log.warn({ key, err: errorText(err) }, 'sync failed; retrying'),
  });
}

function candidatesOf(replicaSets: Informer<ReplicaSet>, d: Deployment): ReplicaSet[] {
  const ns = d.metadata.namespace ?? '';
  return [...replicaSets.cache.byIndex(controllerUidIndex, d.metadata.uid ?? ''), ...replicaSets.cache.byIndex(controllerUidIndex, `orphan/${ns}`)];
}

/** Which Deployments care about a ReplicaSet or a pod. */
class DeploymentResolver {
  constructor(
    private readonly deployments: Informer<Deployment>,
    private readonly replicaSets: Informer<ReplicaSet>,
  ) {}

  private ownerKey(obj: KubeObject, kind: string, cache: { get(key: string): KubeObject | undefined }): string | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== kind) return undefined;
    const key = `${obj.metadata.namespace ?? ''}/${ref.name}`;
    return cache.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  /** Its controlling Deployment, or for an orphan every Deployment whose selector matches. */
  forReplicaSet(rs: ReplicaSet): string[] {
    if (controllerRefOf(rs)) {
      const key = this.ownerKey(rs, 'Deployment', this.deployments.cache);
      return key ? [key] : [];
    }
    return this.deployments.cache
      .listNamespace(rs.metadata.namespace ?? '')
      .filter((d) => selects(d, rs))
      .map(keyOf);
  }

  forPod(pod: Pod): string | undefined {
    const rsKey = this.ownerKey(pod, 'ReplicaSet', this.replicaSets.cache);
    const rs = rsKey ? this.replicaSets.cache.get(rsKey) : undefined;
    return rs ? this.ownerKey(rs, 'Deployment', this.deployments.cache) : undefined;
  }
}

function selects(d: Deployment, rs: ReplicaSet): boolean {
  try {
    const selector = selectorFromLabelSelector(d.spec?.selector);
    return !selector.isEmpty() && selector.matches(rs.metadata.labels);
  } catch {
    return false; // an invalid selector selects nothing; the API server refuses such objects
  }
}
