/**
 * API discovery documents: legacy (`APIVersions`, `APIGroupList`, `APIResourceList`) and
 * aggregated (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`), chosen by the Accept header
 * as kube-apiserver does. kubectl 1.32 asks for aggregated first and reads the Content-Type.
 */
import { groupVersion, resources, type ResourceInfo } from '../api/resources.js';

export const aggregatedContentType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface SubresourceFacts {
  verbs: string[];
  kind?: { group: string; version: string; kind: string };
}

const subresourceFacts: Record<string, SubresourceFacts> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  log: { verbs: ['get'] },
  exec: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
  attach: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodAttachOptions' } },
  portforward: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' } },
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  finalize: { verbs: ['update'] },
};

function subresourceKind(r: ResourceInfo, sub: string): { group: string; version: string; kind: string } {
  return subresourceFacts[sub]?.kind ?? { group: r.group, version: r.version, kind: r.kind };
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of resources) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

export function legacyApiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string): unknown {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: groupVersion(gv), version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): unknown {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

export function apiGroupDocument(group: string): unknown | undefined {
  if (!groupVersions().some((gv) => gv.group === group && group !== '')) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(group) as object) };
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const entries: unknown[] = [];
  for (const r of rs) {
    entries.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const sub of r.subresources) {
      const kind = subresourceKind(r, sub);
      entries.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(kind.group !== r.group ? { group: kind.group, version: kind.version } : {}),
        kind: kind.kind,
        verbs: subresourceFacts[sub]?.verbs ?? ['get'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: entries };
}

function discoveryResource(r: ResourceInfo): unknown {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((sub) => ({
            subresource: sub,
            responseKind: subresourceKind(r, sub),
            verbs: subresourceFacts[sub]?.verbs ?? ['get'],
          })),
        }
      : {}),
  };
}

/** `/api` (core only) or `/apis` (named groups) as an aggregated discovery list. */
export function aggregatedDiscovery(core: boolean): unknown {
  const gvs = groupVersions().filter((gv) => (gv.group === '') === core);
  const groups = [...new Set(gvs.map((gv) => gv.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: gvs
        .filter((gv) => gv.group === group)
        .map((gv) => ({
          version: gv.version,
          resources: resources.filter((r) => r.group === gv.group && r.version === gv.version).map(discoveryResource),
          freshness: 'Current',
        })),
    })),
  };
}

/** True when the Accept header asks for aggregated discovery v2 (v2beta1 is not served). */
export function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept
    .split(',')
    .some((part) => part.includes('g=apidiscovery.k8s.io') && part.includes('v=v2') && !part.includes('v=v2beta1') && part.includes('as=APIGroupDiscoveryList'));
}
