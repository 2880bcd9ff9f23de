/**
 * Apply conflicts as the API server reports them (apiserver managedfields conflict.go):
 * 409 Conflict, message `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply"
 * using v1: .spec.ports[port=80,protocol="TCP"].targetPort`, one cause per field.
 */
import { StatusError } from '../../api/status.js';
import type { ApplyConflict } from './types.js';

/** How a manager is named in messages: Update managers carry the version they wrote. */
export function describeManager(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let text = JSON.stringify(c.manager);
  if (c.subresource) text += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') text += ` using ${c.apiVersion ?? ''}`;
  return text;
}

export function formatApplyConflicts(conflicts: ApplyConflict[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only) {
    return `Apply failed with 1 conflict: conflict with ${describeManager(only)}: ${only.field}`;
  }
  const byManager = new Map<string, { described: string; fields: string[] }>();
  for (const c of conflicts) {
    const described = describeManager(c);
    const group = byManager.get(described) ?? { described, fields: [] };
    group.fields.push(c.field);
    byManager.set(described, group);
  }
  const lines: string[] = [];
  for (const key of [...byManager.keys()].sort()) {
    const group = byManager.get(key);
    if (!group) continue;
    lines.push(`conflicts with ${group.described}:`, ...group.fields.map((f) => `- ${f}`));
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The 409 the API server returns when an apply without `force` meets conflicts. */
export function applyConflictError(conflicts: ApplyConflict[]): StatusError {
  return new StatusError(409, 'Conflict', formatApplyConflicts(conflicts), {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${describeManager(c)}`,
      field: c.field,
    })),
  });
}
