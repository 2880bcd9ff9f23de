/**
 * `/openapi/v3`: an index of group-versions, and one OpenAPI 3.0 document per group-version.
 * kubectl 1.32 uses them for `explain` and to decide that the server validates fields itself.
 */

import { createHash } from 'node:crypto';
import { type Operation, type PathItem, groupVersionPaths, operationSchemas, resourcePaths, resourcesOf } from './openapi-paths.js';
import { type JsonObject, refTo, renderDefinition } from './openapi-schema.js';
import { closure, lookupDefinition } from './registry.js';

const MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

function content(mediaTypes: string[], schemaName: string): JsonObject {
  return Object.fromEntries(mediaTypes.map((m) => [m, { schema: refTo(schemaName, 'v3') }]));
}

function requestBody(op: Operation): JsonObject | undefined {
  if (!op.body) return undefined;
  if (op.method === 'patch') return { content: content(PATCH_TYPES, op.body), required: true };
  if (op.method === 'delete') return { content: content(['*/*'], op.body) };
  return { content: content(['*/*'], op.body), required: true };
}

function responses(op: Operation): JsonObject {
  const ok = { content: content(MEDIA_TYPES, op.response) };
  const out: JsonObject = { '200': { description: 'OK', ...ok } };
  if (op.method === 'post' || op.method === 'put' || op.method === 'patch') out['201'] = { description: 'Created', ...ok };
  if (op.method === 'post' || op.method === 'delete') out['202'] = { description: 'Accepted', ...ok };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

function renderOperation(op: Operation, tag: string): JsonObject {
  const rendered: JsonObject = {
    tags: [tag],
    description: op.description,
    operationId: op.operationId,
    // Query parameters sit on the operation: kubectl's verifier does not look at path-level ones.
    parameters: op.query.map((p) => ({ name: p.name, in: 'query', description: p.description, schema: { type: p.type, uniqueItems: true } })),
    responses: responses(op),
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version },
  };
  const body = requestBody(op);
  if (body) rendered.requestBody = body;
  return rendered;
}

function renderPathItem(item: PathItem, tag: string): JsonObject {
  const rendered: JsonObject = {
    parameters: item.pathParams.map((name) => ({
      name,
      in: 'path',
      required: true,
      description: name === 'name' ? 'Name of the object.' : 'Namespace of the objects.',
      schema: { type: 'string', uniqueItems: true },
    })),
  };
  for (const op of item.operations) rendered[op.method] = renderOperation(op, tag);
  return rendered;
}

function tagFor(gvPath: string): string {
  const parts = gvPath.split('/');
  return parts.length === 2 ? `core_${parts[1]}` : `${(parts[1] ?? '').split('.')[0]}_${parts[2] ?? ''}`;
}

function buildDocument(gvPath: string): JsonObject | undefined {
  const served = resourcesOf(gvPath);
  if (served.length === 0) return undefined;
  const pathItems = served.flatMap(resourcePaths);
  const tag = tagFor(gvPath.replace(/^\/+/, ''));
  const paths = Object.fromEntries(pathItems.map((p) => [p.path, renderPathItem(p, tag)]));
  const schemas: JsonObject = {};
  for (const name of closure(operationSchemas(pathItems))) {
    const def = lookupDefinition(name);
    if (def) schemas[name] = renderDefinition(def, 'v3');
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } },
    },
    security: [{ BearerToken: [] }],
  };
}

// Schemas are fixed at build time, so each document is generated once.
const documents = new Map<string, { doc: JsonObject; hash: string }>();

function cached(gvPath: string): { doc: JsonObject; hash: string } | undefined {
  const key = gvPath.replace(/^\/+/, '').replace(/\/+$/, '');
  const hit = documents.get(key);
  if (hit) return hit;
  const doc = buildDocument(key);
  if (!doc) return undefined;
  const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
  const entry = { doc, hash };
  documents.set(key, entry);
  return entry;
}

/** The OpenAPI v3 document of a group-version path (`api/v1`, `apis/apps/v1`), or undefined. */
export function openapiV3Document(groupVersionPath: string): JsonObject | undefined {
  return cached(groupVersionPath)?.doc;
}

/** The content hash of a group-version's document; clients use it in the URL to cache. */
export function openapiV3Hash(groupVersionPath: string): string | undefined {
  return cached(groupVersionPath)?.hash;
}

/** The `/openapi/v3` index: every served group-version and the URL of its document. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersionPaths()) {
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${openapiV3Hash(gv) ?? ''}` };
  }
  return { paths };
}
