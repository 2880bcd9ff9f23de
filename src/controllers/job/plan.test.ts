import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { type JobInputs, planJob, ttlRemainingMs } from './plan.js';
import { completionIndexKey, newJobPod, trackingFinalizer } from './pod.js';
import { formatIndexes, type JobSpecView, type JobStatus, parseIndexes } from './spec.js';
import { countReleased, podsToRelease, recordFinished } from './tracking.js';

const now = new Date('2025-01-01T01:00:00Z');

function newSpec(overrides: Partial<JobSpecView> = {}): JobSpecView {
  return {
    name: 'pi',
    parallelism: 2,
    completions: 3,
    indexed: false,
    backoffLimit: 6,
    activeDeadlineSeconds: undefined,
    suspend: false,
    ttlSecondsAfterFinished: undefined,
    replaceOnlyFailed: false,
    ...overrides,
  };
}

let serial = 0;
type State = 'pending' | 'ready' | 'succeeded' | 'failed' | 'terminating';
function newPod(state: State, opts: { index?: number; finalizer?: boolean } = {}): KubeObject {
  serial++;
  const phase = { pending: 'Pending', ready: 'Running', succeeded: 'Succeeded', failed: 'Failed', terminating: 'Running' }[state];
  return {
    metadata: {
      name: `pi-${serial}`,
      uid: `uid-${serial}`,
      creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, serial)).toISOString(),
      ...(opts.finalizer === false ? {} : { finalizers: [trackingFinalizer] }),
      ...(opts.index !== undefined ? { annotations: { [completionIndexKey]: String(opts.index) } } : {}),
      ...(state === 'terminating' ? { deletionTimestamp: '2025-01-01T00:59:00Z' } : {}),
    },
    status: { phase, conditions: [{ type: 'Ready', status: state === 'ready' ? 'True' : 'False' }] },
  };
}

function inputs(spec: Partial<JobSpecView>, status: JobStatus, pods: KubeObject[], extra: Partial<JobInputs> = {}): JobInputs {
  return { spec: newSpec(spec), status, pods, now, mayChangePods: true, backoffRemainingMs: 0, ...extra };
}

