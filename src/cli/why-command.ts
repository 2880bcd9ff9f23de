/**
 * `switchboard why <service> [-n namespace] [--data-dir DIR]`: reads the cluster running from
 * DIR through the API, reads each real node's dataplane from inside its network namespace,
 * runs the network tests (host loopback here, the rest in a short-lived child per node), and
 * prints the explanation that why.ts derives. Exit code 0 when the Service reaches a ready
 * pod, 1 otherwise; errors are one line.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findResource, type ResourceInfo } from '../api/resources.js';
import { StatusError } from '../api/status.js';
import type { KubeObject } from '../api/types.js';
import { credentialsFromKubeconfig } from '../client/kubeconfig.js';
import { ApiClient } from '../client/rest.js';
import { hasSelector, selectorMatches } from '../controllers/endpointslice/pods.js';
import { labelServiceName, type Endpoints, type EndpointSlice } from '../controllers/endpointslice/types.js';
import { sandboxNames } from '../sandbox/network.js';
import { isAlive, paths, readStatus, resolveDataDir, type ClusterStatus } from './datadir.js';
import { sandboxIdFor, UsageError } from './up.js';
import { explain, render, slicesAgree } from './why.js';
import { plannedChecks } from './why-checks.js';
import { parseListeners, parseLoopback, parseNftTable } from './why-dataplane.js';
import { runChecks } from './why-net.js';
import { formatLabels } from './why-pods.js';
import { checkKey, HOST, type Check, type CheckResult, type ClusterFacts, type NodeDataplane, type WhyEvent, type WhyFacts, type WhyNode, type WhyPod, type WhyReplicaSet, type WhyService } from './why-types.js';

export const whyUsage = 'usage: switchboard why <service> [-n namespace] [--data-dir DIR]\n';

const API_TIMEOUT_MS = 10_000;
const childPath = fileURLToPath(new URL('./why-netns.js', import.meta.url));

/** A failure the user gets as one line. */
class WhyError extends Error {}

export async function whyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { namespace: { type: 'string', short: 'n', default: 'default' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(whyUsage);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`why needs exactly one Service name\n${whyUsage}`);
  const name = positionals[0].replace(/^(svc|service|services)\//, '');
  const dataDir = resolveDataDir(values['data-dir']);
  try {
    const facts = await readFacts(dataDir, values.namespace, name);
    const results = await runAll(plannedChecks(facts));
    const report = explain(facts, results);
    process.stdout.write(render(report));
    return report.exitCode;
  } catch (err) {
    process.stderr.write(`switchboard: why: ${oneLine(err)}\n`);
    return 1;
  }
}

function oneLine(err: unknown): string {
  if (err instanceof WhyError) return err.message;
  if (err instanceof StatusError) return `the API server answered ${err.reason} (${err.code}): ${err.message}`;
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'failed';
}

function resource(group: string, plural: string): ResourceInfo {
  const info = findResource(group, plural);
  if (!info) throw new WhyError(`unknown resource ${group}/${plural}`);
  return info;
}

const R = {
  services: resource('', 'services'),
  pods: resource('', 'pods'),
  endpoints: resource('', 'endpoints'),
  events: resource('', 'events'),
  nodes: resource('', 'nodes'),
  replicaSets: resource('apps', 'replicasets'),
  slices: resource('discovery.k8s.io', 'endpointslices'),
};

/** An API call bounded in time, with connection failures said plainly. */
function api<T>(server: string, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WhyError(`the API server at ${server} did not answer within ${API_TIMEOUT_MS / 1000} s`)), API_TIMEOUT_MS);
  });
  const guarded = call.catch((err: unknown) => {
    if (err instanceof StatusError) throw err;
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    throw new WhyError(`cannot reach the API server at ${server}: ${code || (err instanceof Error ? err.message : String(err))}`);
  });
  return Promise.race([guarded, timeout]).finally(() => clearTimeout(timer));
}

/** `get` that reads NotFound as undefined. */
async function getOptional<T extends KubeObject>(server: string, call: Promise<T>): Promise<T | undefined> {
  try {
    return await api(server, call);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}



/** A status file that exists but this user cannot read: the cluster is another user's. */
function unreadableBy(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    if (code === 'EACCES' || code === 'EPERM') throw new WhyError(`cannot read ${file} (${code}): the cluster belongs to another user; run why as that user (e.g. with sudo)`);
  }
}

async function readFacts(dataDir: string, namespace: string, name: string): Promise<WhyFacts> {
  const status = readStatus(dataDir);
  unreadableBy(paths(dataDir).status);
  if (!status || !isAlive(status.pid)) throw new WhyError(`no cluster is running from ${dataDir} (start one with: switchboard up --data-dir ${dataDir})`);
  let client: ApiClient;
  try {
    client = new ApiClient(credentialsFromKubeconfig(status.kubeconfig), 'switchboard-why');
  } catch (err) {
    throw new WhyError(`cannot read the kubeconfig ${status.kubeconfig}: ${oneLine(err)}`);
  }
  try {
    return await readWithClient(client, dataDir, status, namespace, name);
  } finally {
    client.close();
  }
}

function clusterFacts(dataDir: string, status: ClusterStatus): ClusterFacts {
  const dnsAddress = status.dns;
  const nodePortAddress = status.nodePortAddress;
  const domain = (status.clusterDomain ?? 'cluster.local').replace(/\.$/, '').toLowerCase();
  return { dataDir, domain, root: process.getuid?.() === 0, ...(dnsAddress ? { dnsAddress } : {}), ...(nodePortAddress ? { nodePortAddress } : {}) };
}

