/**
 * `switchboard up`: starts a cluster (today: the control plane) in the foreground, or with
 * --detach in the background, returning once it is ready. Prints its progress, then the
 * kubeconfig path and the line to export.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { ClusterNetwork, destroySandbox } from '../sandbox/network.js';
import { NamespaceBroker } from '../sandbox/broker.js';
import { rootlessCommand, stopSandboxProcesses, unprivilegedPortStart, userNamespaceOf, withSbin } from '../sandbox/rootless.js';
import type { ListenAddress } from '../dns/server.js';
import { mkdirSync, openSync } from 'node:fs';
import { openStore } from '../storage/index.js';
import { ensurePki } from '../apiserver/pki.js';
import { startApiServer } from '../apiserver/server.js';
import { nthAddress, parseCidr } from '../apiserver/services/allocator.js';
import { createLogger, type Logger } from '../lib/log.js';
import net from 'node:net';
import { writeKubeconfig } from './kubeconfig.js';
import { startComponents, type Components } from './components.js';
import type { PodMode } from '../dns/records.js';
import type { Upstream } from '../dns/forwarder.js';
import { clearStatus, isAlive, paths, readStatus, writeStatus, type ClusterStatus } from './datadir.js';

export interface UpOptions {
  dataDir: string;
  apiPort: number;
  bindAddress: string;
  store: 'sqlite' | 'etcd' | 'memory';
  etcdEndpoints: string[];
  etcdPrefix: string;
  serviceCidr: string;
  nodePortRange: string;
  advertiseAddress: string;
  detach: boolean;
  logLevel: string;
  quiet: boolean;
  /** False for `switchboard apiserver`: the API server alone. */
  controllers: boolean;
  simulatedNodes: number;
  loadBalancerPool: string;
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
  watchCacheSize?: number;
  /** Real nodes in the sandbox (0: none). */
  nodes: number;
  /** Why there are no real nodes by default here (no root and no user namespaces), said at start. */
  nodesUnavailable?: string;
  /** The service proxy's dataplane on real nodes. */
  proxyMode: 'nftables' | 'userspace' | 'auto';
  /** A host loopback address where every TCP NodePort is published too. */
  nodePortAddress?: string;
  /** Cluster DNS (undefined: none): loopback port (0 picks one), and the DNS settings. */
  dns?: DnsOptions;
}

export interface DnsOptions {
  port: number;
  /** The kube-dns Service's IP; default the 10th address of the service range (10.96.0.10). */
  clusterIP?: string;
  domain: string;
  pods: PodMode;
  upstreams?: Upstream[];
}

export class UsageError extends Error {}

/**
 * The cluster DNS inside the sandbox: on the cluster DNS IP (an address of the cluster
 * namespace until the service proxy carries Service IPs) and on the cluster address, with
 * recursion, through sockets the namespace's broker makes there.
 */
async function openSandboxDns(sandboxId: string, dnsIP: string): Promise<{ broker: NamespaceBroker; listen: ListenAddress[] }> {
  const network = await ClusterNetwork.create({ id: sandboxId });
  await network.addAddress(dnsIP);
  const broker = await NamespaceBroker.start(network.names.cluster);
  const listen: ListenAddress[] = [];
  for (const host of [dnsIP, network.clusterAddress]) {
    listen.push({ host, port: 53, recursion: true, sockets: { udp: await broker.bindUdp(host, 53), tcp: await broker.listenTcp(host, 53) } });
  }
  return { broker, listen };
}

/**
 * The API server inside the sandbox, at the address and port the `kubernetes` Service's
 * endpoints name: a listener the cluster namespace's broker makes, relayed to the API
 * server on host loopback (pods' in-cluster clients reach it through 10.96.0.1).
 */
async function relayApiIntoSandbox(broker: NamespaceBroker, host: string, apiUrl: string, log: Logger): Promise<net.Server> {
  const target = new URL(apiUrl);
  const server = await broker.listenTcp(host, Number(target.port));
  server.on('connection', (inside: net.Socket) => {
    const outside = net.connect({ host: target.hostname, port: Number(target.port) });
    inside.pipe(outside).pipe(inside);
    const end = (): void => {
      inside.destroy();
      outside.destroy();
    };
    inside.on('error', end);
    outside.on('error', (err) => {
      log.debug({ err: String(err) }, 'API relay connection failed');
      end();
    });
  });
  return server;
}

