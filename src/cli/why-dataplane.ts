/**
 * Pure pieces of `switchboard why` about the network: reading a node's programmed dataplane
 * (`nft -j list table ip switchboard`, `ip -j addr show dev lo`, `ss -ltnuH`), and the DNS,
 * dataplane and host findings (steps 6 to 8).
 */
import { hasSelector, isHeadless } from '../controllers/endpointslice/pods.js';
import type { EndpointSlice } from '../controllers/endpointslice/types.js';
import { clusterIPsOf, dataplaneChecks, hostChecks, realNodes, serviceDnsCheck, serviceFqdn } from './why-checks.js';
import { describeOutcome } from './why-pods.js';
import { checkKey, type Finding, type NftTarget, type NodeDataplane, type Results, type WhyFacts, type WhyNode, type WhyService, type WhyServicePort } from './why-types.js';

type Json = unknown;

const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A set or map key as text: `10.96.0.5 tcp 80`, `tcp 30080`, `10.96.0.1`. */
function keyText(v: Json): string {
  if (isObj(v) && 'elem' in v && isObj(v.elem)) return keyText(v.elem.val);
  if (isObj(v) && Array.isArray(v.concat)) return v.concat.map(keyText).join(' ');
  return String(v);
}

function verdictTarget(v: Json): string | undefined {
  if (!isObj(v)) return undefined;
  const jump = v.goto ?? v.jump;
  return isObj(jump) && typeof jump.target === 'string' ? jump.target : undefined;
}

/** The `ip switchboard` table of one node, from `nft -j list table ip switchboard`. */
export function parseNftTable(json: Json): Extract<NodeDataplane, { mode: 'nftables' }> {
  const items = isObj(json) && Array.isArray(json.nftables) ? json.nftables : [];
  const maps = new Map<string, Map<string, string>>();
  const sets = new Map<string, Set<string>>();
  const dnats = new Map<string, string[]>();
  const jumps = new Map<string, string[]>();
  for (const item of items) {
    if (!isObj(item)) continue;
    if (isObj(item.map) && typeof item.map.name === 'string') {
      const entries = new Map<string, string>();
      for (const e of Array.isArray(item.map.elem) ? item.map.elem : []) {
        if (!Array.isArray(e) || e.length < 2) continue;
        const target = verdictTarget(e[1]);
        if (target) entries.set(keyText(e[0]), target);
      }
      maps.set(item.map.name, entries);
    } else if (isObj(item.set) && typeof item.set.name === 'string') {
      sets.set(item.set.name, new Set((Array.isArray(item.set.elem) ? item.set.elem : []).map(keyText)));
    } else if (isObj(item.rule) && typeof item.rule.chain === 'string') {
      const chain = item.rule.chain;
      for (const expr of Array.isArray(item.rule.expr) ? item.rule.expr : []) {
        if (!isObj(expr)) continue;
        if (isObj(expr.dnat)) dnats.set(chain, [...(dnats.get(chain) ?? []), `${String(expr.dnat.addr)}:${String(expr.dnat.port)}`]);
        const next = verdictTarget(expr);
        if (next) jumps.set(chain, [...(jumps.get(chain) ?? []), next]);
      }
    }
  }
  const endpointsFrom = (chain: string, seen = new Set<string>()): string[] => {
    if (seen.has(chain)) return [];
    seen.add(chain);
    return [...(dnats.get(chain) ?? []), ...(jumps.get(chain) ?? []).flatMap((c) => endpointsFrom(c, seen))];
  };
  const targets = (name: string): Map<string, NftTarget> =>
    new Map([...(maps.get(name) ?? new Map<string, string>())].map(([k, chain]) => [k, { chain, endpoints: [...new Set(endpointsFrom(chain))].sort() }]));
  return {
    mode: 'nftables',
    serviceIps: targets('service-ips'),
    nodePorts: targets('service-nodeports'),
    rejectedIps: sets.get('no-endpoint-services') ?? new Set(),
    rejectedNodePorts: sets.get('no-endpoint-nodeports') ?? new Set(),
  };
}

/** IPv4 addresses on `lo`, from `ip -j addr show dev lo`. */
export function parseLoopback(json: Json): Set<string> {
  const out = new Set<string>();
  for (const link of Array.isArray(json) ? json : []) {
    if (!isObj(link) || !Array.isArray(link.addr_info)) continue;
    for (const a of link.addr_info) if (isObj(a) && a.family === 'inet' && typeof a.local === 'string') out.add(a.local);
  }
  return out;
}

