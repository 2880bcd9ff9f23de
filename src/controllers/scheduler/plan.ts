/**
 * The scheduling choice: filter the nodes, then spread — fewest pods of the same owner on a
 * node first, then fewest pods overall, then the node name (so the choice is reproducible).
 * When no node fits, the message is the scheduler's: `0/3 nodes are available: ...`.
 */
import type { KubeObject } from '../../api/types.js';
import { filterNode } from './filters.js';

export interface NodeLoad {
  node: KubeObject;
  /** Pods on the node that are not finished. */
  pods: number;
  /** Of those, pods with the same controller (owner uid) as the pod being scheduled. */
  siblings: number;
}

export type ScheduleResult = { nodeName: string } | { unschedulable: string };

export const noNodesMessage = 'no nodes available to schedule pods';

export function schedulePod(pod: KubeObject, loads: readonly NodeLoad[]): ScheduleResult {
  if (loads.length === 0) return { unschedulable: noNodesMessage };
  const reasons = new Map<string, number>();
  let best: NodeLoad | undefined;
  for (const load of loads) {
    const reason = filterNode(pod, load.node);
    if (reason) {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      continue;
    }
    if (!best || better(load, best)) best = load;
  }
  if (best) return { nodeName: best.node.metadata.name ?? '' };
  return { unschedulable: unschedulableMessage(loads.length, reasons) };
}

function better(a: NodeLoad, b: NodeLoad): boolean {
  if (a.siblings !== b.siblings) return a.siblings < b.siblings;
  if (a.pods !== b.pods) return a.pods < b.pods;
  return (a.node.metadata.name ?? '') < (b.node.metadata.name ?? '');
}

/** `0/3 nodes are available: 1 node(s) ..., 2 node(s) .... preemption: ...` (reasons sorted, as upstream). */
export function unschedulableMessage(total: number, reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons].map(([reason, n]) => `${n} ${reason}`).sort();
  return (
    `0/${total} nodes are available: ${parts.join(', ')}. ` +
    `preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`
  );
}

/** The uid of the pod's controller, which spreading groups by. */
export function controllerUid(pod: KubeObject): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}
