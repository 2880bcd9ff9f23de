/**
 * Shapes shared by the patch engines. The engines never import the schema package: the API
 * server hands them a `PatchMetaLookup`, so these files stay pure and testable alone.
 */

/**
 * What Kubernetes declares about one field, from its Go struct tags (`patchStrategy`,
 * `patchMergeKey`) and OpenAPI extensions (`x-kubernetes-list-type`, `-list-map-keys`,
 * `-map-type`). All optional: an unknown field is a plain map, or an atomic list.
 */
export interface PatchMeta {
  /** `merge`, `replace`, `retainKeys`, or a comma list such as `merge,retainKeys`. */
  strategy?: string;
  mergeKey?: string;
  /** `atomic`, `set` or `map` (server-side apply). */
  listType?: string;
  listMapKeys?: string[];
  /** `atomic` or `granular` for maps and structs (server-side apply). */
  mapType?: string;
  /** Defaults of list-map key fields, so `{port: 80}` finds the live `{port: 80, protocol: TCP}`. */
  listMapKeyDefaults?: Record<string, unknown>;
}

/** Field names from the object root, list indexes dropped: `['spec', 'ports']`. */
export type PatchMetaLookup = (path: string[]) => PatchMeta | undefined;

export type JsonObject = Record<string, unknown>;

/** One field owned by another manager that an apply would change. */
export interface ApplyConflict {
  /** The manager's name, e.g. `kubectl-client-side-apply`. */
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
  /** The field as structured-merge-diff prints it: `.spec.ports[port=80,protocol="TCP"].targetPort`. */
  field: string;
}
