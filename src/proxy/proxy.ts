/**
 * The service proxy of the real nodes: informers on Services and EndpointSlices feed the
 * planner; for each node the rendered table is applied inside the node's network namespace
 * in one `nft -f` transaction, only when it changed. Changes are coalesced: one sync runs at a
 * time, and events during a sync cause one more (a bounded-frequency runner).
 */
import { existsSync } from 'node:fs';
import { isRecord, type KubeObject } from '../api/types.js';
import { runProgram } from '../sandbox/run.js';
import { sandboxNames } from '../sandbox/network.js';
import type { Controller, ControllerDeps } from '../controllers/types.js';
import { planService, slicesByService, type NodePlan, type ServicePortPlan } from './planner.js';
import type { Logger } from '../lib/log.js';
import { Histogram } from '../lib/histogram.js';
import { buildModel, renderDiff, renderFull, type NftModel } from './nft.js';

export interface ServiceProxyConfig {
  sandboxId: string;
  /** Node names by sandbox index. */
  nodeNames: string[];
  /** The pod CIDR of the whole cluster (traffic from it is not masqueraded). */
  clusterCidr: string;
  /** Least time between two syncs (coalescing); default 0. */
  minSyncIntervalMs?: number;
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

/** UDP destinations (`vip port`) and the endpoints behind them, for conntrack clean-up. */
function udpTargets(plan: NodePlan): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const sp of plan.services) {
    if (sp.protocol !== 'UDP') continue;
    for (const vip of [...sp.clusterIPs, ...sp.externalIPs]) out.set(`${vip} ${sp.port}`, new Set(sp.clusterEndpoints.map((e) => e.ip)));
  }
  return out;
}

/**
 * Stale UDP flows: a flow keeps its DNAT while packets keep coming, so a client would go on
 * sending to an endpoint that is gone, or to nothing (a Service that had no endpoints), until
 * the entry is removed. As kube-proxy does, these entries are deleted after the table changes.
 */
async function flushStaleUdp(netns: string, before: Map<string, Set<string>>, after: Map<string, Set<string>>, log: Logger): Promise<void> {
  const deletions: string[][] = [];
  for (const [target, now] of after) {
    const [vip = '', port = ''] = target.split(' ');
    const was = before.get(target);
    if (now.size > 0 && (!was || was.size === 0)) deletions.push(['--orig-dst', vip, '--orig-port-dst', port]);
    for (const ip of was ?? []) if (!now.has(ip)) deletions.push(['--orig-dst', vip, '--orig-port-dst', port, '--reply-src', ip]);
  }
  for (const [target, was] of before) {
    if (after.has(target)) continue;
    const [vip = '', port = ''] = target.split(' ');
    if (was.size > 0) deletions.push(['--orig-dst', vip, '--orig-port-dst', port]);
  }
  for (const args of deletions) await conntrackDelete(netns, ['-p', 'udp', ...args], log);
}

/** `conntrack -D` inside a node's namespace; exit status 1 only says that nothing matched. */
async function conntrackDelete(netns: string, args: string[], log: Logger): Promise<void> {
  const r = await runProgram('nsenter', [`--net=/run/netns/${netns}`, '--', 'conntrack', '-D', ...args]).catch((err: unknown) => ({ code: 127, stdout: '', stderr: String(err) }));
  if (r.code > 1) log.debug({ netns, args, stderr: r.stderr.trim() }, 'conntrack clean-up failed (is conntrack installed?)');
}

/**
 * Closed TCP flows to an endpoint that no longer gets new connections. The kernel keeps such a
 * flow (TIME_WAIT and the other closing states) for up to two minutes with its DNAT; a client
 * that reuses the same source port meanwhile is sent to the old endpoint instead of a new pick,
 * and is refused once that pod has stopped. Open flows are left alone (they drain).
 */
const CLOSING = ['TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'FIN_WAIT'];
async function flushClosedTcp(netns: string, ip: string, log: Logger): Promise<void> {
  for (const state of CLOSING) await conntrackDelete(netns, ['-p', 'tcp', '--reply-src', ip, '--state', state], log);
}

/** Applies a script inside a node's namespace. */
async function applyIn(netns: string, script: string): Promise<void> {
  const r = await runProgram('nsenter', [`--net=/run/netns/${netns}`, '--', 'nft', '-f', '-'], script);
  if (r.code !== 0) throw new Error(`nft -f in ${netns} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

export function startServiceProxy(config: ServiceProxyConfig, deps: ControllerDeps): ServiceProxy {
  const log = deps.log.child({ component: 'service-proxy' });
  const names = sandboxNames(config.sandboxId);
  const services = deps.informers.informer('', 'services');
  const slices = deps.informers.informer('discovery.k8s.io', 'endpointslices');
  /** What each node's table holds now (as last programmed), and its UDP destinations. */
  const applied = new Map<string, NftModel>();
  const udp = new Map<string, Map<string, Set<string>>>();
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
  const fragments = new WeakMap<ServicePortPlan, NftModel>();
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
      const model = buildModel(plan, { clusterCidr: config.clusterCidr }, fragments);
      const before = applied.get(netns);
      const script = before ? renderDiff(before, model) : renderFull(model);
      if (script === '') {
        routed.set(netns, ready);
        continue;
      }
      try {
        await applyIn(netns, script).catch(async (err: unknown) => {
          // A table changed behind our back (or a bug in the difference): start again from whole.
          if (!before) throw err;
          log.warn({ err: String(err), node }, 'incremental update failed; replacing the whole table');
          await applyIn(netns, renderFull(model));
        });
        applied.set(netns, model);
        rulesByNode.set(node, [...model.chains.values()].reduce((n, rules) => n + rules.length, 0));
        routed.set(netns, ready);
        const targets = udpTargets(plan);
        await flushStaleUdp(netns, udp.get(netns) ?? new Map(), targets, log);
        udp.set(netns, targets);
        durations.push((performance.now() - started) / 1000);
      } catch (err) {
        failed = true;
        applied.delete(netns);
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
      if (unrouted && everRouted.has(ip)) await Promise.all(config.nodeNames.map((_n, i) => flushClosedTcp(names.node(i), ip, log)));
      return unrouted;
    },
    forget: async (ip) => {
      // Only a Service endpoint has flows with our DNAT; a pod no Service chose has none to forget.
      if (!everRouted.delete(ip)) return;
      await Promise.all(config.nodeNames.map(async (_n, i) => {
        if (existsSync(`/run/netns/${names.node(i)}`)) await conntrackDelete(names.node(i), ['--reply-src', ip], log);
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
    },
  };
}
