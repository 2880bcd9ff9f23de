/**
 * Counting finished pods exactly once (upstream's finalizer-based tracking). A Job's pods carry
 * the `batch.kubernetes.io/job-tracking` finalizer, so none disappears uncounted. A finished
 * pod's uid is first recorded in status.uncountedTerminatedPods (written to the API), then its
 * finalizer is removed, then the uid moves from the uncounted lists into succeeded/failed.
 * Whatever fails in between, the next sync resumes from what the status says.
 */
import type { KubeObject } from '../../api/types.js';
import { isTerminating, podPhase } from '../shared/pod-state.js';
import { completionIndexOf, hasTrackingFinalizer } from './pod.js';
import { formatIndexes, type JobStatus, parseIndexes } from './spec.js';

export type PodOutcome = 'succeeded' | 'failed';

/** How a pod ended, for the Job: a pod deleted before it succeeded counts as failed. */
export function podOutcome(pod: KubeObject): PodOutcome | undefined {
  const phase = podPhase(pod);
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed' || isTerminating(pod)) return 'failed';
  return undefined;
}

function uncounted(status: JobStatus): { succeeded: string[]; failed: string[] } {
  return { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
}

/**
 * Step 1: records finished pods that still hold the finalizer as uncounted (and, for Indexed
 * Jobs, their index as completed). `settled` are uids already counted whose finalizer removal
 * the cache has not shown yet; they are never recorded twice.
 */
export function recordFinished(args: { status: JobStatus; pods: readonly KubeObject[]; settled: ReadonlySet<string>; indexed: boolean }): JobStatus {
  const lists = uncounted(args.status);
  const known = new Set([...lists.succeeded, ...lists.failed]);
  const completed = parseIndexes(args.status.completedIndexes);
  let changed = false;
  for (const pod of args.pods) {
    const uid = pod.metadata.uid ?? '';
    const outcome = podOutcome(pod);
    if (!outcome || !hasTrackingFinalizer(pod) || known.has(uid) || args.settled.has(uid)) continue;
    lists[outcome].push(uid);
    changed = true;
    const index = completionIndexOf(pod);
    if (outcome === 'succeeded' && args.indexed && index !== undefined) completed.add(index);
  }
  if (!changed) return args.status;
  const next: JobStatus = { ...args.status, uncountedTerminatedPods: lists };
  if (args.indexed) next.completedIndexes = formatIndexes(completed);
  return next;
}

/** Step 2: the pods whose finalizer can go, because the status already records them. */
export function podsToRelease(status: JobStatus, pods: readonly KubeObject[]): KubeObject[] {
  const lists = uncounted(status);
  const recorded = new Set([...lists.succeeded, ...lists.failed]);
  return pods.filter((p) => hasTrackingFinalizer(p) && recorded.has(p.metadata.uid ?? ''));
}

/**
 * Step 3: uncounted uids whose pod no longer holds the finalizer (released now, or gone) move
 * into the succeeded and failed counters.
 */
export function countReleased(args: { status: JobStatus; pods: readonly KubeObject[]; released: ReadonlySet<string> }): JobStatus {
  const holding = new Set(args.pods.filter((p) => hasTrackingFinalizer(p) && !args.released.has(p.metadata.uid ?? '')).map((p) => p.metadata.uid));
  const lists = uncounted(args.status);
  const keep = { succeeded: lists.succeeded.filter((u) => holding.has(u)), failed: lists.failed.filter((u) => holding.has(u)) };
  const moved = lists.succeeded.length - keep.succeeded.length + lists.failed.length - keep.failed.length;
  if (moved === 0) return args.status;
  return {
    ...args.status,
    succeeded: (args.status.succeeded ?? 0) + lists.succeeded.length - keep.succeeded.length,
    failed: (args.status.failed ?? 0) + lists.failed.length - keep.failed.length,
    uncountedTerminatedPods: keep,
  };
}
