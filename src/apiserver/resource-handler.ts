/**
 * HTTP verbs on resources: turns a parsed request into registry calls and encodes the
 * answer (JSON object, list, Table, or watch stream).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, StatusError } from '../api/status.js';
import type { ResourceInfo } from '../api/resources.js';
import { isRecord, type KubeObject } from '../api/types.js';
import type { Store } from '../storage/types.js';
import type { Logger } from '../lib/log.js';
import { handlePodLog } from './pod-logs.js';
import { handlePodProxy } from './pod-proxy.js';
import type { Clock } from '../lib/clock.js';
import type { WatchCache } from './cache.js';
import type { FieldValidation, SelectorParser } from './hooks.js';
import type { Registry, WriteResult } from './registry.js';
import type { ResourceRequest } from './request-info.js';
import { decodeBody, mediaType, parseQuery, readBody, sendJson, type Query } from './http.js';
import { listObjects } from './list.js';
import { serveWatch } from './watch.js';
import { getScale, scaleMutation } from './scale.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface Patcher {
  patch(type: Exclude<PatchType, 'apply'>, info: ResourceInfo, current: KubeObject, patch: unknown): KubeObject;
  /** Server-side apply; throws a 409 StatusError listing conflicts unless force. */
  apply(args: { info: ResourceInfo; live: KubeObject | undefined; applied: KubeObject; manager: string; force: boolean }): KubeObject;
}

export interface TableOptions {
  includeObject: 'None' | 'Object' | 'Metadata';
  noHeaders?: boolean;
  listMeta?: { resourceVersion?: string; continue?: string };
}

export type TableEncoder = (info: ResourceInfo, objs: KubeObject[], options: TableOptions) => unknown;

export interface ResourceHandlerDeps {
  registry: Registry;
  cache: WatchCache;
  store: Store;
  selectors: SelectorParser;
  patcher: Patcher;
  table: TableEncoder;
  clock: Clock;
  log: Logger;
}

const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => part.includes('as=Table'));
}

function fieldValidation(q: Query, fallback: FieldValidation): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === undefined || v === '') return fallback;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(`fieldValidation parameter unsupported: ${v}`);
}

function fieldManager(req: IncomingMessage, q: Query, required: boolean): string {
  const m = q.get('fieldManager');
  if (m) return m;
  if (required) throw errors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
  const agent = req.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] ?? 'unknown';
}