const started = { startTime: '2025-01-01T00:00:00Z' };
const types = (s: JobStatus): string[] => (s.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}:${c.reason ?? ''}`);

describe('planJob', () => {
  const cases: Array<{ name: string; in: JobInputs; create: number | number[]; delete: number; conditions: string[] }> = [
    { name: 'a new job starts parallelism pods', in: inputs({}, {}, []), create: 2, delete: 0, conditions: [] },
    { name: 'never more than the remaining completions', in: inputs({}, { ...started, succeeded: 2 }, []), create: 1, delete: 0, conditions: [] },
    { name: 'active pods count', in: inputs({}, started, [newPod('ready')]), create: 1, delete: 0, conditions: [] },
    { name: 'surplus pods go, unready first', in: inputs({ parallelism: 1 }, started, [newPod('ready'), newPod('pending')]), create: 0, delete: 1, conditions: [] },
    {
      name: 'terminating pods are replaced at once by default',
      in: inputs({}, started, [newPod('ready'), newPod('terminating')]),
      create: 1,
      delete: 0,
      conditions: [],
    },
    {
      name: 'podReplacementPolicy Failed waits for terminating pods',
      in: inputs({ replaceOnlyFailed: true }, started, [newPod('ready'), newPod('terminating')]),
      create: 0,
      delete: 0,
      conditions: [],
    },
    { name: 'nothing while expectations are pending', in: inputs({}, started, [], { mayChangePods: false }), create: 0, delete: 0, conditions: [] },
    { name: 'nothing during failure back-off', in: inputs({}, { ...started, failed: 1 }, [], { backoffRemainingMs: 500 }), create: 0, delete: 0, conditions: [] },
    {
      name: 'enough successes: SuccessCriteriaMet, then Complete once no pod is left',
      in: inputs({}, { ...started, succeeded: 3 }, []),
      create: 0,
      delete: 0,
      conditions: ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached'],
    },
    {
      name: 'Complete waits for uncounted pods',
      in: inputs({}, { ...started, succeeded: 2, uncountedTerminatedPods: { succeeded: ['u'] } }, []),
      create: 0,
      delete: 0,
      conditions: ['SuccessCriteriaMet:CompletionsReached'],
    },
    {
      name: 'work-queue job completes when one succeeded and none is active',
      in: inputs({ completions: undefined }, { ...started, succeeded: 1 }, []),
      create: 0,
      delete: 0,
      conditions: ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached'],
    },
    {
      name: 'work-queue job keeps running pods after a success',
      in: inputs({ completions: undefined }, { ...started, succeeded: 1 }, [newPod('ready')]),
      create: 0,
      delete: 0,
      conditions: [],
    },
    {
      name: 'too many failures: FailureTarget, pods deleted',
      in: inputs({ backoffLimit: 1 }, { ...started, failed: 2 }, [newPod('ready')]),
      create: 0,
      delete: 1,
      conditions: ['FailureTarget:BackoffLimitExceeded'],
    },
    {
      name: 'too many failures and no pods: Failed',
      in: inputs({ backoffLimit: 1 }, { ...started, failed: 2 }, []),
      create: 0,
      delete: 0,
      conditions: ['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded'],
    },
    {
      name: 'deadline passed',
      in: inputs({ activeDeadlineSeconds: 60 }, started, [newPod('ready')]),
      create: 0,
      delete: 1,
      conditions: ['FailureTarget:DeadlineExceeded'],
    },
    { name: 'suspended: pods deleted', in: inputs({ suspend: true }, started, [newPod('ready')]), create: 0, delete: 1, conditions: ['Suspended:JobSuspended'] },
    {
      name: 'a finished job does nothing',
      in: inputs({}, { conditions: [{ type: 'Complete', status: 'True' }] }, [newPod('ready')]),
      create: 0,
      delete: 0,
      conditions: ['Complete:'],
    },
    { name: 'indexed: lowest free indexes first', in: inputs({ indexed: true }, { ...started, completedIndexes: '0' }, []), create: [1, 2], delete: 0, conditions: [] },
    {
      name: 'indexed: an active index is not duplicated',
      in: inputs({ indexed: true }, started, [newPod('ready', { index: 0 }), newPod('ready', { index: 0 })]),
      create: [1],
      delete: 1,
      conditions: [],
    },
    {
      name: 'indexed: complete when every index succeeded',
      in: inputs({ indexed: true }, { ...started, succeeded: 3, completedIndexes: '0-2' }, []),
      create: [],
      delete: 0,
      conditions: ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planJob(c.in);
      if (typeof c.create === 'number') assert.equal(plan.create.length, c.create);
      else assert.deepEqual(plan.create.map((p) => p.index), c.create);
      assert.equal(plan.delete.length, c.delete);
      assert.deepEqual(types(plan.status), c.conditions);
    });
  }

  test('status counts active, ready and terminating pods and sets startTime', () => {
    const plan = planJob(inputs({}, {}, [newPod('ready'), newPod('pending'), newPod('terminating'), newPod('succeeded')]));
    assert.equal(plan.status.active, 2);
    assert.equal(plan.status.ready, 1);
    assert.equal(plan.status.terminating, 1);
    assert.equal(plan.status.startTime, '2025-01-01T01:00:00Z');
  });

  test('Complete carries completionTime; messages as upstream', () => {
    const plan = planJob(inputs({}, { ...started, succeeded: 3 }, []));
    assert.equal(plan.status.completionTime, '2025-01-01T01:00:00Z');
    assert.equal(plan.status.conditions?.[1]?.message, 'Reached expected number of succeeded pods');
  });

  test('resuming resets startTime', () => {
    const status: JobStatus = { ...started, conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended' }] };
    const plan = planJob(inputs({}, status, []));
    assert.equal(plan.status.startTime, '2025-01-01T01:00:00Z');
    assert.deepEqual(
      plan.status.conditions?.map((c) => `${c.type}=${c.status}:${c.reason}`),
      ['Suspended=False:JobResumed'],
    );
  });

  test('a deadline ahead requeues for it', () => {
    const plan = planJob(inputs({ activeDeadlineSeconds: 3660 }, started, []));
    assert.equal(plan.requeueAfterMs, 60_000);
  });
});

describe('finished-pod tracking', () => {
  test('records, releases, then counts each finished pod once', () => {
    const done = newPod('succeeded');
    const failed = newPod('failed');
    const running = newPod('ready');
    const pods = [done, failed, running];
    const recorded = recordFinished({ status: { succeeded: 1 }, pods, settled: new Set(), indexed: false });
    assert.deepEqual(recorded.uncountedTerminatedPods, { succeeded: [done.metadata.uid], failed: [failed.metadata.uid] });
    assert.deepEqual(
      podsToRelease(recorded, pods).map((p) => p.metadata.uid),
      [done.metadata.uid, failed.metadata.uid],
    );
    const counted = countReleased({ status: recorded, pods, released: new Set([done.metadata.uid ?? '']) });
    assert.equal(counted.succeeded, 2);
    assert.equal(counted.failed ?? 0, 0);
    assert.deepEqual(counted.uncountedTerminatedPods, { succeeded: [], failed: [failed.metadata.uid] });
    // Recording again (stale cache still shows the finalizer) adds nothing.
    const again = recordFinished({ status: counted, pods, settled: new Set([done.metadata.uid ?? '']), indexed: false });
    assert.equal(again, counted);
  });

  test('a deleted unfinished pod counts as failed; a pod without the finalizer is not recorded', () => {
    const deleted = newPod('terminating');
    const untracked = newPod('succeeded', { finalizer: false });
    const recorded = recordFinished({ status: {}, pods: [deleted, untracked], settled: new Set(), indexed: false });
    assert.deepEqual(recorded.uncountedTerminatedPods, { succeeded: [], failed: [deleted.metadata.uid] });
  });

  test('indexed successes mark their index completed', () => {
    const recorded = recordFinished({ status: { completedIndexes: '0' }, pods: [newPod('succeeded', { index: 2 })], settled: new Set(), indexed: true });
    assert.equal(recorded.completedIndexes, '0,2');
  });
});

describe('helpers', () => {
  test('completed index ranges', () => {
    assert.equal(formatIndexes([5, 1, 2, 3, 7, 8]), '1-3,5,7-8');
    assert.deepEqual([...parseIndexes('1-3,5')], [1, 2, 3, 5]);
    assert.equal(formatIndexes([]), '');
  });

  test('ttl counts from completionTime', () => {
    const status: JobStatus = { completionTime: '2025-01-01T00:59:50Z', conditions: [{ type: 'Complete', status: 'True' }] };
    assert.equal(ttlRemainingMs(newSpec({ ttlSecondsAfterFinished: 30 }), status, now), 20_000);
    assert.equal(ttlRemainingMs(newSpec(), status, now), undefined);
    assert.equal(ttlRemainingMs(newSpec({ ttlSecondsAfterFinished: 30 }), {}, now), undefined);
  });

  test('indexed pods carry index, hostname and env', () => {
    const job: KubeObject = {
      metadata: { name: 'pi', namespace: 'default', uid: 'j' },
      spec: { template: { metadata: { labels: { 'job-name': 'pi' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    const pod = newJobPod(job, 2);
    assert.equal(pod.metadata.generateName, 'pi-2-');
    assert.equal(pod.metadata.annotations?.[completionIndexKey], '2');
    assert.equal(pod.metadata.labels?.[completionIndexKey], '2');
    assert.deepEqual(pod.metadata.finalizers, [trackingFinalizer]);
    const spec = pod.spec as { hostname: string; containers: Array<{ env: Array<{ name: string }> }> };
    assert.equal(spec.hostname, 'pi-2');
    assert.equal(spec.containers[0]?.env[0]?.name, 'JOB_COMPLETION_INDEX');
    assert.equal(newJobPod(job).metadata.generateName, 'pi-');
  });
});
