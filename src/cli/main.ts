#!/usr/bin/env node
/**
 * The switchboard command. The only place that composes components.
 *   switchboard up [--data-dir DIR] [--api-port N] [--store sqlite|etcd|memory] [--etcd-endpoints URLS]
 *                  [--service-cidr CIDR] [--node-port-range A-B] [--detach]
 *   switchboard down | status [-o json] | kubeconfig   [--data-dir DIR]
 *   switchboard why <service> [-n namespace] [--data-dir DIR]
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { sandboxIdFor, up, UsageError, type DnsOptions } from './up.js';
import { destroySandbox } from '../sandbox/network.js';
import { stopSandboxProcesses, userNamespaceProblem } from '../sandbox/rootless.js';
import type { Upstream } from '../dns/forwarder.js';
import { isAlive, paths, readStatus, resolveDataDir, type ClusterStatus } from './datadir.js';
import { startComponents } from './components.js';
import { whyCommand } from './why-command.js';
import { credentialsFromKubeconfig } from '../client/kubeconfig.js';
import { createLogger } from '../lib/log.js';

const usage = `usage: switchboard <command> [flags]

commands:
  up          start a cluster (foreground; --detach returns once it is ready)
  down        stop the cluster running from a data directory
  status      say whether the cluster is running (-o json for the API URL and kubeconfig path)
  kubeconfig  print the cluster's kubeconfig
  why         explain step by step why a Service does or does not reach its pods:
              switchboard why <service> [-n namespace] [--data-dir DIR] (exit 0: it reaches a ready pod)
  apiserver   run the API server alone (same flags as up)
  controllers run the controller manager alone against a cluster (--kubeconfig PATH)
  agent       run simulated nodes alone against a cluster (--kubeconfig PATH --simulated-nodes N)

flags of up:
  --data-dir DIR          where state, certificates and the kubeconfig live (default ~/.switchboard)
  --api-port N            API server port on the bind address (default 6443; 0 picks a free port)
  --bind-address IP       loopback address to serve on (default 127.0.0.1)
  --store KIND            sqlite (default), etcd or memory
  --etcd-endpoints URLS   comma-separated etcd client URLs (with --store etcd)
  --etcd-prefix P         key prefix inside etcd (default /switchboard)
  --service-cidr CIDR     service cluster IP range (default 10.96.0.0/12)
  --node-port-range A-B   NodePort range (default 30000-32767)
  --advertise-address IP  the API server's address inside the cluster (default 10.243.0.1)
  --simulated-nodes N     register N simulated nodes (pods get IPs and go Ready; no processes run)
  --nodes N               run N real nodes in the cluster sandbox: pods run as processes, each in its
                          own network namespace with its own IP (default 1; 0 with --simulated-nodes).
                          Without root the sandbox runs in a user namespace of its own (rootless);
                          LoadBalancer ports below 1024 are then not published on the host
  --lb-pool CIDR          EXTERNAL-IPs of LoadBalancer Services (default 127.245.0.0/24: host loopback, published there)
  --proxy-mode MODE       the service proxy of real nodes: nftables, userspace (Node.js sockets), or auto
                          (default: nftables where it can run, else userspace)
  --node-port-address IP  also publish every TCP NodePort on this host loopback address (e.g. 127.0.0.1),
                          as kind's port mappings do; NodePorts otherwise answer on node addresses only
  --node-monitor-grace-period D   a node silent this long goes NotReady (default 40s)
  --pod-eviction-timeout D        longest wait before pods leave an unreachable node (default 300s)
  --dns-port N            loopback port of the cluster DNS (cluster names only; default: a free port)
  --cluster-dns IP        the kube-dns Service IP (default: the 10th address of --service-cidr, 10.96.0.10)
  --cluster-domain NAME   the cluster domain (default cluster.local)
  --dns-pods MODE         pod records a-b-c-d.<ns>.pod.<domain>: insecure (default), verified, disabled
  --dns-upstream LIST     resolvers for names outside the cluster, IP[:PORT],... (default: /etc/resolv.conf)
  --watch-cache-size N    changes the API server keeps for watches to resume from (default 100000)
  --detach, -d            run in the background and return when ready
  --log-level LEVEL       log level of DIR/switchboard.log (default info)
`;

const upFlags = {
  'data-dir': { type: 'string' },
  'api-port': { type: 'string', default: '6443' },
  'bind-address': { type: 'string', default: '127.0.0.1' },
  store: { type: 'string', default: 'sqlite' },
  'etcd-endpoints': { type: 'string', default: 'http://127.0.0.1:2379' },
  'etcd-prefix': { type: 'string', default: '/switchboard' },
  'service-cidr': { type: 'string', default: '10.96.0.0/12' },
  'node-port-range': { type: 'string', default: '30000-32767' },
  'advertise-address': { type: 'string', default: '10.243.0.1' },
  detach: { type: 'boolean', short: 'd', default: false },
  'log-level': { type: 'string', default: 'info' },
  'simulated-nodes': { type: 'string', default: '0' },
  nodes: { type: 'string' },
  'lb-pool': { type: 'string', default: '127.245.0.0/24' },
  'proxy-mode': { type: 'string', default: 'auto' },
  'node-port-address': { type: 'string' },
  'node-monitor-grace-period': { type: 'string' },
  'pod-eviction-timeout': { type: 'string' },
  kubeconfig: { type: 'string' },
  'watch-cache-size': { type: 'string' },
  'dns-port': { type: 'string' },
  'cluster-dns': { type: 'string' },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  'dns-pods': { type: 'string', default: 'insecure' },
  'dns-upstream': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return command ? 0 : 2;
  }
  // `why` takes a positional Service name and its own flags (-n, --data-dir).
  if (command === 'why') return whyCommand(rest);
  const { values } = parseArgs({ args: rest, options: upFlags, allowPositionals: false, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const dataDir = resolveDataDir(values['data-dir']);
  switch (command) {
    case 'up':
    case 'apiserver': {
      const store = values.store;
      if (store !== 'sqlite' && store !== 'etcd' && store !== 'memory') throw new UsageError(`--store must be sqlite, etcd or memory, not ${JSON.stringify(store)}`);
      const apiPort = Number(values['api-port']);
      if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535) throw new UsageError(`invalid --api-port ${values['api-port']}`);
      const args = values['data-dir'] ? rest : [...rest, '--data-dir', dataDir];
      return up(
        {
          dataDir,
          apiPort,
          bindAddress: values['bind-address'],
          store,
          etcdEndpoints: values['etcd-endpoints'].split(',').filter(Boolean),
          etcdPrefix: values['etcd-prefix'],
          serviceCidr: values['service-cidr'],
          nodePortRange: values['node-port-range'],
          advertiseAddress: values['advertise-address'],
          detach: values.detach,
          logLevel: values['log-level'],
          quiet: values.quiet,
          controllers: command === 'up',
          watchCacheSize: positiveInt('watch-cache-size', values['watch-cache-size']),
          // `up` serves cluster DNS on loopback (a free port unless --dns-port); `apiserver` does not.
          dns: command === 'up' ? dnsOptions(values) : undefined,
          ...(command === 'up' ? realNodes(values.nodes, values['simulated-nodes']) : { nodes: 0 }),
          proxyMode: proxyMode(values['proxy-mode']),
          nodePortAddress: loopbackAddress('node-port-address', values['node-port-address']),
          ...componentFlags(values),
        },
        [command, ...args],
      );
    }
    case 'controllers':
    case 'agent':
      return runComponents(command, values);
    case 'down':
      return down(dataDir);
    case 'status':
      return status(dataDir, values.output);
    case 'kubeconfig': {
      process.stdout.write(readFileSync(paths(dataDir).kubeconfig, 'utf8'));
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${usage}`);
  }
}

function port(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: want 0-65535`);
  return n;
}

/** `IP`, `IPv4:PORT` or `[IPv6]:PORT`. */
function parseUpstream(text: string): Upstream {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(text);
  const v4WithPort = /^([^:]+):(\d+)$/.exec(text);
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : v4WithPort ? [v4WithPort[1], v4WithPort[2]] : [text, undefined];
  if (host === undefined || !isIP(host)) throw new UsageError(`invalid --dns-upstream ${JSON.stringify(text)}: want IP[:PORT], e.g. 192.0.2.53 or [2001:db8::53]:5353`);
  return { host, port: port('dns-upstream', portText ?? '53') };
}

