/**
 * The userspace backend of the service proxy, for where nftables cannot run (or by
 * `--proxy-mode userspace`): one relay process per node (`userspace-child.ts`), started inside
 * the node's network namespace, listens on the Service addresses and relays connections with
 * Node.js sockets. The Service addresses (cluster IPs, external and LoadBalancer IPs) are /32
 * addresses on the node namespace's loopback, added before the plans that use them are sent and
 * removed after the plans that dropped them are in effect.
 *
 * Only changed Service ports go to the relay: the proxy keeps a Service port's plan object
 * while the Service and its slices are unchanged, so identity says what changed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../lib/log.js';
import { ipIn, runProgram } from '../sandbox/run.js';
import type { ServicePortPlan } from './planner.js';
import type { ProxyBackend } from './backend.js';
import type { FromChild, ToChild } from './userspace-child.js';

const childPath = fileURLToPath(new URL('./userspace-child.js', import.meta.url));

interface Relay {
  child: ChildProcess;
  seq: number;
  waiting: Map<number, { resolve: (r: FromChild) => void; reject: (e: Error) => void }>;
  /** The Service port plans the relay holds, by id. */
  sent: Map<string, ServicePortPlan>;
  exited: boolean;
}

type Distribute<T> = T extends unknown ? Omit<T, 'seq'> : never;

export function userspaceBackend(config: { clusterCidr: string; log: Logger }): ProxyBackend {
  const { log } = config;
  const relays = new Map<string, Relay>();
  /** The Service addresses on each node namespace's loopback. */
  const addresses = new Map<string, Set<string>>();
  let stopped = false;

  const start = (netns: string): Relay => {
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, childPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const relay: Relay = { child, seq: 0, waiting: new Map(), sent: new Map(), exited: false };
    child.on('message', (m: FromChild) => {
      const w = relay.waiting.get(m.seq);
      relay.waiting.delete(m.seq);
      w?.resolve(m);
    });
    const gone = (why: string): void => {
      if (relay.exited) return;
      relay.exited = true;
      if (relays.get(netns) === relay) relays.delete(netns);
      for (const w of relay.waiting.values()) w.reject(new Error(`the userspace proxy in ${netns} ${why}`));
      relay.waiting.clear();
      if (!stopped) log.warn({ netns, why }, 'userspace proxy relay ended; it is started again at the next sync');
    };
    child.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code ?? '?'}`})`));
    child.on('error', (err) => gone(`could not start: ${err.message}`));
    // The relay does not keep this process alive.
    child.unref();
    (child.channel as { unref(): void } | undefined)?.unref();
    relays.set(netns, relay);
    return relay;
  };

  const ask = (relay: Relay, m: Distribute<ToChild>): Promise<FromChild> => {
    if (relay.exited) return Promise.reject(new Error('the userspace proxy relay has ended'));
    const seq = ++relay.seq;
    return new Promise((resolve, reject) => {
      relay.waiting.set(seq, { resolve, reject });
      relay.child.send({ ...m, seq } as ToChild);
    });
  };

  return {
    mode: 'userspace',
    async program(netns, plan) {
      let held = addresses.get(netns);
      if (!held) {
        // Taking the namespace over: a table the nftables backend made would catch the traffic
        // first, and addresses from an earlier run are not known to be wanted.
        await runProgram('nsenter', [`--net=/run/netns/${netns}`, '--', 'nft', 'delete', 'table', 'ip', 'switchboard']).catch(() => undefined);
        await ipIn(netns, ['address flush dev lo scope global']);
        addresses.set(netns, (held = new Set()));
      }
      const relay = relays.get(netns) ?? start(netns);
      const ids = new Set(plan.services.map((sp) => sp.id));
      const upsert = plan.services.filter((sp) => relay.sent.get(sp.id) !== sp);
      const remove = [...relay.sent.keys()].filter((id) => !ids.has(id));
      const want = new Set<string>();
      for (const sp of plan.services) for (const ip of [...sp.clusterIPs, ...sp.externalIPs]) want.add(ip);
      const add = [...want].filter((ip) => !held.has(ip));
      const drop = [...held].filter((ip) => !want.has(ip));
      if (upsert.length === 0 && remove.length === 0 && add.length === 0 && drop.length === 0) return undefined;
      if (add.length > 0) {
        await ipIn(netns, add.map((ip) => `address replace ${ip}/32 dev lo`));
        for (const ip of add) held.add(ip);
      }
      const reply = await ask(relay, { kind: 'update', clusterCidr: config.clusterCidr, upsert, remove });
      for (const id of remove) relay.sent.delete(id);
      for (const sp of upsert) relay.sent.set(sp.id, sp);
      if (reply.errors.length > 0) log.warn({ netns, errors: reply.errors.slice(0, 10), count: reply.errors.length }, 'userspace proxy: some Service addresses could not be listened on');
      if (drop.length > 0) {
        for (const ip of drop) held.delete(ip);
        await ipIn(netns, drop.map((ip) => `address del ${ip}/32 dev lo`)).catch((err: unknown) => log.debug({ err: String(err), netns }, 'removing Service addresses'));
      }
      return reply.listeners;
    },
    async unrouted(netns, ip) {
      // No address translation is remembered; but requests the relay sent to `ip` before it
      // left the plan may still wait for their answer: the pod is stopped after them.
      const relay = relays.get(netns);
      if (relay) await ask(relay, { kind: 'settle', ip, timeoutMs: 2_000 }).catch(() => undefined);
    },
    async forget(netns, ip) {
      const relay = relays.get(netns);
      if (relay) await ask(relay, { kind: 'forget', ip }).catch(() => undefined);
    },
    async stop() {
      stopped = true;
      for (const relay of relays.values()) {
        relay.exited = true;
        relay.child.kill('SIGTERM');
      }
      relays.clear();
    },
  };
}