function dryRun(q: Query): boolean {
  const v = q.get('dryRun');
  if (v === undefined || v === '') return false;
  if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${v}`);
  return true;
}

function sendWrite(res: ServerResponse, code: number, result: WriteResult): void {
  for (const w of result.warnings) res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
  sendJson(res, code, result.object);
}

export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  search: URLSearchParams,
  deps: ResourceHandlerDeps,
): Promise<void> {
  const q = parseQuery(search);
  const method = req.method ?? 'GET';
  const { info } = rr;
  if (rr.subresource && !info.subresources.includes(rr.subresource)) {
    throw errors.notFound({ group: info.group, resource: `${info.plural}/${rr.subresource}`, name: rr.name ?? '' });
  }
  if (rr.name === undefined) return handleCollection(req, res, rr, q, deps);
  if (rr.subresource === 'scale') return handleScale(req, res, rr, q, deps);
  if (rr.subresource === 'binding' && method === 'POST') return handleBinding(req, res, rr, q, deps);
  if (rr.subresource === 'eviction' && method === 'POST') return handleEviction(req, res, rr, deps);
  if (rr.subresource === 'finalize' && method === 'PUT') return handleUpdate(req, res, rr, q, deps);
  if (rr.subresource === 'proxy' && info.plural === 'pods') {
    return handlePodProxy(req, res, { namespace: rr.namespace ?? 'default', name: rr.name, rest: rr.rest, search, registry: deps.registry });
  }
  if (rr.subresource === 'log' && info.plural === 'pods' && method === 'GET') {
    return handlePodLog(req, res, { info, namespace: rr.namespace ?? 'default', name: rr.name, search, registry: deps.registry });
  }
  if (rr.subresource && rr.subresource !== 'status') {
    throw new StatusError(405, 'MethodNotAllowed', `the ${rr.subresource} subresource of ${info.plural} is not served yet`);
  }
  switch (method) {
    case 'GET':
      return sendObject(req, res, info, await deps.registry.get(info, rr.namespace, rr.name), deps);
    case 'PUT':
      return handleUpdate(req, res, rr, q, deps);
    case 'PATCH':
      return handlePatch(req, res, rr, q, deps);
    case 'DELETE':
      return handleDelete(req, res, rr, q, deps);
    default:
      throw errors.methodNotAllowed(method, { group: info.group, resource: info.plural });
  }
}

function sendObject(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, obj: KubeObject, deps: ResourceHandlerDeps): void {
  if (wantsTable(req)) return sendJson(res, 200, deps.table(info, [obj], { includeObject: 'Metadata' }));
  sendJson(res, 200, obj);
}

async function handleCollection(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: Query, deps: ResourceHandlerDeps): Promise<void> {
  const { info } = rr;
  const method = req.method ?? 'GET';
  if (method === 'POST') {
    const body = decodeBody(await readBody(req), mediaType(req.headers['content-type']));
    const result = await deps.registry.create(info, body, {
      namespace: rr.namespace,
      dryRun: dryRun(q),
      fieldManager: fieldManager(req, q, false),
      fieldValidation: fieldValidation(q, 'Ignore'),
    });
    return sendWrite(res, 201, result);
  }
  const filter = deps.selectors(info, q.get('labelSelector'), q.get('fieldSelector'));
  if (method === 'DELETE') return handleDeleteCollection(req, res, rr, q, filter, deps);
  if (method !== 'GET') throw errors.methodNotAllowed(method, { group: info.group, resource: info.plural });
  const includeObject = (q.get('includeObject') ?? 'Metadata') as TableOptions['includeObject'];
  if (q.bool('watch')) {
    const table = wantsTable(req);
    return serveWatch(req, res, deps.cache, {
      info,
      namespace: rr.namespace,
      filter,
      resourceVersion: q.get('resourceVersion'),
      allowBookmarks: q.bool('allowWatchBookmarks'),
      sendInitialEvents: q.bool('sendInitialEvents'),
      timeoutSeconds: q.int('timeoutSeconds'),
      encode: table ? (obj, first) => deps.table(info, [obj], { includeObject, noHeaders: !first }) : (obj) => obj,
    });
  }
  const list = await listObjects(deps.store, deps.cache, {
    info,
    namespace: rr.namespace,
    filter,
    resourceVersion: q.get('resourceVersion'),
    limit: q.int('limit'),
    continueToken: q.get('continue'),
  });
  if (wantsTable(req)) return sendJson(res, 200, deps.table(info, list.items, { includeObject, listMeta: list.metadata }));
  sendJson(res, 200, list);
}

async function handleUpdate(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: Query, deps: ResourceHandlerDeps): Promise<void> {
  const body = decodeBody(await readBody(req), mediaType(req.headers['content-type']));
  if (!isRecord(body)) throw errors.badRequest('the body of the request must be an object');
  const result = await deps.registry.update(rr.info, rr.name as string, writeOptions(req, rr, q, false), () => body as KubeObject);
  sendWrite(res, 200, result);
}

function writeOptions(req: IncomingMessage, rr: ResourceRequest, q: Query, apply: boolean) {
  return {
    namespace: rr.namespace,
    dryRun: dryRun(q),
    fieldManager: fieldManager(req, q, apply),
    fieldValidation: fieldValidation(q, apply ? 'Strict' : 'Ignore'),
    subresource: rr.subresource,
  };
}

async function handlePatch(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: Query, deps: ResourceHandlerDeps): Promise<void> {
  const type = patchTypes[mediaType(req.headers['content-type'])];
  if (!type) throw errors.unsupportedMediaType(mediaType(req.headers['content-type']));
  const patch = decodeBody(await readBody(req), type === 'apply' ? 'yaml' : 'json');
  const options = { ...writeOptions(req, rr, q, type === 'apply'), isApply: type === 'apply' };
  const name = rr.name as string;
  if (type === 'apply') {
    if (!isRecord(patch)) throw errors.badRequest('an apply patch must be an object');
    const force = q.bool('force');
    try {
      const result = await deps.registry.update(rr.info, name, options, (live) =>
        deps.patcher.apply({ info: rr.info, live, applied: patch as KubeObject, manager: options.fieldManager, force }),
      );
      return sendWrite(res, 200, result);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
      const created = deps.patcher.apply({ info: rr.info, live: undefined, applied: patch as KubeObject, manager: options.fieldManager, force });
      return sendWrite(res, 201, await deps.registry.create(rr.info, created, options));
    }
  }
  // A patch is applied to the latest object and retried on a lost race, unless the patch
  // itself names a resourceVersion (then a stale one is a 409), as in Kubernetes.
  const pins = patchPinsVersion(patch);
  const result = await deps.registry.update(rr.info, name, options, (current) => {
    const patched = deps.patcher.patch(type, rr.info, current, patch);
    if (!pins && patched.metadata?.resourceVersion === current.metadata.resourceVersion) delete patched.metadata.resourceVersion;
    return patched;
  });
  sendWrite(res, 200, result);
}

async function deleteOptions(req: IncomingMessage, q: Query) {
  const raw = await readBody(req);
  const body = raw.length > 0 ? decodeBody(raw, mediaType(req.headers['content-type'])) : {};
  const opts = isRecord(body) ? body : {};
  const policy = (opts.propagationPolicy ?? q.get('propagationPolicy')) as string | undefined;
  if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
    throw errors.badRequest(`Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
  }
  const grace = typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : q.int('gracePeriodSeconds');
  const orphan = opts.orphanDependents ?? (q.has('orphanDependents') ? q.bool('orphanDependents') : undefined);
  const dry = Array.isArray(opts.dryRun) ? opts.dryRun.includes('All') : dryRun(q);
  return {
    gracePeriodSeconds: grace,
    propagationPolicy: (policy ?? (orphan === true ? 'Orphan' : undefined)) as 'Foreground' | 'Background' | 'Orphan' | undefined,
    preconditions: isRecord(opts.preconditions) ? (opts.preconditions as { uid?: string; resourceVersion?: string }) : undefined,
    dryRun: dry,
  };
}