async function readWithClient(client: ApiClient, dataDir: string, status: ClusterStatus, namespace: string, name: string): Promise<WhyFacts> {
  const server = status.api;
  const cluster = clusterFacts(dataDir, status);
  const facts: WhyFacts = { namespace, name, cluster, allServices: [], pods: [], podsElsewhere: [], replicaSets: [], slices: [], events: [], nodes: [], dataplane: new Map() };
  const service = await getOptional(server, client.get<WhyService>(R.services, namespace, name));
  if (!service) {
    const all = await api(server, client.list<WhyService>(R.services));
    facts.allServices = all.items.map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`);
    return facts;
  }
  facts.service = service;
  const podsAndSlices = async (): Promise<void> => {
    const [pods, slices] = await Promise.all([
      api(server, client.list<WhyPod>(R.pods, namespace)),
      api(server, client.list<EndpointSlice>(R.slices, namespace, { labelSelector: `${labelServiceName}=${name}` })),
    ]);
    facts.pods = pods.items;
    facts.slices = slices.items;
  };
  const [, endpoints, events, nodes, replicaSets, kubeDns] = await Promise.all([
    podsAndSlices(),
    getOptional(server, client.get<Endpoints>(R.endpoints, namespace, name)),
    api(server, client.list<WhyEvent>(R.events, namespace)),
    api(server, client.list(R.nodes)),
    api(server, client.list(R.replicaSets, namespace)),
    getOptional(server, client.get<WhyService>(R.services, 'kube-system', 'kube-dns')),
  ]);
  if (endpoints) facts.endpoints = endpoints;
  facts.events = events.items;
  facts.replicaSets = replicaSets.items.map((rs): WhyReplicaSet => {
    const owner = rs.metadata.ownerReferences?.find((r) => r.controller);
    return { name: rs.metadata.name ?? '', ...(owner ? { owner } : {}) };
  });
  if (kubeDns?.spec?.clusterIP && kubeDns.spec.clusterIP !== 'None') cluster.clusterDnsIP = kubeDns.spec.clusterIP;
  // Controllers lag a little behind pods: when the slices disagree, look once more a second later.
  if (hasSelector(service) && !slicesAgree(facts)) {
    await new Promise((r) => setTimeout(r, 1000));
    await podsAndSlices();
  }
  if (hasSelector(service) && !facts.pods.some((p) => selectorMatches(service, p.metadata.labels))) {
    const elsewhere = await api(server, client.list<WhyPod>(R.pods, undefined, { labelSelector: formatLabels(service.spec?.selector) }));
    facts.podsElsewhere = elsewhere.items.filter((p) => p.metadata.namespace !== namespace);
  }
  facts.nodes = nodes.items.map((n) => toNode(n, cluster.root ? sandboxIdFor(dataDir) : undefined));
  await Promise.all(facts.nodes.map(async (n) => {
    if (n.netns) facts.dataplane.set(n.name, await readDataplane(n.netns));
  }));
  return facts;
}

function toNode(node: KubeObject, sandboxId: string | undefined): WhyNode {
  const status = (node.status ?? {}) as { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string }[] };
  const name = node.metadata.name ?? '';
  const address = status.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  // Real nodes are node-<i>, living in the sandbox namespace sb<id>-n<i>.
  const index = /^node-(\d+)$/.exec(name)?.[1];
  const netns = sandboxId && index !== undefined ? sandboxNames(sandboxId).node(Number(index)) : undefined;
  return { name, ready, ...(address ? { address } : {}), ...(netns && existsSync(`/run/netns/${netns}`) ? { netns } : {}) };
}

function inNode(netns: string, cmd: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nsenter', [`--net=/run/netns/${netns}`, '--', ...cmd], { timeout: 5000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(String(stderr).trim().split('\n')[0] || err.message));
      else resolve(String(stdout));
    });
  });
}

/** The node's proxy dataplane: the nftables table, else the userspace relay's addresses and listeners. */
async function readDataplane(netns: string): Promise<NodeDataplane> {
  try {
    return parseNftTable(JSON.parse(await inNode(netns, ['nft', '-j', 'list', 'table', 'ip', 'switchboard'])) as unknown);
  } catch (nftErr) {
    try {
      const loopback = parseLoopback(JSON.parse(await inNode(netns, ['ip', '-j', 'addr', 'show', 'dev', 'lo'])) as unknown);
      loopback.delete('127.0.0.1');
      if (loopback.size === 0) return { mode: 'none' };
      return { mode: 'userspace', loopback, listeners: parseListeners(await inNode(netns, ['ss', '-ltnuH'])) };
    } catch (err) {
      return { mode: 'unreadable', error: `${oneLine(nftErr)}; ${oneLine(err)}` };
    }
  }
}

const isLoopback = (host: string): boolean => host.startsWith('127.') || host === '::1';

/** Host checks here (loopback only), the others in one child per node namespace. */
async function runAll(checks: Check[]): Promise<Map<string, CheckResult>> {
  const byWhere = new Map<string, Check[]>();
  for (const c of checks) byWhere.set(c.where, [...(byWhere.get(c.where) ?? []), c]);
  const parts = await Promise.all(
    [...byWhere].map(([where, list]) => (where === HOST ? runChecks(list.filter((c) => isLoopback(c.host))) : runInNode(where, list))),
  );
  return new Map(parts.flat());
}

function runInNode(netns: string, checks: Check[]): Promise<[string, CheckResult][]> {
  return new Promise((resolve) => {
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, childPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const failed = (why: string): [string, CheckResult][] => checks.map((c) => [checkKey(c), { outcome: 'error', detail: why }]);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(failed(`could not enter ${netns}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(code === 0 ? (JSON.parse(out) as [string, CheckResult][]) : failed(err.trim().split('\n')[0] || `exit ${code ?? '?'}`));
      } catch {
        resolve(failed('unreadable answer'));
      }
    });
    child.stdin.end(JSON.stringify(checks));
  });
}