/** Listening sockets as `tcp 10.96.0.5:80` (`*` for any address), from `ss -ltnuH`. */
export function parseListeners(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const proto = cols[0];
    const local = cols[4];
    if (!proto || !local || (proto !== 'tcp' && proto !== 'udp')) continue;
    const m = /^(.*):(\d+|\*)$/.exec(local);
    if (!m) continue;
    const host = (m[1] ?? '').replace(/%.*$/, '').replace(/^\[|\]$/g, '');
    out.add(`${proto} ${host === '0.0.0.0' || host === '::' ? '*' : host}:${m[2] ?? ''}`);
  }
  return out;
}

/** `ip:port` of the ready endpoints the EndpointSlices give one Service port. */
export function readyEndpointsFor(slices: EndpointSlice[], sp: WhyServicePort): string[] {
  const out = new Set<string>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
    if (port?.port === undefined) continue;
    for (const e of slice.endpoints ?? []) if (e.conditions?.ready !== false) for (const a of e.addresses) out.add(`${a}:${port.port}`);
  }
  return [...out].sort();
}

const list = (xs: string[]): string => (xs.length > 0 ? xs.join(', ') : 'nothing');

/** Step 6: the Service's name in the cluster DNS. */
export function dnsFindings(f: WhyFacts, results: Results, readyIPs: string[]): Finding[] {
  const check = serviceDnsCheck(f);
  const name = serviceFqdn(f);
  if (!check) return [{ mark: 'note', text: 'DNS: the cluster runs without a cluster DNS listener (no dns address in status.json): not checked' }];
  const r = results.get(checkKey(check));
  if (!r || r.outcome !== 'ok') {
    return [{ mark: 'problem', blocking: true, text: `DNS: the cluster DNS at ${f.cluster.dnsAddress} did not answer ${name}: ${r ? describeOutcome(r) : 'not asked'}`, fix: `the cluster DNS: see ${f.cluster.dataDir}/switchboard.log` }];
  }
  const got = (r.answers ?? []).filter((a) => a.startsWith('A ')).map((a) => a.slice(2)).sort();
  const headless = f.service ? isHeadless(f.service) : false;
  const want = headless ? [...readyIPs].sort() : clusterIPsOf(f).sort();
  const what = headless ? 'the ready endpoints (headless)' : 'the cluster IP';
  if (r.rcode !== 'NOERROR') {
    const fix = headless && want.length === 0 ? 'a headless name has records only for ready endpoints: make a pod Ready (see above)' : `the cluster DNS has not caught up: run why again; if it persists see ${f.cluster.dataDir}/switchboard.log`;
    return [{ mark: 'problem', blocking: true, text: `DNS: ${name} A answers ${r.rcode ?? '?'} (want ${list(want)}, ${what})`, fix }];
  }
  if (got.join() !== want.join()) {
    return [{ mark: 'problem', blocking: true, text: `DNS: ${name} A answers ${list(got)}, but ${what} ${want.length === 1 ? 'is' : 'are'} ${list(want)}`, fix: `the cluster DNS has not caught up: run why again; if it persists see ${f.cluster.dataDir}/switchboard.log` }];
  }
  return [{ mark: 'ok', text: `DNS: ${name} A ${list(got)} (${what})` }];
}

