/**
 * The namespace controller: once a namespace is Terminating (deletionTimestamp set, `kubernetes`
 * in spec.finalizers), it deletes every namespaced object in it, reports progress in the
 * namespace's conditions, and when nothing is left removes `kubernetes` through the
 * `finalize` subresource, after which the API server removes the namespace.
 * Content is read from the server, not from caches: emptiness must be certain.
 */
import { findResource, resources, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { rfc3339 } from '../../lib/clock.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import {
  finalizersAfterCleanup,
  namespaceConditions,
  namespaceFinalizer,
  planContentDeletion,
  type NamespaceCondition,
  type Remaining,
  type ResourceContent,
} from './plan.js';

export interface NamespaceControllerConfig {
  workers?: number;
  /** How soon to look again while content is still going (objects with finalizers or grace periods). */
  recheckMs?: number;
  /** Deletes in flight at once per namespace. */
  deleteConcurrency?: number;
}

const namespacesInfo = findResource('', 'namespaces') as ResourceInfo;

export function startNamespaceController(config: NamespaceControllerConfig, deps: ControllerDeps): Controller {
  const log = deps.log.child({ controller: 'namespace-controller' });
  const informer = deps.informers.informer('', 'namespaces');
  const queue = new WorkQueue();
  const enqueue = (ns: KubeObject): void => {
    if (ns.metadata.deletionTimestamp) queue.add(ns.metadata.name ?? '');
  };
  informer.addHandlers({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });

  const sync = async (name: string): Promise<void> => {
    const ns = informer.cache.get(name);
    if (!ns?.metadata.deletionTimestamp || !specFinalizers(ns).includes(namespaceFinalizer)) return;
    const { remaining, failures } = await deleteContent(deps, name, config.deleteConcurrency ?? 32);
    await writeConditions(deps, ns, namespaceConditions(remaining, failures));
    if (failures.length > 0) throw new Error(`deleting content of namespace ${name} failed: ${failures.join(', ')}`);
    if (remaining.some((r) => r.items.length > 0)) {
      queue.addAfter(name, config.recheckMs ?? 500);
      return;
    }
    await finalize(deps, ns);
  };

  return startQueueLoop({
    queue,
    informers: [informer],
    workers: config.workers ?? 2,
    sync,
    onError: (key, err) => log.warn({ namespace: key, err: errorText(err) }, 'namespace cleanup failed; retrying'),
    stopWaitsForSync: true,
  });
}

function specFinalizers(ns: KubeObject): string[] {
  const spec = isRecord(ns.spec) ? ns.spec : {};
  return Array.isArray(spec.finalizers) ? spec.finalizers.filter((f): f is string => typeof f === 'string') : [];
}

function groupResource(info: ResourceInfo): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

/** Deletes every namespaced object not yet being deleted; returns what is still there. */
async function deleteContent(deps: ControllerDeps, namespace: string, concurrency: number): Promise<{ remaining: Remaining[]; failures: string[] }> {
  const namespaced = resources.filter((r) => r.namespaced && r.verbs.includes('delete'));
  const content = await Promise.all(
    namespaced.map(async (info): Promise<{ info: ResourceInfo; content: ResourceContent }> => {
      const list = await deps.client.list(info, namespace);
      const items = list.items.map((o) => ({ name: o.metadata.name ?? '', beingDeleted: !!o.metadata.deletionTimestamp, finalizers: o.metadata.finalizers ?? [] }));
      return { info, content: { resource: groupResource(info), items } };
    }),
  );
  const infoByResource = new Map(content.map((c) => [c.content.resource, c.info]));
  const stillThere = new Map<string, KubeObject[]>();
  const failures = new Set<string>();
  const deletes = planContentDeletion(content.map((c) => c.content));
  await forEachLimited(deletes, concurrency, async ({ resource, name }) => {
    try {
      const left = await deps.client.delete(infoByResource.get(resource) as ResourceInfo, namespace, name, { propagationPolicy: 'Background' });
      // A delete that leaves the object behind (finalizers, a grace period) answers with it, marked.
      if (left.metadata.deletionTimestamp) stillThere.set(resource, [...(stillThere.get(resource) ?? []), left]);
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) failures.add(resource);
    }
  });
  const remaining = content.map(({ content: c }) => ({
    resource: c.resource,
    items: [
      ...c.items.filter((i) => i.beingDeleted),
      ...(stillThere.get(c.resource) ?? []).map((o) => ({ name: o.metadata.name ?? '', beingDeleted: true, finalizers: o.metadata.finalizers ?? [] })),
    ],
  }));
  return { remaining, failures: [...failures].sort() };
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Writes the conditions when they differ from the stored ones (ignoring timestamps). */
async function writeConditions(deps: ControllerDeps, ns: KubeObject, wanted: NamespaceCondition[]): Promise<void> {
  const status = isRecord(ns.status) ? ns.status : {};
  const current = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  const same = (c: NamespaceCondition): boolean =>
    current.some((x) => x.type === c.type && x.status === c.status && x.reason === c.reason && x.message === c.message);
  if (wanted.every(same)) return;
  const now = rfc3339(deps.clock.now());
  const conditions = wanted.map((c) => {
    const old = current.find((x) => x.type === c.type);
    return { ...c, lastTransitionTime: old && old.status === c.status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now };
  });
  try {
    await deps.client.patch(namespacesInfo, undefined, ns.metadata.name ?? '', 'merge', { status: { conditions } }, { subresource: 'status', fieldManager: 'namespace-controller' });
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
  }
}

/** Removes `kubernetes` from spec.finalizers through the `finalize` subresource. */
async function finalize(deps: ControllerDeps, ns: KubeObject): Promise<void> {
  const body: KubeObject = { metadata: { name: ns.metadata.name }, spec: { finalizers: finalizersAfterCleanup(specFinalizers(ns)) } };
  try {
    await deps.client.update(namespacesInfo, body, { subresource: 'finalize', fieldManager: 'namespace-controller' });
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
  }
}
