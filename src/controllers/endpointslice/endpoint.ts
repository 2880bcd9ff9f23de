/** One pod as an EndpointSlice endpoint, and the comparisons the planner needs. */
import { isPodReady, isPodTerminating, podAddresses, shouldSetHostname } from './pods.js';
import { type AddressType, type Endpoint, labelTopologyZone, type Node, type ObjectReference, type Pod, type Service } from './types.js';

/**
 * podToEndpoint: serving is the pod's Ready condition; terminating is a set
 * deletionTimestamp; ready is serving and not terminating, or always with
 * publishNotReadyAddresses.
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = isPodTerminating(pod);
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  const nodeName = pod.spec?.nodeName;
  if (nodeName) ep.nodeName = nodeName;
  const zone = node?.metadata.labels?.[labelTopologyZone];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec?.hostname;
  return ep;
}

/** The identity of an endpoint within a slice group: its addresses, hostname and pod. */
export function endpointKey(ep: Endpoint): string {
  const addresses = [...ep.addresses].sort().join(',');
  return `${addresses}|${ep.hostname ?? ''}|${ep.targetRef?.namespace ?? ''}/${ep.targetRef?.name ?? ''}`;
}

function sameRef(a: ObjectReference | undefined, b: ObjectReference | undefined): boolean {
  if (!a || !b) return a === b;
  const fields = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'fieldPath'] as const;
  return fields.every((f) => (a[f] ?? '') === (b[f] ?? ''));
}

/** Whether two endpoints of the same key differ in what the key does not cover (ignoring the pod's resourceVersion). */
export function endpointChanged(want: Endpoint, have: Endpoint): boolean {
  const w = want.conditions ?? {};
  const h = have.conditions ?? {};
  return (
    want.nodeName !== have.nodeName ||
    want.zone !== have.zone ||
    w.ready !== h.ready ||
    w.serving !== h.serving ||
    w.terminating !== h.terminating ||
    !sameRef(want.targetRef, have.targetRef)
  );
}
