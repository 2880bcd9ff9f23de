/**
 * The cluster DNS component: shared informers on Services, EndpointSlices and Namespaces feed
 * the record index directly (the index is the cache, and rebuilding one Service's records is
 * cheap, so no work queue stands between an event and the answer), and the UDP/TCP servers
 * answer from it. Until the informers have synced, would-be NXDOMAIN answers are SERVFAIL.
 */
import type { KubeObject } from '../api/types.js';
import type { Controller, ControllerDeps } from '../controllers/types.js';
import { RecordIndex, type PodMode } from './records.js';
import { startDnsServer, type DnsServer, type ListenAddress } from './server.js';

export interface ClusterDnsConfig {
  /** Cluster domain, default `cluster.local`. */
  zone?: string;
  /** Answer TTL in seconds, default 5. */
  ttl?: number;
  pods?: PodMode;
  listen: ListenAddress[];
}

export interface ClusterDns extends Controller {
  /** Bound listen addresses (real ports); empty until the listeners are up. */
  addresses(): ListenAddress[];
  index: RecordIndex;
}

export function startClusterDns(config: ClusterDnsConfig, deps: ControllerDeps): ClusterDns {
  const index = new RecordIndex({
    ...(config.zone === undefined ? {} : { zone: config.zone }),
    ...(config.ttl === undefined ? {} : { ttl: config.ttl }),
    ...(config.pods === undefined ? {} : { pods: config.pods }),
  });
  const services = deps.informers.informer('', 'services');
  const slices = deps.informers.informer('discovery.k8s.io', 'endpointslices');
  const namespaces = deps.informers.informer('', 'namespaces');
  let synced = false;

  services.addHandlers({
    onAdd: (svc) => index.upsertService(svc),
    onUpdate: (_old, svc) => index.upsertService(svc),
    onDelete: (svc) => index.deleteService(svc),
  });
  slices.addHandlers({
    onAdd: (s) => index.upsertSlice(s),
    onUpdate: (old, s) => {
      // A slice relabelled to another Service must leave the old one.
      if (old.metadata.labels?.['kubernetes.io/service-name'] !== s.metadata.labels?.['kubernetes.io/service-name']) index.deleteSlice(old);
      index.upsertSlice(s);
    },
    onDelete: (s) => index.deleteSlice(s),
  });
  const refreshNamespaces = (): void => {
    index.setNamespaces(namespaces.cache.list().flatMap((ns: KubeObject) => ns.metadata.name ?? []));
  };
  namespaces.addHandlers({ onAdd: refreshNamespaces, onDelete: refreshNamespaces });

  let server: DnsServer | undefined;
  let stopped = false;
  const listening = startDnsServer({ index, synced: () => synced, log: deps.log, listen: config.listen }).then(async (s) => {
    server = s;
    if (stopped) await s.close();
  });
  const ready = (async () => {
    await Promise.all([services.waitForSync(), slices.waitForSync(), namespaces.waitForSync()]);
    synced = true;
    await listening;
    deps.log.info({ addresses: server?.addresses(), zone: index.zone }, 'cluster DNS serving');
  })();
  // `ready` is awaited by the composer; keep an unobserved rejection from crashing the process.
  ready.catch((err: unknown) => deps.log.error({ err }, 'cluster DNS failed to start'));

  return {
    ready,
    index,
    addresses: () => server?.addresses() ?? [],
    async stop() {
      stopped = true;
      await listening.catch(() => undefined);
      await server?.close();
    },
  };
}