function dnsOptions(values: { 'dns-port'?: string; 'cluster-dns'?: string; 'cluster-domain': string; 'dns-pods': string; 'dns-upstream'?: string }): DnsOptions {
  const pods = values['dns-pods'];
  if (pods !== 'insecure' && pods !== 'verified' && pods !== 'disabled') throw new UsageError(`--dns-pods must be insecure, verified or disabled, not ${JSON.stringify(pods)}`);
  const clusterIP = values['cluster-dns'];
  if (clusterIP !== undefined && !isIP(clusterIP)) throw new UsageError(`invalid --cluster-dns ${JSON.stringify(clusterIP)}: want an IP in the service range`);
  const domain = values['cluster-domain'].replace(/\.$/, '').toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) throw new UsageError(`invalid --cluster-domain ${JSON.stringify(values['cluster-domain'])}: want a DNS name such as cluster.local`);
  const upstreams = values['dns-upstream']?.split(',').filter(Boolean).map(parseUpstream);
  return { port: port('dns-port', values['dns-port'] ?? '0'), domain, pods, ...(clusterIP ? { clusterIP } : {}), ...(upstreams ? { upstreams } : {}) };
}

/**
 * Real nodes: as asked, else one unless simulated nodes are asked for. Without root they run
 * in a user namespace (the rootless sandbox); where the kernel gives users none, the default
 * is no real nodes, with the reason, and asking for some is an error that says what to set.
 */
