/**
 * Readiness propagation: S Services x P pods on simulated nodes; once all endpoints are
 * ready, a sample of pods is flipped not Ready and back through the simulated node's
 * annotation. For each flip: the pod's status change seen on a pod watch, and the
 * EndpointSlice change seen on a slice watch (the controller's share), against the time
 * from the annotation patch's ack to the pod change (the node's own share).
 */
import { Client, ensureNamespace, nowMs, progress, runPool, sleep } from './lib.js';
import { currentResourceVersion, isPodReady, openWatch, type WatchStream, type WatchedObject } from './watch-stream.js';

const ns = 'bench-prop';
const readyAnnotation = 'switchboard.io/simulated-ready';

export interface PropagationOptions {
  services: number;
  podsPerService: number;
  sample: number;
  concurrency: number;
  deadlineMs: number;
}

export interface Flip {
  pod: string;
  service: string;
  want: boolean;
  ackAt: number;
  podAt?: number;
  sliceAt?: number;
  finish?: () => void;
}

export interface PropagationRun {
  podsCreated: number;
  podsReady: number;
  readyEndpoints: number;
  /** From the first create to every endpoint ready; NaN when cut short. */
  settleMs: number;
  flips: Flip[];
}

interface SliceEndpoint {
  targetRef?: { name?: string };
  conditions?: { ready?: boolean };
}

/** Watches pods and slices of the namespace; keeps the counts settling needs and completes flips. */
class Observer {
  readonly readyPods = new Set<string>();
  readonly waiting = new Map<string, Flip>();
  readyEndpoints = 0;
  private readonly sliceReady = new Map<string, number>();
  private readonly streams: WatchStream[] = [];

  async open(client: Client): Promise<void> {
    const podsPath = `/api/v1/namespaces/${ns}/pods`;
    const slicesPath = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`;
    this.streams.push(openWatch(client, podsPath, await currentResourceVersion(client, podsPath), (e, at) => this.onPod(e.type, e.object, at)));
    this.streams.push(openWatch(client, slicesPath, await currentResourceVersion(client, slicesPath), (e, at) => this.onSlice(e.type, e.object, at)));
  }

  close(): void {
    for (const s of this.streams) s.close();
  }

  private onPod(type: string, pod: WatchedObject, at: number): void {
    const name = pod.metadata.name ?? '';
    const ready = type !== 'DELETED' && isPodReady(pod) === true;
    if (ready) this.readyPods.add(name);
    else this.readyPods.delete(name);
    const flip = this.waiting.get(name);
    if (flip && flip.podAt === undefined && ready === flip.want) {
      flip.podAt = at;
      this.check(flip);
    }
  }

  private onSlice(type: string, slice: WatchedObject, at: number): void {
    const name = slice.metadata.name ?? '';
    const endpoints = type === 'DELETED' ? [] : ((slice.endpoints ?? []) as SliceEndpoint[]);
    const states = new Map(endpoints.map((ep) => [ep.targetRef?.name ?? '', ep.conditions?.ready === true]));
    const readyCount = endpoints.filter((ep) => ep.conditions?.ready === true).length;
    this.readyEndpoints += readyCount - (this.sliceReady.get(name) ?? 0);
    this.sliceReady.set(name, readyCount);
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    for (const flip of this.waiting.values()) {
      if (flip.sliceAt !== undefined || flip.service !== service) continue;
      // A not-ready endpoint may be listed as not ready or left out; with P <= 100 a service has one slice.
      if ((states.get(flip.pod) === true) === flip.want) {
        flip.sliceAt = at;
        this.check(flip);
      }
    }
  }

  private check(flip: Flip): void {
    if (flip.podAt !== undefined && flip.sliceAt !== undefined) flip.finish?.();
  }
}

const podName = (s: number, p: number): string => `s${s}-p${p}`;

async function createObjects(client: Client, o: PropagationOptions, stopAt: number): Promise<number> {
  await runPool({
    count: o.services,
    concurrency: 32,
    deadlineMs: stopAt - Date.now(),
    task: async (s) => {
      await client.expect('POST', `/api/v1/namespaces/${ns}/services`, [201], {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `s${s}`, namespace: ns },
        spec: { selector: { svc: `s${s}` }, ports: [{ port: 80, targetPort: 8080 }] },
      });
    },
  });
  return runPool({
    count: o.services * o.podsPerService,
    concurrency: 32,
    deadlineMs: stopAt - Date.now(),
    task: async (i) => {
      const s = Math.floor(i / o.podsPerService);
      await client.expect('POST', `/api/v1/namespaces/${ns}/pods`, [201], {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName(s, i % o.podsPerService), namespace: ns, labels: { svc: `s${s}` } },
        spec: { containers: [{ name: 'c', image: 'bench', ports: [{ containerPort: 8080 }] }] },
      });
    },
  });
}

async function flipOnce(client: Client, observer: Observer, flip: Flip, timeoutMs: number): Promise<void> {
  const done = new Promise<void>((resolve) => {
    flip.finish = resolve;
  });
  observer.waiting.set(flip.pod, flip);
  const value = flip.want ? null : 'false';
  const reply = await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/${flip.pod}`, {
    body: JSON.stringify({ metadata: { annotations: { [readyAnnotation]: value } } }),
    headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  flip.ackAt = nowMs();
  if (reply.status !== 200) throw new Error(`patch ${flip.pod}: HTTP ${reply.status}`);
  await Promise.race([done, sleep(timeoutMs)]);
  observer.waiting.delete(flip.pod);
}

export async function benchPropagation(client: Client, o: PropagationOptions): Promise<PropagationRun> {
  const stopAt = Date.now() + o.deadlineMs;
  await ensureNamespace(client, ns);
  const observer = new Observer();
  await observer.open(client);
  try {
    const total = o.services * o.podsPerService;
    const started = nowMs();
    const podsCreated = await createObjects(client, o, stopAt);
    progress(`controllers: ${podsCreated} pods created in ${((nowMs() - started) / 1000).toFixed(1)} s`);
    let lastReport = Date.now();
    while ((observer.readyPods.size < total || observer.readyEndpoints < total) && Date.now() < stopAt) {
      await sleep(50);
      if (Date.now() - lastReport > 10_000) {
        progress(`controllers: ${observer.readyPods.size} pods ready, ${observer.readyEndpoints} endpoints ready of ${total}`);
        lastReport = Date.now();
      }
    }
    const settled = observer.readyEndpoints >= total;
    const run: PropagationRun = {
      podsCreated,
      podsReady: observer.readyPods.size,
      readyEndpoints: observer.readyEndpoints,
      settleMs: settled ? nowMs() - started : Number.NaN,
      flips: [],
    };
    if (!settled) return run;
    await sleep(2000); // let trailing writes (slice mirroring, node status) drain before timing
    const sample = Array.from({ length: Math.min(o.sample, total) }, (_, k) => {
      const s = Math.floor((k * o.services) / Math.min(o.sample, total));
      return { pod: podName(s, k % o.podsPerService), service: `s${s}` };
    });
    await runPool({
      count: sample.length,
      concurrency: o.concurrency,
      deadlineMs: stopAt - Date.now(),
      task: async (k) => {
        const target = sample[k];
        if (!target) return;
        for (const want of [false, true]) {
          const flip: Flip = { ...target, want, ackAt: 0 };
          run.flips.push(flip);
          await flipOnce(client, observer, flip, 15_000);
        }
      },
    });
    return run;
  } finally {
    observer.close();
  }
}
