/**
 * All schema definitions by name, and the lookups the generators and validators share:
 * the definition of a served kind, and the definitions a set of roots refers to.
 */

import { resources } from '../resources.js';
import { appsDefinitions } from './apps.js';
import { batchDefinitions } from './batch.js';
import { containerDefinitions } from './core-container.js';
import { clusterDefinitions } from './core-cluster.js';
import { podDefinitions } from './core-pod.js';
import { serviceDefinitions } from './core-service.js';
import { volumeDefinitions } from './core-volume.js';
import { coordinationDefinitions } from './coordination.js';
import { discoveryDefinitions } from './discovery.js';
import { type Definition, type GroupVersionKind, type ObjectDefinition, type TypeRef, LIST_META, field, object, ref, str, t } from './dsl.js';
import { metaDefinitions } from './meta.js';

function indexByName(all: Definition[]): ReadonlyMap<string, Definition> {
  const byName = new Map<string, Definition>();
  for (const def of all) {
    if (byName.has(def.name)) throw new Error(`schema: duplicate definition ${def.name}`);
    byName.set(def.name, def);
  }
  return byName;
}

const declared: Definition[] = [
  ...metaDefinitions,
  ...containerDefinitions,
  ...podDefinitions,
  ...volumeDefinitions,
  ...serviceDefinitions,
  ...clusterDefinitions,
  ...appsDefinitions,
  ...batchDefinitions,
  ...discoveryDefinitions,
  ...coordinationDefinitions,
];

/** `<Kind>List` for every served kind: what list responses carry. */
function listDefinitions(): Definition[] {
  const lists: Definition[] = [];
  for (const r of resources) {
    const item = declared.find((d) => d.kind === 'object' && d.gvk?.group === r.group && d.gvk.kind === r.kind);
    if (!item) throw new Error(`schema: no definition for served kind ${r.group}/${r.kind}`);
    const gvk = { group: r.group, version: r.version, kind: r.listKind };
    lists.push(
      object(`${item.name}List`, `A list of ${r.kind} objects.`, {
        apiVersion: str('The versioned schema of this list.'),
        kind: str(`Always \`${r.listKind}\`.`),
        metadata: ref(LIST_META, 'List metadata: resourceVersion and continue token.'),
        items: field(t.list(t.ref(item.name)), `The ${r.plural}.`, { required: true }),
      }, { gvk }),
    );
  }
  return lists;
}

export const definitions: ReadonlyMap<string, Definition> = indexByName([...declared, ...listDefinitions()]);

const kindByGroupKind = new Map<string, ObjectDefinition>();
for (const def of definitions.values()) {
  if (def.kind === 'object' && def.gvk) kindByGroupKind.set(`${def.gvk.group}/${def.gvk.kind}`, def);
}

/** The definition of a top-level kind, e.g. ('apps', 'Deployment'); undefined if not modelled. */
export function kindDefinition(group: string, kind: string): ObjectDefinition | undefined {
  return kindByGroupKind.get(`${group}/${kind}`);
}

export function lookupDefinition(name: string): Definition | undefined {
  return definitions.get(name);
}

/** The group-version-kinds Switchboard serves (from the resource table), with their definition. */
export function servedKinds(): { gvk: GroupVersionKind; definition: ObjectDefinition }[] {
  const served: { gvk: GroupVersionKind; definition: ObjectDefinition }[] = [];
  for (const r of resources) {
    const definition = kindDefinition(r.group, r.kind);
    if (!definition) throw new Error(`schema: no definition for served kind ${r.group}/${r.kind}`);
    served.push({ gvk: { group: r.group, version: r.version, kind: r.kind }, definition });
  }
  return served;
}

/** Names of the definitions a type refers to, directly. */
export function referencedNames(type: TypeRef): string[] {
  switch (type.kind) {
    case 'ref':
      return [type.name];
    case 'list':
      return referencedNames(type.items);
    case 'map':
      return referencedNames(type.values);
    default:
      return [];
  }
}

/** The given definitions and everything they refer to, transitively, sorted by name. */
export function closure(roots: string[]): string[] {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (seen.has(name)) continue;
    const def = definitions.get(name);
    if (!def) throw new Error(`schema: reference to undefined ${name}`);
    seen.add(name);
    if (def.kind === 'object') {
      for (const f of Object.values(def.fields)) pending.push(...referencedNames(f.type));
    }
  }
  return [...seen].sort();
}
