/** The parts of a Job the controller reads and the status it writes, as plain data. */
import { isRecord, type KubeObject } from '../../api/types.js';

export interface JobSpecView {
  name: string;
  parallelism: number;
  /** Undefined: a work-queue Job, done once any pod succeeded and none is active. */
  completions: number | undefined;
  indexed: boolean;
  backoffLimit: number;
  activeDeadlineSeconds: number | undefined;
  suspend: boolean;
  ttlSecondsAfterFinished: number | undefined;
  /** Failed: replace a pod only once it has failed; else also while it terminates. */
  replaceOnlyFailed: boolean;
}

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  terminating?: number;
  succeeded?: number;
  failed?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
}

function optionalInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export function jobSpec(job: KubeObject): JobSpecView {
  const spec = isRecord(job.spec) ? job.spec : {};
  return {
    name: job.metadata.name ?? '',
    parallelism: optionalInt(spec.parallelism) ?? 1,
    completions: optionalInt(spec.completions),
    indexed: spec.completionMode === 'Indexed',
    backoffLimit: optionalInt(spec.backoffLimit) ?? 6,
    activeDeadlineSeconds: optionalInt(spec.activeDeadlineSeconds),
    suspend: spec.suspend === true,
    ttlSecondsAfterFinished: optionalInt(spec.ttlSecondsAfterFinished),
    replaceOnlyFailed: spec.podReplacementPolicy === 'Failed',
  };
}

export function jobStatus(job: KubeObject): JobStatus {
  return isRecord(job.status) ? (job.status as JobStatus) : {};
}

export function findCondition(status: JobStatus, type: string): JobCondition | undefined {
  return status.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed: the Job is over and its pods are gone or finalized. */
export function finishedCondition(status: JobStatus): JobCondition | undefined {
  return findCondition(status, 'Complete') ?? findCondition(status, 'Failed');
}

/** Sets a condition; its transition time moves only when its status changes. */
export function setCondition(conditions: readonly JobCondition[], next: JobCondition, now: string): JobCondition[] {
  const existing = conditions.find((c) => c.type === next.type);
  if (existing && existing.status === next.status && existing.reason === next.reason) return [...conditions];
  const condition = { ...next, lastProbeTime: now, lastTransitionTime: now };
  return existing ? conditions.map((c) => (c === existing ? condition : c)) : [...conditions, condition];
}

/** Parses `completedIndexes` ("1,3-5") into a set of indexes. */
export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** Formats indexes as upstream does: ascending, runs of consecutive indexes as "a-b". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
