/**
 * Namespace deletion decisions: which objects to delete, whether the namespace is empty yet,
 * and the status conditions Kubernetes' namespace controller reports while it waits.
 */

export interface ContentItem {
  name: string;
  beingDeleted: boolean;
  finalizers: readonly string[];
}

export interface ResourceContent {
  /** Kubernetes' group-resource notation: `pods`, `replicasets.apps`. */
  resource: string;
  items: readonly ContentItem[];
}

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** Objects still present once this round's deletes are issued (deletes that left an object behind). */
export interface Remaining {
  resource: string;
  items: readonly ContentItem[];
}

export const namespaceFinalizer = 'kubernetes';

/** Objects not yet being deleted are deleted; the others are waited for. */
export function planContentDeletion(content: readonly ResourceContent[]): { resource: string; name: string }[] {
  return content.flatMap((c) => c.items.filter((i) => !i.beingDeleted).map((i) => ({ resource: c.resource, name: i.name })));
}

/** The five deletion conditions, as of the content that remains and any delete failures. */
export function namespaceConditions(remaining: readonly Remaining[], failures: readonly string[]): NamespaceCondition[] {
  const left = remaining.filter((r) => r.items.length > 0);
  const finalizerCounts = new Map<string, number>();
  for (const r of left) for (const i of r.items) for (const f of i.finalizers) finalizerCounts.set(f, (finalizerCounts.get(f) ?? 0) + 1);
  const content: NamespaceCondition =
    failures.length > 0
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}` }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' };
  const remainingCondition: NamespaceCondition =
    left.length > 0
      ? {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: `Some resources are remaining: ${left.map((r) => `${r.resource} has ${r.items.length} resource instances`).join(', ')}`,
        }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' };
  const finalizers: NamespaceCondition =
    finalizerCounts.size > 0
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${[...finalizerCounts]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([f, n]) => `${f} in ${n} resource instances`)
            .join(', ')}`,
        }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' };
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    content,
    remainingCondition,
    finalizers,
  ];
}

/** spec.finalizers without the namespace controller's own, for the `finalize` subresource. */
export function finalizersAfterCleanup(specFinalizers: readonly string[]): string[] {
  return specFinalizers.filter((f) => f !== namespaceFinalizer);
}
