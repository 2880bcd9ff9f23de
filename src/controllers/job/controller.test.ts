import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import { isTerminal } from '../shared/pod-state.js';
import { startTestNode } from '../shared/test-node.js';
import type { Controller } from '../types.js';
import { startJobController } from './controller.js';
import type { JobStatus } from './spec.js';

const podsInfo = findResource('', 'pods') as ResourceInfo;
const jobsInfo = findResource('batch', 'jobs') as ResourceInfo;

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function newJob(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    metadata: { name },
    spec: {
      ...spec,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } },
    },
  };
}

describe('Job controller against an API server', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controller: Controller;
  let node: { stop(): Promise<void> };
  const maxActive = new Map<string, number>();

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    controller = startJobController({ podFailureBackoffMs: 10 }, { client: api.client, informers: factory, log: silentLogger(), clock: systemClock });
    // Pods of jobs named fail-* fail; all others succeed.
    node = startTestNode({
      client: api.client,
      informers: factory,
      finishes: (pod) => (pod.metadata.labels?.['job-name']?.startsWith('fail') ? 'Failed' : 'Succeeded'),
    });
    const pods = factory.informer('', 'pods');
    const track = (pod: KubeObject): void => {
      const job = pod.metadata.labels?.['job-name'] ?? '';
      const active = pods.cache.listByLabels(pod.metadata.namespace, { 'job-name': job }).filter((p) => !isTerminal(p)).length;
      maxActive.set(job, Math.max(maxActive.get(job) ?? 0, active));
    };
    pods.addHandlers({ onAdd: track, onUpdate: (_o, pod) => track(pod) });
    await factory.start();
    await controller.ready;
  });

  after(async () => {
    await controller.stop();
    await node.stop();
    await api.stop();
  });

  const jobStatus = async (name: string): Promise<JobStatus & { job: KubeObject }> => {
    const job = await api.client.get(jobsInfo, 'default', name);
    return { ...(isRecord(job.status) ? (job.status as JobStatus) : {}), job };
  };
  const isTrue = (s: JobStatus, type: string): boolean => s.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  const podsOf = async (name: string): Promise<KubeObject[]> => (await api.client.list(podsInfo, 'default', { labelSelector: `job-name=${name}` })).items;

  test('completions 3, parallelism 2: Complete, never more than 2 running', async () => {
    await api.client.create(jobsInfo, 'default', newJob('pi', { completions: 3, parallelism: 2 }));
    const st = await eventually('pi complete', async () => {
      const s = await jobStatus('pi');
      return isTrue(s, 'Complete') ? s : undefined;
    });
    assert.equal(st.succeeded, 3);
    assert.equal(st.failed ?? 0, 0);
    assert.equal(st.active, 0);
    assert.ok(st.startTime && st.completionTime);
    assert.deepEqual(
      st.conditions?.map((c) => `${c.type}:${c.reason}`),
      ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached'],
    );
    assert.deepEqual(st.uncountedTerminatedPods, {});
    assert.ok((maxActive.get('pi') ?? 0) <= 2, `at most 2 active, saw ${maxActive.get('pi')}`);
    const pods = await podsOf('pi');
    assert.equal(pods.length, 3);
    for (const pod of pods) {
      assert.deepEqual(pod.metadata.finalizers ?? [], [], 'tracking finalizer removed once counted');
      assert.equal(pod.metadata.labels?.['batch.kubernetes.io/controller-uid'], st.job.metadata.uid);
      assert.equal(pod.metadata.ownerReferences?.[0]?.uid, st.job.metadata.uid);
    }
  });

  test('failing pods beyond backoffLimit: Failed with BackoffLimitExceeded', async () => {
    await api.client.create(jobsInfo, 'default', newJob('fail-fast', { backoffLimit: 1 }));
    const st = await eventually('failed', async () => {
      const s = await jobStatus('fail-fast');
      return isTrue(s, 'Failed') ? s : undefined;
    });
    assert.equal(st.failed, 2);
    assert.equal(st.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.ok(isTrue(st, 'FailureTarget'));
    assert.equal(st.completionTime, undefined);
  });

  test('indexed job: one pod per index, completedIndexes', async () => {
    await api.client.create(jobsInfo, 'default', newJob('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const st = await eventually('idx complete', async () => {
      const s = await jobStatus('idx');
      return isTrue(s, 'Complete') ? s : undefined;
    });
    assert.equal(st.completedIndexes, '0-2');
    const hostnames = (await podsOf('idx')).map((p) => (p.spec as Record<string, unknown>).hostname).sort();
    assert.deepEqual(hostnames, ['idx-0', 'idx-1', 'idx-2']);
  });

  test('suspended job runs no pods until resumed', async () => {
    await api.client.create(jobsInfo, 'default', newJob('later', { suspend: true }));
    await eventually('suspended', async () => (isTrue(await jobStatus('later'), 'Suspended') ? true : undefined));
    assert.equal((await podsOf('later')).length, 0);
    await api.client.patch(jobsInfo, 'default', 'later', 'merge', { spec: { suspend: false } });
    await eventually('complete', async () => (isTrue(await jobStatus('later'), 'Complete') ? true : undefined));
  });

  test('ttlSecondsAfterFinished deletes the finished job', async () => {
    await api.client.create(jobsInfo, 'default', newJob('brief', { ttlSecondsAfterFinished: 0 }));
    await eventually('deleted', async () => {
      const jobs = await api.client.list(jobsInfo, 'default');
      const job = jobs.items.find((j) => j.metadata.name === 'brief');
      // Foreground deletion: without a garbage collector here it stays, marked for deletion.
      return !job || job.metadata.deletionTimestamp ? true : undefined;
    });
  });
});
