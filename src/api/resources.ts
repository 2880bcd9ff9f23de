/**
 * The resources Switchboard serves: one row per resource, the facts discovery publishes
 * and every component looks up (kind, plural, scope, short names, subresources).
 */

export interface ResourceInfo {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: string[];
  /** False for resources with no list/watch/create (none today) */
  verbs: string[];
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resource(
  group: string,
  version: string,
  kind: string,
  plural: string,
  options: { namespaced?: boolean; shortNames?: string[]; categories?: string[]; subresources?: string[]; verbs?: string[] } = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: options.namespaced ?? true,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    subresources: options.subresources ?? [],
    verbs: options.verbs ?? allVerbs,
  };
}

export const resources: readonly ResourceInfo[] = [
  resource('', 'v1', 'Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'], subresources: ['status', 'finalize'] }),
  resource('', 'v1', 'Pod', 'pods', {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'proxy', 'binding', 'eviction', 'ephemeralcontainers'],
  }),
  resource('', 'v1', 'Service', 'services', { shortNames: ['svc'], categories: ['all'], subresources: ['status', 'proxy'] }),
  resource('', 'v1', 'Endpoints', 'endpoints', { shortNames: ['ep'] }),
  resource('', 'v1', 'Node', 'nodes', { namespaced: false, shortNames: ['no'], subresources: ['status', 'proxy'] }),
  resource('', 'v1', 'Event', 'events', { shortNames: ['ev'] }),
  resource('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  resource('', 'v1', 'Secret', 'secrets'),
  resource('', 'v1', 'ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  resource('', 'v1', 'ReplicationController', 'replicationcontrollers', {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  resource('apps', 'v1', 'Deployment', 'deployments', { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  resource('apps', 'v1', 'ReplicaSet', 'replicasets', { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  resource('apps', 'v1', 'StatefulSet', 'statefulsets', { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  resource('apps', 'v1', 'DaemonSet', 'daemonsets', { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  resource('apps', 'v1', 'ControllerRevision', 'controllerrevisions'),
  resource('batch', 'v1', 'Job', 'jobs', { categories: ['all'], subresources: ['status'] }),
  resource('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
  resource('coordination.k8s.io', 'v1', 'Lease', 'leases'),
];

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

const byGroupResource = new Map(resources.map((r) => [`${r.group}/${r.plural}`, r]));
const byGroupKind = new Map(resources.map((r) => [`${r.group}/${r.kind}`, r]));

export function findResource(group: string, plural: string): ResourceInfo | undefined {
  return byGroupResource.get(`${group}/${plural}`);
}

export function findResourceByKind(group: string, kind: string): ResourceInfo | undefined {
  return byGroupKind.get(`${group}/${kind}`);
}

/** Splits an apiVersion (`apps/v1`, `v1`) into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
