/**
 * Pod creation rate through the controllers: one Deployment scaled from 0 to N, timed from
 * the scale patch until every pod exists and until every pod is Ready (seen on a pod watch).
 * Reference: bare pod creates at concurrency 32 by a client, on a node that does not exist
 * so nothing else acts on them; then deleted again.
 */
import { Client, ensureNamespace, type Reply, nowMs, progress, runPool, sleep } from './lib.js';
import { currentResourceVersion, isPodReady, openWatch } from './watch-stream.js';

export interface RawCreates {
  done: number;
  perSecond: number;
}

export async function rawPodCreates(client: Client, count: number, deadlineMs: number): Promise<RawCreates> {
  const ns = 'bench-raw-pods';
  await ensureNamespace(client, ns);
  const started = nowMs();
  const done = await runPool({
    count,
    concurrency: 32,
    deadlineMs,
    task: async (i) => {
      await client.expect('POST', `/api/v1/namespaces/${ns}/pods`, [201], {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `raw-${i}`, namespace: ns },
        spec: { nodeName: 'bench-no-such-node', containers: [{ name: 'c', image: 'bench' }] },
      });
    },
  });
  const perSecond = (done / (nowMs() - started)) * 1000;
  await runPool({
    count: done,
    concurrency: 32,
    deadlineMs,
    task: async (i) => {
      await client.expect('DELETE', `/api/v1/namespaces/${ns}/pods/raw-${i}`, [200, 202, 404], { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
    },
  });
  return { done, perSecond };
}

export interface ScaleRun {
  target: number;
  existed: number;
  ready: number;
  /** From the scale patch's ack to the last pod ADDED / first Ready; NaN when cut short. */
  existMs: number;
  readyMs: number;
  /** Scaling back to 0 until every pod is gone; NaN when cut short. */
  goneMs: number;
}

const deploymentPath = '/apis/apps/v1/namespaces/bench-deploy/deployments';
let conflicts = 0;

/** 409 answers to scale patches so far (reported: Kubernetes retries a patch itself). */
export const scaleConflicts = (): number => conflicts;

function patchScale(client: Client, replicas: number): Promise<Reply> {
  return client.request('PATCH', `${deploymentPath}/scale/scale`, {
    body: JSON.stringify({ spec: { replicas } }),
    headers: { 'Content-Type': 'application/merge-patch+json' },
  });
}

export async function scaleDeployment(client: Client, target: number, deadlineMs: number): Promise<ScaleRun> {
  await ensureNamespace(client, 'bench-deploy');
  await client.expect('POST', deploymentPath, [201], {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'scale', namespace: 'bench-deploy' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'scale' } },
      template: { metadata: { labels: { app: 'scale' } }, spec: { containers: [{ name: 'c', image: 'bench' }] } },
    },
  });
  const podsPath = '/api/v1/namespaces/bench-deploy/pods';
  const existing = new Set<string>();
  const ready = new Set<string>();
  let gone = 0;
  let lastAddedAt = 0;
  let lastReadyAt = 0;
  let lastGoneAt = 0;
  const watch = openWatch(client, podsPath, await currentResourceVersion(client, podsPath), (e, at) => {
    const name = e.object.metadata.name ?? '';
    if (e.type === 'ADDED' && !existing.has(name)) {
      existing.add(name);
      lastAddedAt = at;
    }
    if (e.type === 'DELETED') {
      gone++;
      lastGoneAt = at;
    } else if (isPodReady(e.object) === true && !ready.has(name)) {
      ready.add(name);
      lastReadyAt = at;
    }
  });
  try {
    const patch = async (replicas: number): Promise<number> => {
      let sent = nowMs();
      let reply = await patchScale(client, replicas);
      // A patch carries no resourceVersion, so Kubernetes never answers it with 409; this API
      // server may while the controller writes status, so retry (the time counts from the last try).
      for (let i = 0; i < 20 && reply.status === 409; i++) {
        conflicts++;
        sent = nowMs();
        reply = await patchScale(client, replicas);
      }
      if (reply.status !== 200) throw new Error(`scale to ${replicas}: HTTP ${reply.status}: ${reply.body.toString('utf8').slice(0, 300)}`);
      return sent;
    };
    const stopAt = Date.now() + deadlineMs;
    const upAt = await patch(target);
    let lastReport = Date.now();
    while ((existing.size < target || ready.size < target) && Date.now() < stopAt) {
      await sleep(50);
      if (Date.now() - lastReport > 10_000) {
        progress(`controllers: deployment ${existing.size} exist, ${ready.size} ready of ${target}`);
        lastReport = Date.now();
      }
    }
    const run: ScaleRun = {
      target,
      existed: existing.size,
      ready: ready.size,
      existMs: existing.size >= target ? lastAddedAt - upAt : Number.NaN,
      readyMs: ready.size >= target ? lastReadyAt - upAt : Number.NaN,
      goneMs: Number.NaN,
    };
    // Back to 0, so the propagation phase starts from a cluster holding only its own pods.
    const downAt = await patch(0);
    while (gone < existing.size && Date.now() < stopAt + deadlineMs) await sleep(50);
    if (gone >= existing.size) run.goneMs = lastGoneAt - downAt;
    return run;
  } finally {
    watch.close();
  }
}
