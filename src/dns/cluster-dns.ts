/**
 * The cluster DNS component: shared informers on Services, EndpointSlices and Namespaces (and
 * Pods for `verified` pod records) feed the record index directly (the index is the cache, and
 * rebuilding one Service's records is cheap, so no work queue stands between an event and the
 * answer), and the UDP/TCP servers answer from it. Until the informers have synced, would-be
 * NXDOMAIN answers are SERVFAIL. It also publishes the `kube-system/kube-dns` Service.
 */
import type { KubeObject } from '../api/types.js';
import type { Controller, ControllerDeps } from '../controllers/types.js';
import { RecordIndex, type PodMode } from './records.js';
import { startDnsServer, type DnsServer, type ListenAddress } from './server.js';
import { Forwarder, upstreamsFromResolvConf, type Upstream } from './forwarder.js';
import { DnsMetrics } from './metrics.js';
import { publishKubeDnsService, type KubeDnsServiceConfig } from './kube-dns-service.js';

export interface ClusterDnsConfig {
  /** Cluster domain, default `cluster.local`. */
  zone?: string;
  /** Answer TTL in seconds, default 5. */
  ttl?: number;
  pods?: PodMode;
  /** Listeners; only those with `recursion` forward names outside the zone. */
  listen: ListenAddress[];
  /** Upstream resolvers for names outside the zone; default: the host's /etc/resolv.conf. */
  upstreams?: Upstream[];
  /** Server-side search-path completion, default on. */
  complete?: boolean;
  /** Publish `kube-system/kube-dns` with this cluster IP and endpoint. */
  service?: KubeDnsServiceConfig;
}

export interface ClusterDns extends Controller {
  /** Bound listen addresses (real ports); empty until the listeners are up. */
  addresses(): ListenAddress[];
  index: RecordIndex;
  /** Prometheus text of the DNS metrics. */
  metrics(): string;
}

const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export function startClusterDns(config: ClusterDnsConfig, deps: ControllerDeps): ClusterDns {
  const index = new RecordIndex({
    ...(config.zone === undefined ? {} : { zone: config.zone }),
    ...(config.ttl === undefined ? {} : { ttl: config.ttl }),
    ...(config.pods === undefined ? {} : { pods: config.pods }),
  });
  const services = deps.informers.informer('', 'services');
  const slices = deps.informers.informer('discovery.k8s.io', 'endpointslices');
  const namespaces = deps.informers.informer('', 'namespaces');
  const pods = index.pods === 'verified' ? deps.informers.informer('', 'pods') : undefined;
  const metrics = new DnsMetrics();
  const recursive = config.listen.some((l) => l.recursion === true);
  const forwarder = recursive ? new Forwarder({ upstreams: config.upstreams ?? upstreamsFromResolvConf(), log: deps.log }) : undefined;
  let synced = false;
  // The programming latency of a slice change: from the controller's trigger time to now, once
  // the index holds it. Only after sync, so the initial list does not count old changes.
  const programmed = (s: KubeObject): void => {
    const t = s.metadata.annotations?.[TRIGGER_TIME];
    if (synced && t !== undefined && !Number.isNaN(Date.parse(t))) metrics.programmed(Date.parse(t));
  };

  services.addHandlers({
    onAdd: (svc) => index.upsertService(svc),
    onUpdate: (_old, svc) => index.upsertService(svc),
    onDelete: (svc) => index.deleteService(svc),
  });
  slices.addHandlers({
    onAdd: (s) => {
      index.upsertSlice(s);
      programmed(s);
    },
    onUpdate: (old, s) => {
      // A slice relabelled to another Service must leave the old one.
      if (old.metadata.labels?.['kubernetes.io/service-name'] !== s.metadata.labels?.['kubernetes.io/service-name']) index.deleteSlice(old);
      index.upsertSlice(s);
      if (old.metadata.annotations?.[TRIGGER_TIME] !== s.metadata.annotations?.[TRIGGER_TIME]) programmed(s);
    },
    onDelete: (s) => index.deleteSlice(s),
  });
  const refreshNamespaces = (): void => {
    index.setNamespaces(namespaces.cache.list().flatMap((ns: KubeObject) => ns.metadata.name ?? []));
  };
  namespaces.addHandlers({ onAdd: refreshNamespaces, onDelete: refreshNamespaces });
  pods?.addHandlers({
    onAdd: (p) => index.upsertPod(p),
    onUpdate: (_old, p) => index.upsertPod(p),
    onDelete: (p) => index.deletePod(p),
  });

  let server: DnsServer | undefined;
  let stopped = false;
  const listening = startDnsServer({
    index,
    synced: () => synced,
    log: deps.log,
    listen: config.listen,
    ...(forwarder ? { forwarder } : {}),
    ...(config.complete === undefined ? {} : { complete: config.complete }),
    observe: (outcome, seconds) => metrics.observe(outcome, seconds),
  }).then(async (s) => {
    server = s;
    if (stopped) await s.close();
  });
  const ready = (async () => {
    await Promise.all([services.waitForSync(), slices.waitForSync(), namespaces.waitForSync(), pods?.waitForSync()]);
    synced = true;
    await listening;
    if (config.service) {
      // A Service the cluster cannot take (its IP in use or outside the range) must not stop
      // DNS from serving; it is reported, with what the API server said.
      await publishKubeDnsService(deps.client, config.service).catch((err: unknown) =>
        deps.log.warn({ err: String(err), clusterIP: config.service?.clusterIP }, 'cluster DNS: could not publish kube-system/kube-dns'));
    }
    deps.log.info({ addresses: server?.addresses(), zone: index.zone }, 'cluster DNS serving');
  })();
  // `ready` is awaited by the composer; keep an unobserved rejection from crashing the process.
  ready.catch((err: unknown) => deps.log.error({ err }, 'cluster DNS failed to start'));

  return {
    ready,
    index,
    addresses: () => server?.addresses() ?? [],
    metrics: () => metrics.render(forwarder?.stats),
    async stop() {
      stopped = true;
      forwarder?.close();
      await listening.catch(() => undefined);
      await server?.close();
    },
  };
}