async function handleDelete(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: Query, deps: ResourceHandlerDeps): Promise<void> {
  const obj = await deps.registry.delete(rr.info, rr.namespace, rr.name as string, await deleteOptions(req, q));
  sendJson(res, 200, obj);
}

async function handleDeleteCollection(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  q: Query,
  filter: (obj: KubeObject) => boolean,
  deps: ResourceHandlerDeps,
): Promise<void> {
  const options = await deleteOptions(req, q);
  const list = await listObjects(deps.store, deps.cache, { info: rr.info, namespace: rr.namespace, filter });
  const deleted: KubeObject[] = [];
  for (const obj of list.items) {
    try {
      deleted.push(await deps.registry.delete(rr.info, obj.metadata.namespace, obj.metadata.name as string, options));
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    }
  }
  sendJson(res, 200, { ...list, items: deleted });
}

async function handleScale(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: Query, deps: ResourceHandlerDeps): Promise<void> {
  const method = req.method ?? 'GET';
  const name = rr.name as string;
  if (method === 'GET') return sendJson(res, 200, getScale(rr.info, await deps.registry.get(rr.info, rr.namespace, name)));
  if (method !== 'PUT' && method !== 'PATCH') throw errors.methodNotAllowed(method, { group: rr.info.group, resource: `${rr.info.plural}/scale` });
  const type = method === 'PUT' ? undefined : patchTypes[mediaType(req.headers['content-type'])];
  if (method === 'PATCH' && (!type || type === 'apply')) throw errors.unsupportedMediaType(mediaType(req.headers['content-type']));
  const body = decodeBody(await readBody(req), 'json');
  const options = { ...writeOptions(req, rr, q, false), subresource: undefined };
  const result = await deps.registry.update(
    rr.info,
    name,
    options,
    scaleMutation(rr.info, body, type ? (scale, patch) => deps.patcher.patch(type as 'json' | 'merge' | 'strategic', rr.info, scale, patch) : undefined),
  );
  sendJson(res, 200, getScale(rr.info, result.object));
}

function success(code: number): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

/** POST pods/x/binding: assigns a pending pod to a node (what the scheduler does). */
async function handleBinding(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: Query, deps: ResourceHandlerDeps): Promise<void> {
  const body = decodeBody(await readBody(req), mediaType(req.headers['content-type']));
  const target = isRecord(body) && isRecord(body.target) ? body.target : undefined;
  const nodeName = typeof target?.name === 'string' ? target.name : '';
  if (!nodeName) throw errors.invalid('Binding', '', rr.name ?? '', [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  const name = rr.name as string;
  await deps.registry.update(rr.info, name, writeOptions(req, rr, q, false), (pod) => {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    if (pod.metadata.deletionTimestamp) throw errors.conflict({ group: '', resource: 'pods', name }, 'pod is being deleted, cannot be assigned to a host');
    if (spec.nodeName) throw errors.conflict({ group: '', resource: 'pods', name }, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
    const status = isRecord(pod.status) ? pod.status : {};
    const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c) => !(isRecord(c) && c.type === 'PodScheduled'));
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
    return { ...pod, spec: { ...spec, nodeName }, status: { ...status, conditions } };
  });
  sendJson(res, 201, success(201));
}

/** POST pods/x/eviction: a delete with the eviction's options (no disruption budgets in Switchboard). */
async function handleEviction(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, deps: ResourceHandlerDeps): Promise<void> {
  const body = decodeBody(await readBody(req), mediaType(req.headers['content-type']));
  const opts = isRecord(body) && isRecord(body.deleteOptions) ? body.deleteOptions : {};
  await deps.registry.delete(rr.info, rr.namespace, rr.name as string, {
    gracePeriodSeconds: typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : undefined,
    preconditions: isRecord(opts.preconditions) ? (opts.preconditions as { uid?: string; resourceVersion?: string }) : undefined,
    dryRun: false,
  });
  sendJson(res, 201, success(201));
}

function patchPinsVersion(patch: unknown): boolean {
  if (Array.isArray(patch)) return patch.some((op) => isRecord(op) && op.path === '/metadata/resourceVersion');
  return isRecord(patch) && isRecord(patch.metadata) && patch.metadata.resourceVersion !== undefined;
}
