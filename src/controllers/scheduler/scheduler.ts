/**
 * The scheduler: binds pending pods that name this scheduler (and no node) to a node chosen by
 * `schedulePod`, through the pods/binding subresource. A pod that fits nowhere gets
 * PodScheduled=False (reason Unschedulable) and a FailedScheduling event, and is tried again
 * whenever a node changes.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import { keyOf, splitKey } from '../../client/keys.js';
import { WorkQueue } from '../../client/workqueue.js';
import { rfc3339 } from '../../lib/clock.js';
import { errorText, startQueueLoop } from '../shared/loop.js';
import type { Controller, ControllerDeps } from '../types.js';
import { recordEvent } from '../../client/events.js';
import { record } from './filters.js';
import { controllerUid, schedulePod } from './plan.js';
import { PodTally } from './tally.js';

export interface SchedulerConfig {
  schedulerName?: string;
  workers?: number;
}

const podsInfo = findResource('', 'pods') as ResourceInfo;
const component = 'default-scheduler';

export function startScheduler(config: SchedulerConfig, deps: ControllerDeps): Controller {
  const schedulerName = config.schedulerName ?? 'default-scheduler';
  const log = deps.log.child({ controller: 'scheduler', schedulerName });
  const pods = deps.informers.informer('', 'pods');
  const nodes = deps.informers.informer('', 'nodes');
  const queue = new WorkQueue();
  const tally = new PodTally();
  const unschedulable = new Set<string>();

  const isMine = (pod: KubeObject): boolean => {
    const spec = record(pod.spec);
    const phase = record(pod.status).phase;
    return (
      !spec.nodeName &&
      (spec.schedulerName ?? 'default-scheduler') === schedulerName &&
      !pod.metadata.deletionTimestamp &&
      phase !== 'Succeeded' &&
      phase !== 'Failed'
    );
  };
  const onPod = (pod: KubeObject): void => {
    const key = keyOf(pod);
    tally.observe(key, pod);
    if (isMine(pod) && !tally.isAssumed(key)) queue.add(key);
    else unschedulable.delete(key);
  };
  pods.addHandlers({
    onAdd: onPod,
    onUpdate: (_old, pod) => onPod(pod),
    onDelete: (pod) => {
      tally.observe(keyOf(pod), undefined);
      unschedulable.delete(keyOf(pod));
    },
  });
  // Any node change may make room: retry every pod that found none.
  const retryUnschedulable = (): void => {
    for (const key of unschedulable) queue.add(key);
  };
  nodes.addHandlers({ onAdd: retryUnschedulable, onUpdate: retryUnschedulable, onDelete: retryUnschedulable });

  const sync = async (key: string): Promise<void> => {
    const pod = pods.cache.get(key);
    if (!pod || !isMine(pod) || tally.isAssumed(key)) return;
    const owner = controllerUid(pod);
    const loads = nodes.cache.list().map((node) => {
      const name = node.metadata.name ?? '';
      return { node, pods: tally.pods(name), siblings: tally.siblings(name, owner) };
    });
    const result = schedulePod(pod, loads);
    if ('unschedulable' in result) {
      unschedulable.add(key);
      await reportUnschedulable(deps, pod, result.unschedulable);
      return;
    }
    unschedulable.delete(key);
    // Counted before the await, so concurrent workers spread instead of piling onto one node.
    tally.assume(key, pod, result.nodeName);
    try {
      await bindPod(deps, pod, result.nodeName);
    } catch (err) {
      tally.forget(key);
      if (isStatusError(err, 'NotFound') || isStatusError(err, 'Conflict')) return; // gone, or bound by someone else
      throw err;
    }
    // Best effort, as every event: the pod is bound whether or not this is recorded.
    const scheduled = { object: { ...pod, apiVersion: 'v1', kind: 'Pod' }, type: 'Normal' as const, reason: 'Scheduled', message: `Successfully assigned ${key} to ${result.nodeName}`, component };
    recordEvent(deps.client, deps.clock, scheduled).catch((err: unknown) => log.debug({ pod: key, err: errorText(err) }, 'could not record the Scheduled event'));
  };

  return startQueueLoop({
    queue,
    informers: [pods, nodes],
    workers: config.workers ?? 4,
    sync,
    onError: (key, err) => log.warn({ pod: key, err: errorText(err) }, 'scheduling failed; retrying'),
    stopWaitsForSync: true,
  });
}

/** POST pods/<name>/binding: the API server sets spec.nodeName and PodScheduled=True. */
export async function bindPod(deps: Pick<ControllerDeps, 'client'>, pod: KubeObject, nodeName: string): Promise<void> {
  const { name, namespace, uid } = pod.metadata;
  const binding: KubeObject = {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name, namespace, uid },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  };
  await deps.client.create(podsInfo, namespace, binding, { subresource: 'binding', fieldManager: component });
}

/** PodScheduled=False/Unschedulable with the message, and one event per new message. */
async function reportUnschedulable(deps: ControllerDeps, pod: KubeObject, message: string): Promise<void> {
  const status = record(pod.status);
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).map(record);
  const current = conditions.find((c) => c.type === 'PodScheduled');
  if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
  const condition = {
    type: 'PodScheduled',
    status: 'False',
    reason: 'Unschedulable',
    message,
    lastProbeTime: null,
    lastTransitionTime: current?.status === 'False' && typeof current.lastTransitionTime === 'string' ? current.lastTransitionTime : rfc3339(deps.clock.now()),
  };
  const next = [...conditions.filter((c) => c.type !== 'PodScheduled'), condition];
  const { namespace, name } = splitKey(keyOf(pod));
  try {
    await deps.client.patch(podsInfo, namespace, name, 'merge', { status: { conditions: next } }, { subresource: 'status', fieldManager: component });
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return;
    throw err;
  }
  await recordEvent(deps.client, deps.clock, {
    object: { ...pod, apiVersion: 'v1', kind: 'Pod' },
    type: 'Warning',
    reason: 'FailedScheduling',
    message,
    component,
  });
}