/** What a node programmed for one Service port's address, compared with the ready endpoints. */
function programmed(dp: NodeDataplane, key: { ip?: string; proto: string; port: number }, want: string[]): { ok: boolean; text: string } {
  const addr = key.ip ? `${key.ip}:${key.port}/${key.proto.toUpperCase()}` : `NodePort ${key.port}/${key.proto.toUpperCase()}`;
  if (dp.mode === 'nftables') {
    const k = key.ip ? `${key.ip} ${key.proto} ${key.port}` : `${key.proto} ${key.port}`;
    const target = (key.ip ? dp.serviceIps : dp.nodePorts).get(k);
    if (target) {
      const same = target.endpoints.join() === want.join();
      return { ok: same, text: `${addr} -> ${list(target.endpoints)}${same ? '' : ` (the EndpointSlices say ${list(want)})`}` };
    }
    if ((key.ip ? dp.rejectedIps : dp.rejectedNodePorts).has(k)) return { ok: want.length === 0, text: `${addr} rejected (no endpoints)${want.length > 0 ? ` though the EndpointSlices have ${list(want)}` : ''}` };
    return { ok: false, text: `${addr} not programmed` };
  }
  if (dp.mode === 'userspace') {
    const onLo = key.ip ? dp.loopback.has(key.ip) : true;
    const listening = key.ip ? dp.listeners.has(`${key.proto} ${key.ip}:${key.port}`) : [...dp.listeners].some((l) => l.startsWith(`${key.proto} `) && l.endsWith(`:${key.port}`));
    return { ok: onLo && listening, text: `${addr} ${onLo ? '' : 'not on lo, '}${listening ? 'relay listening' : 'no relay listening'}` };
  }
  return { ok: false, text: `${addr} not programmed` };
}

/** Step 7: every real node programmed the Service, and a connection from inside each one works. */
export function dataplaneFindings(f: WhyFacts, results: Results): Finding[] {
  const svc = f.service;
  if (!svc || svc.spec?.type === 'ExternalName') return [];
  if (!f.cluster.root) return [{ mark: 'note', text: 'dataplane: not checked: entering the nodes\' network namespaces needs root (run: sudo switchboard why ...)' }];
  if (isHeadless(svc)) return [{ mark: 'note', text: 'dataplane: headless Service: no cluster IP to program; clients connect to the pod IPs DNS answers' }];
  const nodes = realNodes(f);
  if (nodes.length === 0) return [{ mark: 'note', text: 'dataplane: no real nodes in the sandbox (simulated nodes carry no traffic): not checked' }];
  const out: Finding[] = [];
  for (const node of nodes) {
    out.push(programmedFinding(f, node));
    const conn = connectionFinding(f, node, results);
    if (conn) out.push(conn);
  }
  return out;
}

function programmedFinding(f: WhyFacts, node: WhyNode & { netns: string }): Finding {
  const dp = f.dataplane.get(node.name) ?? { mode: 'unreadable', error: 'not read' };
  if (dp.mode === 'unreadable') return { mark: 'note', text: `${node.name}: could not read its dataplane: ${dp.error}` };
  if (dp.mode === 'none') {
    return { mark: 'problem', blocking: true, text: `${node.name}: no service proxy dataplane (no ip switchboard table, no Service addresses on lo)`, fix: `the service proxy of ${node.name}: see ${f.cluster.dataDir}/switchboard.log` };
  }
  const parts: { ok: boolean; text: string }[] = [];
  for (const sp of f.service?.spec?.ports ?? []) {
    const proto = (sp.protocol ?? 'TCP').toLowerCase();
    const want = readyEndpointsFor(f.slices, sp);
    for (const ip of clusterIPsOf(f)) parts.push(programmed(dp, { ip, proto, port: sp.port }, want));
    if (sp.nodePort) parts.push(programmed(dp, { proto, port: sp.nodePort }, want));
  }
  const text = `${node.name} (${dp.mode}): ${parts.map((p) => p.text).join('; ')}`;
  if (parts.every((p) => p.ok)) return { mark: 'ok', text };
  const missing = parts.some((p) => p.text.endsWith('not programmed') || p.text.includes('no relay'));
  return { mark: 'problem', blocking: missing, text, fix: `the service proxy of ${node.name} has not caught up: run why again; if it persists see ${f.cluster.dataDir}/switchboard.log` };
}

function connectionFinding(f: WhyFacts, node: WhyNode & { netns: string }, results: Results): Finding | undefined {
  const tried = dataplaneChecks(f, node).map((x) => ({ ...x, result: results.get(checkKey(x.check)) }));
  if (tried.length === 0) return undefined;
  const line = (x: (typeof tried)[number]): string => `${x.check.host}:${x.check.port} (${x.what}) ${x.result ? describeOutcome(x.result) : 'not tried'}`;
  const failed = tried.filter((x) => x.result?.outcome !== 'ok');
  const text = `${node.name}: TCP connection from inside the node to ${tried.map(line).join('; ')}`;
  if (failed.length === 0) return { mark: 'ok', text };
  const anyEndpoints = (f.service?.spec?.ports ?? []).some((sp) => readyEndpointsFor(f.slices, sp).length > 0);
  const timedOut = failed.some((x) => x.result?.outcome === 'timeout');
  // With no ready endpoint the proxy refuses on purpose; the cause is reported above.
  if (!anyEndpoints && !timedOut) return { mark: 'note', text: `${text} (as it should be while the Service has no ready endpoint)` };
  const fix = timedOut
      ? `packets are dropped on the way: see the dataplane line above and ${f.cluster.dataDir}/switchboard.log`
      : 'the endpoints refuse the connection: nothing listens on the target port (see the port check above)';
  return { mark: 'problem', blocking: true, text, fix };
}

