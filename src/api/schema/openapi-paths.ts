/**
 * The REST operations of each served resource, in a dialect-neutral form that the v2 and v3
 * generators render. kubectl reads two things from them: the `x-kubernetes-group-version-kind`
 * of GET operations (explain finds a resource's schema that way) and the `fieldValidation`
 * query parameter of PATCH operations (its sign that server-side validation is supported).
 */

import { type ResourceInfo, groupVersion, resources } from '../resources.js';
import { type GroupVersionKind, autoscalingV1, metaV1 } from './dsl.js';
import { kindDefinition } from './registry.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

export interface QueryParam {
  name: string;
  type: 'string' | 'boolean' | 'integer';
  description: string;
}

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action: Action;
  gvk: GroupVersionKind;
  query: QueryParam[];
  /** Definition name of the request body; patches take meta/v1 Patch in any patch format. */
  body?: string;
  /** Definition name of the successful response. */
  response: string;
}

export interface PathItem {
  path: string;
  pathParams: ('namespace' | 'name')[];
  operations: Operation[];
}

const q = (name: string, type: QueryParam['type'], description: string): QueryParam => ({ name, type, description });

const listParams: QueryParam[] = [
  q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events on watches.'),
  q('continue', 'string', 'Token from a previous limited list, to fetch the next page.'),
  q('fieldSelector', 'string', 'Select objects by fields, e.g. `metadata.name=web`.'),
  q('labelSelector', 'string', 'Select objects by labels, e.g. `app=web,tier!=db`.'),
  q('limit', 'integer', 'Most objects to return; the rest are fetched with `continue`.'),
  q('resourceVersion', 'string', 'Version the list or watch starts from.'),
  q('resourceVersionMatch', 'string', 'How `resourceVersion` applies: `Exact` or `NotOlderThan`.'),
  q('sendInitialEvents', 'boolean', 'Start a watch with the current objects as ADDED events.'),
  q('timeoutSeconds', 'integer', 'Seconds before a list or watch call ends.'),
  q('watch', 'boolean', 'Stream changes instead of returning a list.'),
];

const dryRun = q('dryRun', 'string', 'When `All`, the request is checked but nothing is stored.');
const fieldManager = q('fieldManager', 'string', 'Name of the actor making the change, for field ownership.');
// kubectl looks for exactly this parameter, on the operation itself, to use server-side validation.
const fieldValidation = q(
  'fieldValidation',
  'string',
  'What to do with unknown or duplicate fields: `Ignore` drops them, `Warn` drops them with a warning, `Strict` fails the request.',
);
const force = q('force', 'boolean', 'For apply requests: take ownership of conflicting fields.');
const writeParams = [dryRun, fieldManager, fieldValidation];
const deleteParams: QueryParam[] = [
  dryRun,
  q('gracePeriodSeconds', 'integer', 'Seconds before the object is removed; 0 means at once.'),
  q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete objects whose stored form cannot be read.'),
  q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  q('propagationPolicy', 'string', 'How dependents are deleted: `Orphan`, `Background` or `Foreground`.'),
];

const STATUS = metaV1('Status');
const DELETE_OPTIONS = metaV1('DeleteOptions');

/** `CoreV1`, `AppsV1`, `DiscoveryV1`: the group-version part of Kubernetes' operation IDs. */
function operationGroup(r: ResourceInfo): string {
  const first = (r.group || 'core').split('.')[0] ?? 'core';
  return `${first.charAt(0).toUpperCase()}${first.slice(1)}${r.version.charAt(0).toUpperCase()}${r.version.slice(1)}`;
}

function basePath(r: ResourceInfo): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

interface Naming {
  r: ResourceInfo;
  gvk: GroupVersionKind;
  item: string;
  list: string;
  /** `CoreV1NamespacedService` / `CoreV1Node` */
  stem: string;
}

