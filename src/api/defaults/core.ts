/** Defaulting for Namespace, Secret, Endpoints, EndpointSlice and Node. */
import { type Obj, ensure, records, rec, setIfAbsent, str } from '../validation/access.js';

export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/**
 * The label is set on every write (upstream defaults it unconditionally, so it always
 * equals the name); the `kubernetes` finalizer and Active phase are what the namespace
 * registry sets at create.
 */
export function defaultNamespace(ns: Obj): void {
  const meta = ensure(ns, 'metadata');
  const name = str(meta.name);
  if (name) ensure(meta, 'labels')[namespaceNameLabel] = name;
  const spec = ensure(ns, 'spec');
  setIfAbsent(spec, 'finalizers', ['kubernetes']);
  setIfAbsent(ensure(ns, 'status'), 'phase', 'Active');
}

export function defaultSecret(secret: Obj): void {
  if (!secret.type) secret.type = 'Opaque';
}

export function defaultEndpoints(ep: Obj): void {
  for (const [, subset] of records(ep.subsets)) {
    for (const [, port] of records(subset.ports)) setIfAbsent(port, 'protocol', 'TCP');
  }
}

export function defaultEndpointSlice(slice: Obj): void {
  for (const [, port] of records(slice.ports)) {
    setIfAbsent(port, 'name', '');
    setIfAbsent(port, 'protocol', 'TCP');
  }
}

/** A node reports capacity; allocatable defaults to it (SetDefaults_NodeStatus). */
export function defaultNode(node: Obj): void {
  const status = rec(node.status);
  if (status && rec(status.capacity) && !rec(status.allocatable)) status.allocatable = { ...rec(status.capacity) };
}