/** Why the cluster has no nodes at all, when that is because user namespaces do not work here. */
function noNodesNote(o: UpOptions): string | undefined {
  if (o.nodes > 0 || o.simulatedNodes > 0 || !o.controllers || !o.nodesUnavailable) return undefined;
  return `switchboard: no nodes, so pods stay Pending: without root, real nodes need a user namespace, and ${o.nodesUnavailable}; --simulated-nodes N gives nodes that run nothing`;
}

/** One sandbox per data directory: its namespaces are named after this id. */
export function sandboxIdFor(dataDir: string): string {
  return createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 6);
}

function parsePortRange(text: string): { first: number; last: number } {
  const m = /^(\d+)-(\d+)$/.exec(text);
  const first = Number(m?.[1]);
  const last = Number(m?.[2]);
  if (!m || first < 1 || last > 65535 || first > last) throw new UsageError(`invalid --node-port-range ${JSON.stringify(text)}: want FIRST-LAST, e.g. 30000-32767`);
  return { first, last };
}

export async function up(o: UpOptions, argv: string[]): Promise<number> {
  const existing = readStatus(o.dataDir);
  if (existing && isAlive(existing.pid)) {
    throw new UsageError(`a cluster is already running from ${o.dataDir} (pid ${existing.pid}); run "switchboard down --data-dir ${o.dataDir}" first`);
  }
  if (o.nodes > 0 && process.getuid?.() !== 0) return upRootless(o, argv, existing);
  const args = argv.filter((a) => a !== '--detach' && a !== '-d');
  if (o.detach) return detach(o, { cmd: process.execPath, args: [process.argv[1] as string, ...args] });
  return runForeground(o);
}

/**
 * Set in the environment of `up` run again inside a user namespace of its own: the user
 * namespace it came from (so it knows the one it is in is the sandbox's, not one it was
 * started in).
 */
const OUTER_USER_NAMESPACE = 'SWITCHBOARD_OUTER_USER_NAMESPACE';

/** The sandbox's user namespace when this is `up` run again inside it (rootless), else undefined. */
function ownSandboxUserNamespace(): string | undefined {
  const outer = process.env[OUTER_USER_NAMESPACE];
  const own = userNamespaceOf('self');
  return outer && own && own !== outer ? own : undefined;
}

interface Command {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Rootless: the sandbox whose processes are stopped if the command ends before it is ready. */
  sandboxId?: string;
}

/**
 * Real nodes without root: the same `up` again, inside a user namespace of its own with a
 * private mount namespace (sandbox/rootless.ts). unshare and its setup script exec in turn, so
 * the inner `up` has the child's pid. What a rootless cluster that died left running (its
 * user namespace is in the old status.json) is stopped first: a new sandbox cannot adopt it.
 */
async function upRootless(o: UpOptions, argv: string[], previous: ClusterStatus | undefined): Promise<number> {
  const sandboxId = sandboxIdFor(o.dataDir);
  if (previous?.userNamespace) {
    const stopped = await stopSandboxProcesses(previous.userNamespace, sandboxId);
    if (stopped.length > 0 && !o.quiet) process.stdout.write(`switchboard: stopped ${stopped.length} process(es) an earlier cluster left in its sandbox\n`);
  }
  const args = argv.filter((a) => a !== '--detach' && a !== '-d');
  const command: Command = {
    ...rootlessCommand(sandboxId, [process.execPath, process.argv[1] as string, ...args]),
    env: { ...process.env, PATH: withSbin(process.env.PATH), [OUTER_USER_NAMESPACE]: userNamespaceOf('self') ?? '' },
    sandboxId,
  };
  return o.detach ? detach(o, command) : runWrapped(command);
}

/**
 * Watches a child until it is in a user namespace other than this process's (unshare made
 * it): that namespace, for cleaning up after the child, or undefined while there is none yet.
 */
function watchUserNamespace(pid: number | undefined): { current(): string | undefined; stop(): void } {
  const own = userNamespaceOf('self');
  let found: string | undefined;
  const look = (): void => {
    const ns = pid === undefined ? undefined : userNamespaceOf(pid);
    if (ns && ns !== own) found = ns;
    if (found) clearInterval(timer);
  };
  const timer = setInterval(look, 10);
  return {
    current: () => {
      if (!found) look();
      return found;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Runs the rootless `up` in the foreground and waits for it: SIGTERM is passed on (SIGINT
 * from the terminal reaches it directly, in the same process group). When it has ended,
 * processes still in its sandbox are stopped.
 */
async function runWrapped(command: Command): Promise<number> {
  const child = spawn(command.cmd, command.args, { stdio: 'inherit', env: command.env });
  const userNamespace = watchUserNamespace(child.pid);
  const onInt = (): void => undefined;
  const onTerm = (): void => void child.kill('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (err) => {
      process.stderr.write(`switchboard: ${command.cmd}: ${err.message}\n`);
      resolve(1);
    });
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + constants.signals[signal] : 1)));
  });
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  const ns = userNamespace.current();
  userNamespace.stop();
  if (ns && command.sandboxId) await stopSandboxProcesses(ns, command.sandboxId);
  return code;
}

