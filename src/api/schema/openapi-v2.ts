/**
 * `/openapi/v2`: one swagger 2.0 document for every served group-version. kubectl falls back
 * to it for client-side validation, and `kubectl explain --output=plaintext-openapiv2` reads it.
 */

import { resources } from '../resources.js';
import { type Operation, type PathItem, operationSchemas, resourcePaths } from './openapi-paths.js';
import { type JsonObject, refTo, renderDefinition } from './openapi-schema.js';
import { closure, lookupDefinition } from './registry.js';

const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

function parameters(op: Operation): JsonObject[] {
  const query = op.query.map((p) => ({ uniqueItems: true, type: p.type, description: p.description, name: p.name, in: 'query' }));
  if (!op.body) return query;
  const body: JsonObject = { name: 'body', in: 'body', schema: refTo(op.body, 'v2') };
  if (op.method !== 'delete') body.required = true;
  return [body, ...query];
}

function responses(op: Operation): JsonObject {
  const ok = { schema: refTo(op.response, 'v2') };
  const out: JsonObject = { '200': { description: 'OK', ...ok } };
  if (op.method === 'post' || op.method === 'put' || op.method === 'patch') out['201'] = { description: 'Created', ...ok };
  if (op.method === 'post' || op.method === 'delete') out['202'] = { description: 'Accepted', ...ok };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

function renderOperation(op: Operation, tag: string): JsonObject {
  return {
    description: op.description,
    consumes: op.method === 'patch' ? PATCH_TYPES : ['*/*'],
    produces: PRODUCES,
    schemes: ['https'],
    tags: [tag],
    operationId: op.operationId,
    parameters: parameters(op),
    responses: responses(op),
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version },
  };
}

function renderPathItem(item: PathItem, tag: string): JsonObject {
  const rendered: JsonObject = {
    parameters: item.pathParams.map((name) => ({
      uniqueItems: true,
      type: 'string',
      description: name === 'name' ? 'Name of the object.' : 'Namespace of the objects.',
      name,
      in: 'path',
      required: true,
    })),
  };
  for (const op of item.operations) rendered[op.method] = renderOperation(op, tag);
  return rendered;
}

function buildDocument(): JsonObject {
  const paths: JsonObject = {};
  const allItems: PathItem[] = [];
  for (const r of resources) {
    const tag = `${r.group ? (r.group.split('.')[0] ?? r.group) : 'core'}_${r.version}`;
    for (const item of resourcePaths(r)) {
      paths[item.path] = renderPathItem(item, tag);
      allItems.push(item);
    }
  }
  const definitions: JsonObject = {};
  for (const name of closure(operationSchemas(allItems))) {
    const def = lookupDefinition(name);
    if (def) definitions[name] = renderDefinition(def, 'v2');
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

let document: JsonObject | undefined;

/** The swagger 2.0 document of every served kind (generated once). */
export function openapiV2Document(): JsonObject {
  document ??= buildDocument();
  return document;
}
