/**
 * Records core/v1 Events about an object, as `kubectl describe` shows them. Events are best
 * effort: a failure to record one is logged by the caller's loop, never fatal to the sync.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { ApiClient } from '../../client/rest.js';
import { rfc3339, type Clock } from '../../lib/clock.js';

const eventsInfo = findResource('', 'events') as ResourceInfo;
let sequence = 0n;

/** `<object>.<hex nanoseconds>`, as client-go names events (unique within a process). */
function eventName(object: string, clock: Clock): string {
  sequence = (sequence + 1n) % 1_000_000n;
  return `${object}.${(BigInt(clock.now().getTime()) * 1_000_000n + sequence).toString(16)}`;
}

export interface EventRecord {
  object: KubeObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
}

export async function recordEvent(client: ApiClient, clock: Clock, e: EventRecord): Promise<void> {
  const now = rfc3339(clock.now());
  const { name, namespace, uid, resourceVersion } = e.object.metadata;
  await client.create(eventsInfo, namespace ?? 'default', {
    metadata: { name: eventName(name ?? 'object', clock), namespace: namespace ?? 'default' },
    involvedObject: { apiVersion: e.object.apiVersion, kind: e.object.kind, name, namespace, uid, resourceVersion },
    type: e.type,
    reason: e.reason,
    message: e.message,
    source: { component: e.component },
    reportingComponent: e.component,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}