function realNodes(text: string | undefined, simulated: string): { nodes: number; nodesUnavailable?: string } {
  const problem = (): string | undefined => (process.getuid?.() === 0 ? undefined : userNamespaceProblem());
  if (text === undefined) {
    if (Number(simulated) !== 0) return { nodes: 0 };
    const unavailable = problem();
    return unavailable ? { nodes: 0, nodesUnavailable: unavailable } : { nodes: 1 };
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 50) throw new UsageError(`invalid --nodes ${JSON.stringify(text)}: want 0 to 50`);
  const unavailable = n > 0 ? problem() : undefined;
  if (unavailable) throw new UsageError(`--nodes: without root, real nodes need a user namespace, and ${unavailable}; or run as root, or use --simulated-nodes N`);
  return { nodes: n };
}

/** A host loopback address (Switchboard listens on the host only there). */
function loopbackAddress(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (isIP(text) !== 4 || !text.startsWith('127.')) throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: want a host loopback address such as 127.0.0.1 (the host's own network is not changed)`);
  return text;
}

function proxyMode(text: string): 'nftables' | 'userspace' | 'auto' {
  if (text === 'nftables' || text === 'userspace' || text === 'auto') return text;
  throw new UsageError(`--proxy-mode must be nftables, userspace or auto, not ${JSON.stringify(text)}`);
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: want a positive integer`);
  return n;
}

function seconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: want a duration such as 40s, 500ms or 5m`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

function componentFlags(values: { 'simulated-nodes': string; 'lb-pool': string; 'node-monitor-grace-period'?: string; 'pod-eviction-timeout'?: string }) {
  const simulatedNodes = Number(values['simulated-nodes']);
  if (!Number.isInteger(simulatedNodes) || simulatedNodes < 0 || simulatedNodes > 5000) {
    throw new UsageError(`invalid --simulated-nodes ${values['simulated-nodes']}: want 0 to 5000`);
  }
  return {
    simulatedNodes,
    loadBalancerPool: values['lb-pool'],
    nodeMonitorGracePeriodMs: seconds('node-monitor-grace-period', values['node-monitor-grace-period']),
    podEvictionTimeoutMs: seconds('pod-eviction-timeout', values['pod-eviction-timeout']),
  };
}

/** `switchboard controllers|agent --kubeconfig PATH`: components alone against a running API server. */
async function runComponents(command: 'controllers' | 'agent', values: Parameters<typeof componentFlags>[0] & { kubeconfig?: string; 'log-level': string }): Promise<number> {
  if (!values.kubeconfig) throw new UsageError(`${command} needs --kubeconfig PATH (the cluster's kubeconfig, e.g. DIR/kubeconfig)`);
  const flags = componentFlags(values);
  if (command === 'agent' && flags.simulatedNodes === 0) {
    throw new UsageError('agent needs --simulated-nodes N (real nodes come with the node agent)');
  }
  const log = createLogger({ level: values['log-level'] });
  const components = await startComponents(
    credentialsFromKubeconfig(values.kubeconfig),
    { ...flags, controllers: command === 'controllers', simulatedNodes: command === 'agent' ? flags.simulatedNodes : 0 },
    log,
  );
  process.stdout.write(`switchboard: ${command} running\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await components.stop();
  return 0;
}

/**
 * Removes what a cluster left in the sandbox: rootless, the processes still in its user
 * namespace (their namespaces go with them); as root, its namespaces and the processes in them.
 */
async function removeLeftovers(dataDir: string, s: ClusterStatus | undefined): Promise<void> {
  if (s?.userNamespace) {
    const stopped = await stopSandboxProcesses(s.userNamespace, sandboxIdFor(dataDir));
    if (stopped.length > 0) process.stdout.write(`switchboard: stopped ${stopped.length} process(es) left in the sandbox\n`);
  }
  if (process.getuid?.() !== 0) return;
  const removed = await destroySandbox(sandboxIdFor(dataDir)).catch(() => []);
  if (removed.length > 0) process.stdout.write(`switchboard: removed ${removed.length} sandbox namespace(s) left behind\n`);
}

async function down(dataDir: string): Promise<number> {
  const s = readStatus(dataDir);
  if (!s || !isAlive(s.pid)) {
    process.stdout.write(`switchboard: no cluster is running from ${dataDir}\n`);
    await removeLeftovers(dataDir, s);
    return 0;
  }
  process.kill(s.pid, 'SIGTERM');
  const deadline = Date.now() + 40_000;
  while (isAlive(s.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(s.pid)) {
    process.stderr.write(`switchboard: pid ${s.pid} did not stop within 40 s\n`);
    return 1;
  }
  process.stdout.write(`switchboard: stopped the cluster (pid ${s.pid})\n`);
  await removeLeftovers(dataDir, s);
  return 0;
}

function status(dataDir: string, output: string | undefined): number {
  const s = readStatus(dataDir);
  const running = !!s && isAlive(s.pid);
  if (output === 'json') {
    process.stdout.write(
      `${JSON.stringify({ running, dataDir, ...(running && s ? { pid: s.pid, api: s.api, kubeconfig: s.kubeconfig, store: s.store, ...(s.dns ? { dns: s.dns } : {}) } : {}) }, null, 2)}\n`,
    );
  } else if (running && s) {
    process.stdout.write(`running (pid ${s.pid})\nAPI server:  ${s.api}\nkubeconfig:  ${s.kubeconfig}\nstore:       ${s.store}\n${s.dns ? `DNS:         ${s.dns}\n` : ''}`);
  } else {
    process.stdout.write(`not running (data directory ${dataDir})\n`);
  }
  return running ? 0 : 3;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`switchboard: ${explainFailure(err)}\n`);
    process.exit(1);
  },
);

/**
 * A failure the user can act on, in one line that says what to do; anything else with its
 * stack (a bug to report). SWITCHBOARD_DEBUG=1 always shows the stack.
 */
function explainFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = 'code' in err ? String((err as NodeJS.ErrnoException).code) : '';
  const where = /address already in use (\S+)/.exec(err.message)?.[1];
  let said: string | undefined;
  if (code === 'EADDRINUSE') said = `${where ?? 'an address'} is already in use (another program, or another cluster: see switchboard status --data-dir DIR); stop it, or choose another port (--api-port N or --dns-port N; 0 picks a free one)`;
  else if (code === 'EADDRNOTAVAIL') said = `${err.message}: the address is not on this host (--bind-address must be a loopback address such as 127.0.0.1)`;
  else if (code === 'EACCES' && /listen/.test(err.message)) said = `${err.message}: ports below 1024 need root; choose another with --api-port N`;
  else if (code === 'EPERM' || code === 'EACCES') said = `${err.message}: permission denied (real nodes need root, or without root a user namespace: see src/sandbox/README.md; --nodes 0 --simulated-nodes N needs neither)`;
  else if (err.name === 'SandboxError') said = err.message;
  if (said && process.env.SWITCHBOARD_DEBUG !== '1') return said;
  return said ? `${said}\n${err.stack ?? ''}` : (err.stack ?? err.message);
}
