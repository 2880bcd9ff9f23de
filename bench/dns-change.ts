/**
 * Service change to answer served: Services created (then deleted) one at a time through the
 * API; after each ack, the DNS server is asked over UDP in a tight loop until the A record
 * appears (NXDOMAIN after the delete). Reference: the same changes' events on a bare watch in
 * this process, from the ack to the event, the floor for anything fed by a watch.
 */
import type { DecodedPacket } from 'dns-packet';
import type { KubeObject } from '../src/api/types.js';
import type { ApiClient } from '../src/client/rest.js';
import { DnsProbe, rcodeOf } from './dns-probe.js';
import { ZONE, resources } from './dns-objects.js';
import { nowMs, progress, sleep } from './lib.js';

export interface ChangeOptions {
  client: ApiClient;
  dnsPort: number;
  namespace: string;
  count: number;
  /** Longest wait for one change to show, in ms. */
  boundMs: number;
}

export interface ChangeLatencies {
  /** Ack to first answer with the A record (creates) or NXDOMAIN (deletes), ms. */
  createMs: number[];
  deleteMs: number[];
  /** Ack to the event on a bare watch, ms (below 0: the event came before the ack). */
  watchCreateMs: number[];
  watchDeleteMs: number[];
  /** Changes that did not show within the bound (counted at the bound). */
  timeouts: number;
}

const hasAddress = (p: DecodedPacket): boolean => rcodeOf(p) === 0 && (p.answers ?? []).some((a) => a.type === 'A');
const isNxdomain = (p: DecodedPacket): boolean => rcodeOf(p) === 3;

/** Asks every millisecond or so until `wanted` holds; the time it first did, or undefined at the bound. */
async function pollUntil(probe: DnsProbe, name: string, wanted: (p: DecodedPacket) => boolean, boundMs: number): Promise<number | undefined> {
  const deadline = nowMs() + boundMs;
  while (nowMs() < deadline) {
    const reply = await probe.query(name, 'A', 100);
    if (reply !== undefined && wanted(reply)) return nowMs();
    await sleep(1);
  }
  return undefined;
}

function changeService(name: string): KubeObject {
  return { metadata: { name }, spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] } };
}

/** A watch on the namespace's Services recording when each ADDED/DELETED event arrived. */
function watchArrivals(client: ApiClient, namespace: string): { added: Map<string, number>; deleted: Map<string, number>; stop(): void } {
  const added = new Map<string, number>();
  const deleted = new Map<string, number>();
  const abort = new AbortController();
  void client
    .watch(resources.services, namespace, { signal: abort.signal }, (event) => {
      const name = event.object.metadata.name ?? '';
      if (event.type === 'ADDED') added.set(name, nowMs());
      if (event.type === 'DELETED') deleted.set(name, nowMs());
    })
    .catch((err: unknown) => {
      // The missing events then fail the wait below, with this as the reason.
      if (!abort.signal.aborted) progress(`dns: reference watch failed: ${(err as Error).message}`);
    });
  return { added, deleted, stop: () => abort.abort() };
}

async function waitFor(what: string, isDone: () => boolean, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!isDone()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function oneChange(options: ChangeOptions, probe: DnsProbe, change: { name: string; isCreate: boolean }): Promise<{ ms: number; ack: number; timedOut: boolean }> {
  if (change.isCreate) await options.client.create(resources.services, options.namespace, changeService(change.name));
  else await options.client.delete(resources.services, options.namespace, change.name);
  const ack = nowMs();
  const fqdn = `${change.name}.${options.namespace}.svc.${ZONE}`;
  const seen = await pollUntil(probe, fqdn, change.isCreate ? hasAddress : isNxdomain, options.boundMs);
  return { ms: (seen ?? ack + options.boundMs) - ack, ack, timedOut: seen === undefined };
}

export async function measureChanges(options: ChangeOptions): Promise<ChangeLatencies> {
  const probe = await DnsProbe.open(options.dnsPort);
  const watch = watchArrivals(options.client, options.namespace);
  const result: ChangeLatencies = { createMs: [], deleteMs: [], watchCreateMs: [], watchDeleteMs: [], timeouts: 0 };
  try {
    // Warm-up change: also proves the watch is open before the measured ones.
    await oneChange(options, probe, { name: 'warmup', isCreate: true });
    await waitFor('the warm-up watch event', () => watch.added.has('warmup'), 10_000);
    await oneChange(options, probe, { name: 'warmup', isCreate: false });
    const acks = new Map<string, number>();
    for (const isCreate of [true, false]) {
      for (let i = 0; i < options.count; i++) {
        const name = `change-${i}`;
        const r = await oneChange(options, probe, { name, isCreate });
        (isCreate ? result.createMs : result.deleteMs).push(r.ms);
        acks.set(`${isCreate ? 'c' : 'd'}/${name}`, r.ack);
        if (r.timedOut) result.timeouts++;
      }
    }
    await waitFor('every watch event', () => watch.deleted.size >= options.count + 1, 10_000);
    for (let i = 0; i < options.count; i++) {
      const name = `change-${i}`;
      result.watchCreateMs.push((watch.added.get(name) ?? Number.NaN) - (acks.get(`c/${name}`) ?? Number.NaN));
      result.watchDeleteMs.push((watch.deleted.get(name) ?? Number.NaN) - (acks.get(`d/${name}`) ?? Number.NaN));
    }
    return result;
  } finally {
    watch.stop();
    probe.close();
  }
}
