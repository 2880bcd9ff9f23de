/**
 * The service proxy of the real nodes: informers on Services and EndpointSlices feed the
 * planner; each node's plan goes to the backend (nftables, or the userspace relays where
 * nftables cannot run), which changes only what changed. Changes are coalesced: one sync runs at a
 * time, and events during a sync cause one more (a bounded-frequency runner).
 */
import { existsSync } from 'node:fs';
import { isRecord, type KubeObject } from '../api/types.js';
import { sandboxNames } from '../sandbox/network.js';
import type { Controller, ControllerDeps } from '../controllers/types.js';
import { planService, slicesByService, type NodePlan, type ServicePortPlan } from './planner.js';
import { Histogram } from '../lib/histogram.js';
import type { ProxyBackend, ProxyMode } from './backend.js';
import { nftBackend, nftUnusable } from './nft-backend.js';
import { userspaceBackend } from './userspace.js';

export interface ServiceProxyConfig {
  sandboxId: string;
  /** Node names by sandbox index. */
  nodeNames: string[];
  /** The pod CIDR of the whole cluster (traffic from it is not masqueraded). */
  clusterCidr: string;
  /** Least time between two syncs (coalescing); default 0. */
  minSyncIntervalMs?: number;
  /** The dataplane: nftables, userspace, or auto (nftables where it can run; default). */
  mode?: ProxyMode | 'auto';
}

export interface ServiceProxy extends Controller {
  /**
   * Resolves once no node's dataplane sends new connections to `ip` as a ready endpoint (it may
   * still do so as the serving-terminating fallback, when nothing else is ready), or after
   * `timeoutMs`. The node agent waits on this before it stops a deleted pod's containers.
   */
  waitUnrouted(ip: string, timeoutMs: number): Promise<boolean>;
  /** A pod has stopped: every flow to its address is deleted on every node (its IP may be reused). */
  forget(ip: string): Promise<void>;
  /** Prometheus text: programmed generation, sync duration, rules per node, programming latency. */
  metrics(): string;
  /**
   * As kube-proxy's `/healthz` judges it: healthy while every change seen is programmed, or the
   * oldest one waiting is younger than 10 s; `lastUpdated` is when everything seen was programmed.
   */
  health(): { healthy: boolean; lastUpdated: Date };
  /** The backend in use; undefined until the first node is programmed. */
  mode(): ProxyMode | undefined;
}

const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Addresses of ready endpoints in the slices (what the plan may route new connections to). */
function readyAddresses(slices: KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const slice of slices) {
    for (const e of Array.isArray(slice.endpoints) ? slice.endpoints : []) {
      if (!isRecord(e)) continue;
      const ready = !isRecord(e.conditions) || e.conditions.ready !== false;
      if (ready && Array.isArray(e.addresses)) for (const a of e.addresses) if (typeof a === 'string') out.add(a);
    }
  }
  return out;
}