function naming(r: ResourceInfo): Naming {
  const def = kindDefinition(r.group, r.kind);
  if (!def) throw new Error(`schema: no definition for ${r.group}/${r.kind}`);
  const stem = `${operationGroup(r)}${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
  return { r, gvk: { group: r.group, version: r.version, kind: r.kind }, item: def.name, list: `${def.name}List`, stem };
}

function collectionOperations(n: Naming): Operation[] {
  const what = `${n.r.kind} objects`;
  return [
    { method: 'get', operationId: `list${n.stem}`, description: `List or watch ${what}.`, action: 'list', gvk: n.gvk, query: listParams, response: n.list },
    { method: 'post', operationId: `create${n.stem}`, description: `Create a ${n.r.kind}.`, action: 'post', gvk: n.gvk, query: writeParams, body: n.item, response: n.item },
    {
      method: 'delete',
      operationId: `delete${operationGroup(n.r)}Collection${n.stem.slice(operationGroup(n.r).length)}`,
      description: `Delete a collection of ${what}.`,
      action: 'deletecollection',
      gvk: n.gvk,
      query: [...listParams, ...deleteParams],
      body: DELETE_OPTIONS,
      response: STATUS,
    },
  ];
}

/** get/put/patch on an object or one of its subresources (status, scale). */
function readWriteOperations(n: Naming, suffix: string, gvk: GroupVersionKind, schema: string): Operation[] {
  const stem = `${n.stem}${suffix}`;
  const what = suffix ? `${suffix.toLowerCase()} of the ${n.r.kind}` : `the ${n.r.kind}`;
  return [
    { method: 'get', operationId: `read${stem}`, description: `Read ${what}.`, action: 'get', gvk, query: [], response: schema },
    { method: 'put', operationId: `replace${stem}`, description: `Replace ${what}.`, action: 'put', gvk, query: writeParams, body: schema, response: schema },
    {
      method: 'patch',
      operationId: `patch${stem}`,
      description: `Partially update ${what}.`,
      action: 'patch',
      gvk,
      query: [...writeParams, force],
      body: metaV1('Patch'),
      response: schema,
    },
  ];
}

function itemOperations(n: Naming): Operation[] {
  const del: Operation = {
    method: 'delete',
    operationId: `delete${n.stem}`,
    description: `Delete a ${n.r.kind}.`,
    action: 'delete',
    gvk: n.gvk,
    query: deleteParams,
    body: DELETE_OPTIONS,
    response: STATUS,
  };
  return [...readWriteOperations(n, '', n.gvk, n.item), del];
}

const SCALE_GVK: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

function subresourcePaths(n: Naming, itemPath: string, pathParams: PathItem['pathParams']): PathItem[] {
  const items: PathItem[] = [];
  if (n.r.subresources.includes('status')) {
    items.push({ path: `${itemPath}/status`, pathParams, operations: readWriteOperations(n, 'Status', n.gvk, n.item) });
  }
  if (n.r.subresources.includes('scale')) {
    items.push({ path: `${itemPath}/scale`, pathParams, operations: readWriteOperations(n, 'Scale', SCALE_GVK, autoscalingV1('Scale')) });
  }
  return items;
}

/** The paths of one resource: collection, item, subresources, and the all-namespaces list. */
export function resourcePaths(r: ResourceInfo): PathItem[] {
  const n = naming(r);
  const base = basePath(r);
  const scope: PathItem['pathParams'] = r.namespaced ? ['namespace'] : [];
  const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const item = `${collection}/{name}`;
  const items: PathItem[] = [
    { path: collection, pathParams: scope, operations: collectionOperations(n) },
    { path: item, pathParams: [...scope, 'name'], operations: itemOperations(n) },
    ...subresourcePaths(n, item, [...scope, 'name']),
  ];
  if (r.namespaced) {
    const listAll: Operation = {
      method: 'get',
      operationId: `list${operationGroup(r)}${r.kind}ForAllNamespaces`,
      description: `List or watch ${r.kind} objects in all namespaces.`,
      action: 'list',
      gvk: n.gvk,
      query: listParams,
      response: n.list,
    };
    items.push({ path: `${base}/${r.plural}`, pathParams: [], operations: [listAll] });
  }
  return items;
}

/** Served group-versions as OpenAPI v3 index keys: `api/v1`, `apis/apps/v1`. */
export function groupVersionPaths(): string[] {
  const seen = new Set<string>();
  for (const r of resources) seen.add(r.group ? `apis/${groupVersion(r)}` : `api/${r.version}`);
  return [...seen];
}

/** The resources of a group-version path (`api/v1`, `apis/apps/v1`; a leading slash is allowed). */
export function resourcesOf(gvPath: string): ResourceInfo[] {
  const clean = gvPath.replace(/^\/+/, '').replace(/\/+$/, '');
  return resources.filter((r) => (r.group ? `apis/${groupVersion(r)}` : `api/${r.version}`) === clean);
}

/** Definition names the operations of these paths refer to. */
export function operationSchemas(paths: PathItem[]): string[] {
  const names = new Set<string>();
  for (const p of paths) {
    for (const op of p.operations) {
      names.add(op.response);
      if (op.body) names.add(op.body);
    }
  }
  return [...names];
}
