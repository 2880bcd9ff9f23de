/**
 * Goal (c) of the proxy section: a pod's Ready to the first request through the cluster IP that
 * reaches it. One Service (`ready`) with no other endpoint; pods that it selects are created one
 * at a time. A pod watch stamps when each pod is first seen Ready, an EndpointSlice watch when
 * its address is first listed ready (the reference: the control plane's part), and a request
 * loop in the node's namespace (a new connection per request, one begun every 1 ms) when the pod first
 * answers. Each pod is deleted, and the loop sees the Service refuse again, before the next.
 */
import { sliceInfo, isPodReady, PATH, podInfo, podIP, podObject, readySliceAddresses, SERVICE_PORT, createService, type Server } from './proxy-backends.js';
import { startProbeLoop, StampedWatch } from './proxy-loop.js';
import type { ApiClient } from '../src/client/rest.js';
import { progress } from './lib.js';

export interface ReadySample {
  pod: string;
  /** Ms from Ready seen on the pod watch to the first answer through the cluster IP. */
  trafficMs: number;
  /** Ms from Ready seen to the address listed ready on the slice watch. */
  sliceMs: number;
  /** Ms between the attempt that got the answer and the one before it (the loop's resolution). */
  gapMs: number;
  /** Attempts begun after Ready was seen that got no answer within 100 ms (a lost SYN). */
  timeouts: number;
}

export interface ReadyOptions {
  client: ApiClient;
  server: Server;
  namespace: string;
  nodeName: string;
  netns: string;
  pods: number;
  pauseMs: number;
}

export interface ReadyResult {
  samples: ReadySample[];
  attempted: number;
  attemptsPerSecond: number;
}

export async function measureReady(o: ReadyOptions): Promise<ReadyResult> {
  const { client, namespace } = o;
  const readyAt = new Map<string, number>();
  const ipOf = new Map<string, string>();
  const sliceReadyAt = new Map<string, number>();
  const pods = new StampedWatch(client, podInfo, namespace, (e, at) => {
    const name = e.object.metadata.name ?? '';
    if (e.type !== 'DELETED' && isPodReady(e.object) && !readyAt.has(name)) {
      readyAt.set(name, at);
      ipOf.set(name, podIP(e.object));
    }
  });
  const slices = new StampedWatch(client, sliceInfo, namespace, (e, at) => {
    if (e.type === 'DELETED' || e.object.metadata.labels?.['kubernetes.io/service-name'] !== 'ready') return;
    for (const ip of readySliceAddresses(e.object)) if (!sliceReadyAt.has(ip)) sliceReadyAt.set(ip, at);
  });
  await pods.start();
  await slices.start();
  const clusterIP = await createService(client, namespace, 'ready', { app: 'proxy-ready' });
  const loop = startProbeLoop(o.netns, { host: clusterIP, port: SERVICE_PORT, path: PATH, pauseMs: o.pauseMs });
  const samples: ReadySample[] = [];
  let attempted = 0;
  try {
    await loop.waitFor((s) => s === 'refused', 30_000);
    for (let i = 0; i < o.pods; i++) {
      const name = `r-${String(i).padStart(2, '0')}`;
      const from = loop.lines.length;
      attempted++;
      await client.create(podInfo, namespace, podObject(o.server, name, namespace, o.nodeName, { app: 'proxy-ready' }));
      const hit = await loop.waitFor((s) => s === name, 30_000, from);
      const ready = readyAt.get(name);
      const ip = ipOf.get(name) ?? '';
      const gone = loop.lines.length;
      await client.delete(podInfo, namespace, name, { gracePeriodSeconds: 0 });
      await loop.waitFor((s) => s === 'refused', 30_000, gone);
      // By now every attempt begun before the answer has ended.
      // Attempts lost between Ready and the answer (a dropped SYN), not those of a busy machine before.
      const lost = loop.lines.slice(from).filter((l) => l.state === 'timeout' && l.at < hit.at && l.at >= (ready ?? hit.at));
      const timeouts = lost.length;
      if (ready !== undefined) {
        const sample = { pod: name, trafficMs: hit.at - ready, sliceMs: (sliceReadyAt.get(ip) ?? Number.NaN) - ready, gapMs: hit.at - hit.prevAt, timeouts };
        samples.push(sample);
        progress(`proxy: ${name} Ready -> slice ${sample.sliceMs.toFixed(1)} ms, -> traffic ${sample.trafficMs.toFixed(1)} ms (loop gap ${sample.gapMs.toFixed(1)} ms; ${timeouts} attempts timed out${timeouts > 0 ? `, begun ${lost.map((l) => (hit.at - l.at).toFixed(0)).join(', ')} ms before the answer` : ''})`);
      } else progress(`proxy: ${name} answered before its Ready was seen on the watch; left out`);
      // The next pod may get this one's address again: forget when it was listed.
      sliceReadyAt.delete(ip);
    }
    const last = loop.lines.at(-1);
    const first = loop.lines[0];
    const attemptsPerSecond = last && first && last.at > first.at ? (last.attempts / (last.at - first.at)) * 1000 : Number.NaN;
    return { samples, attempted, attemptsPerSecond };
  } finally {
    await loop.stop();
    await slices.stop();
    await pods.stop();
  }
}