async function runForeground(o: UpOptions): Promise<number> {
  const say = (line: string): void => {
    if (!o.quiet) process.stdout.write(`${line}\n`);
  };
  const started = Date.now();
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const p = paths(o.dataDir);
  const log = createLogger({ level: o.logLevel, destination: p.log });
  let cidr;
  try {
    cidr = parseCidr(o.serviceCidr);
  } catch (err) {
    throw new UsageError(`--service-cidr: ${(err as Error).message}`);
  }
  const nodePortRange = parsePortRange(o.nodePortRange);
  say(`switchboard: data directory ${o.dataDir}`);
  const pki = await ensurePki({
    dir: p.pki,
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ips: [...new Set([o.bindAddress, '127.0.0.1', nthAddress(cidr, 1), o.advertiseAddress])],
  });
  say('switchboard: certificates ready');
  const storeConfig =
    o.store === 'etcd'
      ? ({ kind: 'etcd', endpoints: o.etcdEndpoints, prefix: o.etcdPrefix } as const)
      : o.store === 'memory'
        ? ({ kind: 'memory' } as const)
        : ({ kind: 'sqlite', path: p.db } as const);
  const store = await openStore(storeConfig);
  say(`switchboard: store ${o.store === 'etcd' ? `etcd at ${o.etcdEndpoints.join(',')}` : o.store === 'memory' ? 'in memory' : p.db}`);
  const noNodes = noNodesNote(o);
  if (noNodes) say(noNodes);
  const userNamespace = o.nodes > 0 ? ownSandboxUserNamespace() : undefined;
  if (userNamespace) {
    const first = unprivilegedPortStart();
    say(`switchboard: rootless: the cluster sandbox runs in a user namespace of its own${first > 0 ? ` (LoadBalancer ports below ${first} cannot be published on the host)` : ''}`);
  }
  const sandboxDns = o.nodes > 0 && o.dns ? await openSandboxDns(sandboxIdFor(o.dataDir), o.dns.clusterIP ?? nthAddress(cidr, 10)) : undefined;
  if (sandboxDns) say(`switchboard: cluster sandbox ready; cluster DNS inside it at ${sandboxDns.listen.map((l) => l.host).join(' and ')}`);
  // The API server's /metrics also carries the components' metrics (they start after it).
  let components: Components | undefined;
  const extraMetrics = (): string => components?.metrics() ?? '';
  const api = await startApiServer(
    {
      bindAddress: o.bindAddress,
      port: o.apiPort,
      serviceCidr: cidr.text,
      nodePortRange,
      advertiseAddress: o.advertiseAddress,
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert },
      tokens: new Map([[pki.token, { name: 'switchboard-admin', groups: ['system:masters'] }]]),
      version: { major: '1', minor: '32', gitVersion: 'v1.32.0+switchboard' },
      watchCacheSize: o.watchCacheSize,
      extraMetrics,
    },
    { store, log },
  );
  const apiRelay = sandboxDns ? await relayApiIntoSandbox(sandboxDns.broker, o.advertiseAddress, api.url, log).catch((err: unknown) => {
    log.warn({ err: String(err) }, 'pods cannot reach the API server: no listener inside the sandbox');
    return undefined;
  }) : undefined;
  writeKubeconfig(p.kubeconfig, { server: api.url, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey });
  components = await startComponents(
    { server: api.url, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey },
    {
      controllers: o.controllers,
      simulatedNodes: o.simulatedNodes,
      loadBalancerPool: o.loadBalancerPool,
      proxyMode: o.proxyMode,
      ...(o.nodePortAddress ? { nodePortAddress: o.nodePortAddress } : {}),
      nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs,
      podEvictionTimeoutMs: o.podEvictionTimeoutMs,
      dns: o.dns === undefined ? undefined : {
        listen: [{ host: o.bindAddress, port: o.dns.port }, ...(sandboxDns?.listen ?? [])],
        zone: o.dns.domain,
        pods: o.dns.pods,
        ...(o.dns.upstreams ? { upstreams: o.dns.upstreams } : {}),
        service: { clusterIP: o.dns.clusterIP ?? nthAddress(cidr, 10), endpointAddress: o.advertiseAddress },
      },
      ...(sandboxDns ? { sandboxConnect: (host: string, port: number) => sandboxDns.broker.connect(host, port) } : {}),
      nodes: {
        sandboxId: sandboxIdFor(o.dataDir),
        nodeNames: Array.from({ length: o.nodes }, (_, i) => `node-${i}`),
        dataDir: o.dataDir,
        clusterDNS: o.dns?.clusterIP ?? nthAddress(cidr, 10),
        clusterDomain: o.dns?.domain ?? 'cluster.local',
      },
    },
    log,
  );
  if (components.dnsAddress) say(`switchboard: cluster DNS for cluster names at ${components.dnsAddress} (dig @${components.dnsAddress.replace(/:(\d+)$/, ' -p $1')} kubernetes.default.svc.cluster.local)`);
  if (o.controllers) say('switchboard: controllers running');
  if (o.simulatedNodes > 0) say(`switchboard: ${o.simulatedNodes} simulated node(s) registered`);
  if (o.nodes > 0) say(`switchboard: ${o.nodes} node(s) running pods as processes in the cluster sandbox`);
  writeStatus(o.dataDir, {
    pid: process.pid,
    api: api.url,
    kubeconfig: p.kubeconfig,
    store: o.store,
    dataDir: o.dataDir,
    startedAt: new Date().toISOString(),
    ready: true,
    ...(components.dnsAddress ? { dns: components.dnsAddress } : {}),
    ...(o.dns ? { clusterDomain: o.dns.domain } : {}),
    ...(o.nodePortAddress ? { nodePortAddress: o.nodePortAddress } : {}),
    ...(userNamespace ? { userNamespace } : {}),
  });
  say(`switchboard: API server ready at ${api.url} (${Date.now() - started} ms)`);
  say(`switchboard: kubeconfig written to ${p.kubeconfig}`);
  say(`\n  export KUBECONFIG=${p.kubeconfig}\n`);
  await waitForSignal();
  say('switchboard: stopping');
  await components.stop();
  apiRelay?.close();
  sandboxDns?.broker.stop();
  if (o.nodes > 0) await destroySandbox(sandboxIdFor(o.dataDir)).catch((err: unknown) => log.warn({ err: String(err) }, 'could not remove the sandbox'));
  await api.stop();
  await store.close();
  clearStatus(o.dataDir, process.pid);
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/**
 * Starts `command` (this `up` again, without --detach) in the background and waits until it
 * reports ready.
 */