/** Step 8: where a NodePort or LoadBalancer answers as seen from the host, and the way in from the host. */
export function hostFindings(f: WhyFacts, results: Results): Finding[] {
  const spec = f.service?.spec;
  if (!spec || spec.type === 'ExternalName') return [];
  const firstPort = spec.ports?.[0]?.port;
  const forward = firstPort ? `kubectl port-forward -n ${f.namespace} svc/${f.name} 8080:${firstPort} (then localhost:8080)` : '';
  const out: Finding[] = [];
  const host = hostChecks(f).map((x) => ({ ...x, result: results.get(checkKey(x.check)) }));
  const nodeAddrs = (port: number): string => list(f.nodes.filter((n) => n.address).map((n) => `${n.address}:${port} (${n.name})`));
  for (const sp of spec.ports ?? []) {
    if (!sp.nodePort) continue;
    const onHost = host.find((h) => h.what === 'NodePort' && h.check.port === sp.nodePort);
    const base = `NodePort ${sp.nodePort}/${sp.protocol ?? 'TCP'} answers on the node addresses inside the sandbox: ${nodeAddrs(sp.nodePort)}`;
    if (f.cluster.nodePortAddress) {
      const r = onHost?.result;
      const ok = r?.outcome === 'ok';
      out.push({
        mark: ok ? 'ok' : (sp.protocol ?? 'TCP') === 'TCP' ? 'problem' : 'note',
        text: `${base}, and on the host at ${f.cluster.nodePortAddress}:${sp.nodePort} (--node-port-address)${r ? `: ${ok ? 'accepts connections' : describeOutcome(r)}` : ''}`,
        ...(ok ? {} : { fix: `the port publisher: see ${f.cluster.dataDir}/switchboard.log; meanwhile ${forward}` }),
      });
    } else {
      const r = onHost?.result;
      const seen = r ? ` (host 127.0.0.1:${sp.nodePort}: ${r.outcome === 'ok' ? 'something else on the host answers there' : describeOutcome(r)})` : '';
      out.push({ mark: 'note', text: `${base}; not on the host's 127.0.0.1:${sp.nodePort}${seen}`, details: [`from the host: ${forward}, or start the cluster with --node-port-address 127.0.0.1`] });
    }
  }
  if (spec.type === 'LoadBalancer') {
    const ingress = (f.service?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter(Boolean);
    if (ingress.length === 0) out.push({ mark: 'problem', text: 'LoadBalancer: no EXTERNAL-IP assigned yet', fix: `the LoadBalancer IP allocator (--lb-pool): see ${f.cluster.dataDir}/switchboard.log; meanwhile ${forward}` });
    for (const x of host.filter((h) => h.what === 'LoadBalancer')) {
      const ok = x.result?.outcome === 'ok';
      const seen = ok ? 'accepts connections (relayed to the NodePort inside the sandbox)' : x.result ? describeOutcome(x.result) : 'not tried';
      out.push({ mark: ok ? 'ok' : 'problem', text: `LoadBalancer EXTERNAL-IP ${x.check.host} is published on host loopback: ${x.check.host}:${x.check.port} ${seen}`, ...(ok ? {} : { fix: `the port publisher: see ${f.cluster.dataDir}/switchboard.log; meanwhile ${forward}` }) });
    }
  }
  if (out.length === 0) {
    const what = isHeadless(f.service as WhyService) ? 'the pod IPs answer' : 'the cluster IP answers';
    // kubectl port-forward svc/... picks a pod by the selector, so it needs one.
    const way = f.service && hasSelector(f.service) && forward ? `; use ${forward}` : '';
    out.push({ mark: 'note', text: `from the host: ${what} only inside the sandbox${way}` });
  }
  return out;
}