export function startServiceProxy(config: ServiceProxyConfig, deps: ControllerDeps): ServiceProxy {
  const log = deps.log.child({ component: 'service-proxy' });
  const names = sandboxNames(config.sandboxId);
  const services = deps.informers.informer('', 'services');
  const slices = deps.informers.informer('discovery.k8s.io', 'endpointslices');
  let backend: ProxyBackend | undefined;
  /** The backend, chosen at the first node that exists: nftables unless it cannot run there. */
  const backendFor = async (netns: string): Promise<ProxyBackend> => {
    if (backend) return backend;
    const options = { clusterCidr: config.clusterCidr, log };
    const wanted = config.mode ?? 'auto';
    let chosen: ProxyBackend;
    if (wanted === 'nftables') chosen = nftBackend(options);
    else if (wanted === 'userspace') chosen = userspaceBackend(options);
    else {
      const why = await nftUnusable(netns);
      if (why) log.warn({ reason: why }, 'nftables cannot program the nodes: using the userspace service proxy');
      chosen = why ? userspaceBackend(options) : nftBackend(options);
    }
    if (backend) return backend;
    log.info({ mode: chosen.mode }, 'service proxy backend');
    return (backend = chosen);
  };
  let seen = 0;
  let programmed = 0;
  /** When `seen` first ran ahead of `programmed` (0: nothing waits), and when they last met. */
  let pendingSince = 0;
  let lastUpdated = new Date();
  let running: Promise<void> | undefined;
  let again = false;
  let retry = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastStart = 0;
  const syncDuration = new Histogram([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  const programming = new Histogram([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  const rulesByNode = new Map<string, number>();
  /** The last change-trigger time seen per EndpointSlice (each change is observed once). */
  const triggerSeen = new Map<string, number>();
  /** Per node namespace: the ready addresses of the slices its programmed table was made from. */
  const routed = new Map<string, Set<string>>();
  /** Addresses some programmed table has sent connections to (their flows carry our DNAT). */
  const everRouted = new Set<string>();
  const unroutedWaiters = new Set<{ ip: string; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }>();
  const isUnrouted = (ip: string): boolean => config.nodeNames.every((_n, i) => !(routed.get(names.node(i))?.has(ip) ?? false));
  const checkUnrouted = (): void => {
    for (const w of unroutedWaiters) {
      if (!isUnrouted(w.ip)) continue;
      clearTimeout(w.timer);
      unroutedWaiters.delete(w);
      w.resolve(true);
    }
  };

  /**
   * Per node and Service: its plan and what it was made from (resourceVersions). An unchanged
   * Service keeps its plan objects, so its part of the nftables model is not built again.
   */
  const plans = new Map<string, Map<string, { from: string; plans: ServicePortPlan[] }>>();
  const planCached = (node: string, allServices: KubeObject[], bySlices: Map<string, KubeObject[]>): NodePlan => {
    let byService = plans.get(node);
    if (!byService) plans.set(node, (byService = new Map()));
    const next = new Map<string, { from: string; plans: ServicePortPlan[] }>();
    const out: ServicePortPlan[] = [];
    for (const svc of allServices) {
      const key = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`;
      const mine = bySlices.get(key) ?? [];
      const from = `${svc.metadata.resourceVersion ?? ''} ${mine.map((sl) => `${sl.metadata.name ?? ''}@${sl.metadata.resourceVersion ?? ''}`).sort().join(',')}`;
      const held = byService.get(key);
      const entry = held && held.from === from ? held : { from, plans: planService(svc, mine, node) };
      next.set(key, entry);
      out.push(...entry.plans);
    }
    plans.set(node, next);
    out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { node, services: out };
  };

  const syncOnce = async (): Promise<void> => {
    const generation = seen;
    const allServices = services.cache.list() as KubeObject[];
    const allSlices = slices.cache.list() as KubeObject[];
    /** Seconds each node's programming took in this sync. */
    const durations: number[] = [];
    const ready = readyAddresses(allSlices);
    const bySlices = slicesByService(allSlices);
    for (const ip of ready) everRouted.add(ip);
    let failed = false;
    for (const [index, node] of config.nodeNames.entries()) {
      const netns = names.node(index);
      // The node agent makes the node's namespace; until then there is nothing to program.
      if (!existsSync(`/run/netns/${netns}`)) {
        failed = true;
        continue;
      }
      const started = performance.now();
      const plan = planCached(node, allServices, bySlices);
      try {
        const dataplane = await backendFor(netns);
        const rules = await dataplane.program(netns, plan);
        routed.set(netns, ready);
        if (rules === undefined) continue;
        rulesByNode.set(node, rules);
        durations.push((performance.now() - started) / 1000);
      } catch (err) {
        failed = true;
        log.warn({ err: String(err), node }, 'could not program the node');
      }
    }
    for (const d of durations) syncDuration.observe(d);
    // Network programming latency, as kube-proxy measures it: from the change that triggered an
    // EndpointSlice update (its annotation) to the moment every node has it programmed.
    if (!failed) {
      const now = Date.now();
      for (const slice of allSlices) {
        const at = Date.parse(slice.metadata.annotations?.[TRIGGER] ?? '');
        const key = `${slice.metadata.namespace ?? ''}/${slice.metadata.name ?? ''}`;
        if (Number.isNaN(at) || (triggerSeen.get(key) ?? 0) >= at) continue;
        if (triggerSeen.has(key)) programming.observe(Math.max(0, now - at) / 1000);
        triggerSeen.set(key, at);
      }
    }
    checkUnrouted();
    if (failed) {
      retry = true;
      return;
    }
    programmed = generation;
    if (programmed >= seen) {
      pendingSince = 0;
      lastUpdated = new Date();
    }
  };

  /** Runs a sync after `delayMs` unless one is waiting or running (which then runs once more). */
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    if (timer || running) {
      again = true;
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      lastStart = Date.now();
      again = false;
      retry = false;
      running = syncOnce()
        .catch((err: unknown) => {
          retry = true;
          log.warn({ err: String(err) }, 'service proxy sync failed');
        })
        .finally(() => {
          running = undefined;
          if (stopped) return;
          // A node not ready yet, or a failed apply, is tried again shortly.
          if (retry) schedule(200);
          else if (again) schedule(Math.max(0, (config.minSyncIntervalMs ?? 0) - (Date.now() - lastStart)));
        });
    }, delayMs);
  };

  const changed = (): void => {
    seen++;
    if (pendingSince === 0) pendingSince = Date.now();
    if (!services.hasSynced() || !slices.hasSynced()) return;
    schedule(Math.max(0, (config.minSyncIntervalMs ?? 0) - (Date.now() - lastStart)));
  };
  services.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
  slices.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });

  const ready = (async () => {
    await Promise.all([services.waitForSync(), slices.waitForSync()]);
    seen++;
    schedule(0);
  })();

  return {
    ready,
    health: () => ({ healthy: programmed >= seen || pendingSince === 0 || Date.now() - pendingSince < 10_000, lastUpdated }),
    metrics: () => {
      const lines = [
        '# TYPE switchboard_proxy_generation_seen gauge',
        `switchboard_proxy_generation_seen ${seen}`,
        '# TYPE switchboard_proxy_generation_programmed gauge',
        `switchboard_proxy_generation_programmed ${programmed}`,
        '# TYPE switchboard_proxy_mode gauge',
        ...(backend ? [`switchboard_proxy_mode{mode="${backend.mode}"} 1`] : []),
        '# TYPE switchboard_proxy_rules gauge',
        ...[...rulesByNode].map(([node, n]) => `switchboard_proxy_rules{node="${node}"} ${n}`),
      ];
      syncDuration.render('switchboard_proxy_sync_duration_seconds', lines);
      programming.render('switchboard_proxy_network_programming_duration_seconds', lines);
      return `${lines.join('\n')}\n`;
    },
    waitUnrouted: async (ip, timeoutMs) => {
      const unrouted = isUnrouted(ip) || (await new Promise<boolean>((resolve) => {
        const w = {
          ip,
          resolve,
          timer: setTimeout(() => {
            unroutedWaiters.delete(w);
            resolve(false);
          }, timeoutMs),
        };
        unroutedWaiters.add(w);
      }));
      const dataplane = backend;
      if (unrouted && dataplane && everRouted.has(ip)) await Promise.all(config.nodeNames.map((_n, i) => dataplane.unrouted(names.node(i), ip)));
      return unrouted;
    },
    forget: async (ip) => {
      // Only a Service endpoint has flows with our DNAT; a pod no Service chose has none to forget.
      const dataplane = backend;
      if (!everRouted.delete(ip) || !dataplane) return;
      await Promise.all(config.nodeNames.map(async (_n, i) => {
        if (existsSync(`/run/netns/${names.node(i)}`)) await dataplane.forget(names.node(i), ip);
      }));
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      for (const w of unroutedWaiters) {
        clearTimeout(w.timer);
        w.resolve(false);
      }
      unroutedWaiters.clear();
      await backend?.stop();
    },
    mode: () => backend?.mode,
  };
}
