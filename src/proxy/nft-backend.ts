/**
 * The nftables backend of the service proxy: each node's plan becomes the `ip switchboard`
 * table inside the node's network namespace, applied with one `nft -f` transaction (the whole
 * table the first time, the difference after), plus the conntrack clean-up kube-proxy does.
 */
import type { Logger } from '../lib/log.js';
import { ipIn, runProgram } from '../sandbox/run.js';
import type { NodePlan, ServicePortPlan } from './planner.js';
import { buildModel, renderDiff, renderFull, type NftModel } from './nft.js';
import type { ProxyBackend } from './backend.js';

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

/** Applies a script inside a node's namespace. */
async function applyIn(netns: string, script: string): Promise<void> {
  const r = await runProgram('nsenter', [`--net=/run/netns/${netns}`, '--', 'nft', '-f', '-'], script);
  if (r.code !== 0) throw new Error(`nft -f in ${netns} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/**
 * Whether nftables can program a table inside `netns` (the program is installed and the
 * kernel lets it): the reason when it cannot.
 */
export async function nftUnusable(netns: string): Promise<string | undefined> {
  const r = await runProgram('nsenter', [`--net=/run/netns/${netns}`, '--', 'nft', '-c', '-f', '-'], 'add table ip switchboard_probe\n').catch((err: unknown) => ({ code: 127, stdout: '', stderr: (err as Error).message }));
  if (r.code === 0) return undefined;
  return r.code === 127 || /No such file|not installed|ENOENT/.test(r.stderr) ? 'nft is not installed (Debian: apt-get install nftables)' : `nft cannot run here: ${r.stderr.trim() || `exit ${r.code}`}`;
}

export function nftBackend(config: { clusterCidr: string; log: Logger }): ProxyBackend {
  const { log } = config;
  /** What each node's table holds now (as last programmed), and its UDP destinations. */
  const applied = new Map<string, NftModel>();
  const udp = new Map<string, Map<string, Set<string>>>();
  const fragments = new WeakMap<ServicePortPlan, NftModel>();
  /** Namespaces this backend has taken over (addresses a userspace proxy left are removed). */
  const claimed = new Set<string>();
  return {
    mode: 'nftables',
    async program(netns, plan) {
      if (!claimed.has(netns)) {
        await ipIn(netns, ['address flush dev lo scope global']);
        claimed.add(netns);
      }
      const model = buildModel(plan, { clusterCidr: config.clusterCidr }, fragments);
      const before = applied.get(netns);
      const script = before ? renderDiff(before, model) : renderFull(model);
      if (script === '') return undefined;
      try {
        await applyIn(netns, script).catch(async (err: unknown) => {
          // A table changed behind our back (or a bug in the difference): start again from whole.
          if (!before) throw err;
          log.warn({ err: String(err), netns }, 'incremental update failed; replacing the whole table');
          await applyIn(netns, renderFull(model));
        });
      } catch (err) {
        applied.delete(netns);
        throw err;
      }
      applied.set(netns, model);
      const targets = udpTargets(plan);
      await flushStaleUdp(netns, udp.get(netns) ?? new Map(), targets, log);
      udp.set(netns, targets);
      return [...model.chains.values()].reduce((n, rules) => n + rules.length, 0);
    },
    async unrouted(netns, ip) {
      for (const state of CLOSING) await conntrackDelete(netns, ['-p', 'tcp', '--reply-src', ip, '--state', state], log);
    },
    async forget(netns, ip) {
      await conntrackDelete(netns, ['--reply-src', ip], log);
    },
    async stop() {},
  };
}
