/**
 * core/v1 Events about an object, as `kubectl describe` shows them. Events are best effort:
 * callers log a failure to record one and go on.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import type { ApiClient } from './rest.js';
import { rfc3339, type Clock } from '../lib/clock.js';

export const eventsInfo = findResource('', 'events') as ResourceInfo;
let sequence = 0n;

/**
 * `<object>.<hex nanoseconds>`, as client-go names events: unique within a process, and in
 * creation order when sorted (the API lists by name, and kubectl keeps that order for events
 * of the same second).
 */
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
  /** The part of the object the event is about, e.g. `spec.containers{web}`. */
  fieldPath?: string;
  /** The node of the component (source.host, reportingInstance), for node agents. */
  host?: string;
}

/** A new Event (count 1, both timestamps now), not yet written. */
export function newEvent(clock: Clock, e: EventRecord): KubeObject {
  const now = rfc3339(clock.now());
  const { name, namespace, uid, resourceVersion } = e.object.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(name ?? 'object', clock), namespace: namespace ?? 'default' },
    involvedObject: { apiVersion: e.object.apiVersion, kind: e.object.kind, name, namespace, uid, resourceVersion, ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}) },
    type: e.type,
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    reportingComponent: e.component,
    ...(e.host ? { reportingInstance: e.host } : {}),
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

export async function recordEvent(client: ApiClient, clock: Clock, e: EventRecord): Promise<KubeObject> {
  const event = newEvent(clock, e);
  return client.create(eventsInfo, event.metadata.namespace, event);
}
