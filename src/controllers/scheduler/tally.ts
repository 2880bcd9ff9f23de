/**
 * Pods per node, and per controller per node, kept incrementally from pod events so a
 * scheduling decision costs O(nodes), not O(pods). Pods the scheduler has just bound are
 * counted at once ("assumed") until the informer shows them bound.
 */
import type { KubeObject } from '../../api/types.js';
import { controllerUid } from './plan.js';
import { record } from './filters.js';

interface Placement {
  node: string;
  owner?: string;
}

export class PodTally {
  private readonly placements = new Map<string, Placement>();
  private readonly assumed = new Set<string>();
  private readonly podsByNode = new Map<string, number>();
  private readonly siblingsByNode = new Map<string, number>();

  /** Records what the informer says about a pod (undefined: deleted). */
  observe(key: string, pod: KubeObject | undefined): void {
    const placement = pod ? placementOf(pod) : undefined;
    // A stale event from before our binding must not undo the assumption.
    if (pod && !placement && this.assumed.has(key)) return;
    this.assumed.delete(key);
    this.set(key, placement);
  }

  assume(key: string, pod: KubeObject, node: string): void {
    this.assumed.add(key);
    this.set(key, { node, owner: controllerUid(pod) });
  }

  forget(key: string): void {
    if (this.assumed.delete(key)) this.set(key, undefined);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  pods(node: string): number {
    return this.podsByNode.get(node) ?? 0;
  }

  siblings(node: string, owner: string | undefined): number {
    return owner ? (this.siblingsByNode.get(`${node}/${owner}`) ?? 0) : 0;
  }

  private set(key: string, placement: Placement | undefined): void {
    const old = this.placements.get(key);
    if (old) this.count(old, -1);
    if (placement) {
      this.placements.set(key, placement);
      this.count(placement, 1);
    } else {
      this.placements.delete(key);
    }
  }

  private count(p: Placement, delta: number): void {
    bump(this.podsByNode, p.node, delta);
    if (p.owner) bump(this.siblingsByNode, `${p.node}/${p.owner}`, delta);
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  const n = (map.get(key) ?? 0) + delta;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

/** Where a pod counts: its node, while it is bound and not finished. */
function placementOf(pod: KubeObject): Placement | undefined {
  const node = record(pod.spec).nodeName;
  const phase = record(pod.status).phase;
  if (typeof node !== 'string' || !node || phase === 'Succeeded' || phase === 'Failed') return undefined;
  return { node, owner: controllerUid(pod) };
}