async function detach(o: UpOptions, command: Command): Promise<number> {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const out = openSync(`${paths(o.dataDir).log}.out`, 'a');
  const child = spawn(command.cmd, command.args, { detached: true, stdio: ['ignore', out, out], ...(command.env ? { env: command.env } : {}) });
  child.unref();
  const userNamespace = command.sandboxId ? watchUserNamespace(child.pid) : undefined;
  /** A rootless start that failed leaves nothing behind (a later `up` could not adopt it). */
  const failed = async (): Promise<number> => {
    process.stderr.write(`switchboard: the cluster failed to start; see ${paths(o.dataDir).log}.out\n`);
    const ns = userNamespace?.current();
    userNamespace?.stop();
    if (ns && command.sandboxId) await stopSandboxProcesses(ns, command.sandboxId);
    return 1;
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = readStatus(o.dataDir);
    if (status?.ready && status.pid === child.pid) {
      userNamespace?.stop();
      if (!o.quiet) {
        const noNodes = noNodesNote(o);
        if (noNodes) process.stdout.write(`${noNodes}\n`);
        process.stdout.write(`switchboard: cluster running in the background (pid ${status.pid})\n`);
        process.stdout.write(`switchboard: API server ${status.api}\nswitchboard: kubeconfig ${status.kubeconfig}\n\n  export KUBECONFIG=${status.kubeconfig}\n\n`);
      }
      return 0;
    }
    if (child.exitCode !== null || (child.pid !== undefined && !isAlive(child.pid))) {
      return failed();
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  userNamespace?.stop();
  process.stderr.write('switchboard: the cluster did not become ready within 60 s\n');
  return 1;
}
