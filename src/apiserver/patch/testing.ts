/**
 * A hand-built PatchMetaLookup with the Kubernetes facts the patch tests need (kubernetes/api
 * struct tags and OpenAPI list extensions), so the tests do not depend on the schema package.
 */
import type { PatchMeta, PatchMetaLookup } from './types.js';

const byName = (key: string): PatchMeta => ({ strategy: 'merge', mergeKey: key, listType: 'map', listMapKeys: [key] });

const containerFacts: Record<string, PatchMeta> = {
  containers: byName('name'),
  'containers.env': byName('name'),
  'containers.ports': { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
};

const facts: Record<string, PatchMeta> = {
  'metadata.finalizers': { strategy: 'merge', listType: 'set' },
  'metadata.ownerReferences': byName('uid'),
  // Service
  'spec.ports': { strategy: 'merge', mergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
  'spec.selector': { mapType: 'atomic' },
  // Deployment
  'spec.strategy': { strategy: 'retainKeys' },
  // Endpoints.subsets has no strategy: replaced whole.
};
for (const [path, meta] of Object.entries(containerFacts)) {
  facts[`spec.${path}`] = meta;
  facts[`spec.template.spec.${path}`] = meta;
}

export const kubeLookup: PatchMetaLookup = (path) => facts[path.join('.')];
