/**
 * `switchboard why <service>`, the explanation (pure): from what was read about a Service and
 * what the network tests found, the findings of each step, in order (the Service, its selector,
 * its pods, target ports, EndpointSlices, DNS, dataplane, the host), and a verdict.
 * why-command.ts reads the cluster and runs the tests; this module decides what they mean.
 */
import { findPort, hasSelector, isHeadless, isPodTerminal, podIPs } from '../controllers/endpointslice/pods.js';
import { labelServiceName } from '../controllers/endpointslice/types.js';
import { externalTargetCheck, matchingPods, probeCheck, selectorlessChecks, serviceDnsCheck, targetPortChecks } from './why-checks.js';
import { dataplaneFindings, dnsFindings, hostFindings } from './why-dataplane.js';
import { closestPods, describeMismatch, describeOutcome, formatLabels, isRunningReady, ownerOf, podCauses, similarNames } from './why-pods.js';
import { checkKey, type Finding, type Results, type WhyFacts, type WhyPod, type WhyService, type WhyServicePort } from './why-types.js';

export interface Report {
  title: string;
  findings: Finding[];
  verdict: string;
  exitCode: 0 | 1;
}

const podName = (p: WhyPod): string => p.metadata.name ?? '';
const list = (xs: string[]): string => (xs.length > 0 ? xs.join(', ') : 'none');

export function explain(f: WhyFacts, results: Results): Report {
  const title = `why Service ${f.namespace}/${f.name}`;
  const svc = f.service;
  if (!svc) return { title, findings: [notFound(f)], verdict: `verdict: Service ${f.namespace}/${f.name} does not exist`, exitCode: 1 };
  if (svc.spec?.type === 'ExternalName') return externalName(f, svc, results, title);
  const findings: Finding[] = [serviceLine(f, svc)];
  const readyIPs = readyAddresses(f);
  if (hasSelector(svc)) {
    const pods = matchingPods(f);
    findings.push(selectorFinding(f, svc, pods));
    if (pods.length > 0) {
      findings.push(...podFindings(f, svc, pods, results));
      for (const sp of svc.spec?.ports ?? []) findings.push(...portFindings(f, sp, pods, results));
    }
    findings.push(sliceFinding(f, svc, pods));
  } else {
    findings.push(...selectorlessFindings(f, results));
  }
  findings.push(...dnsFindings(f, results, readyIPs), ...dataplaneFindings(f, results), ...hostFindings(f, results));
  return { title, findings, ...verdict(f, findings, readyIPs.length) };
}

function notFound(f: WhyFacts): Finding {
  const here = f.allServices.filter((s) => s.startsWith(`${f.namespace}/`)).map((s) => s.slice(f.namespace.length + 1));
  const similar = similarNames(f.name, here);
  const elsewhere = f.allServices.filter((s) => s.endsWith(`/${f.name}`) && !s.startsWith(`${f.namespace}/`));
  const details = [
    similar.length > 0 ? `similar names in namespace ${f.namespace}: ${similar.join(', ')}` : `no similar names in namespace ${f.namespace} (it has: ${list(here.slice(0, 8))})`,
    ...(elsewhere.length > 0 ? [`a Service ${f.name} exists in: ${elsewhere.join(', ')}`] : []),
  ];
  const hint = elsewhere[0] ? `run why ${f.name} -n ${elsewhere[0].split('/')[0] ?? ''}` : similar[0] ? `did you mean ${similar[0]}?` : `create Service ${f.namespace}/${f.name}`;
  return { mark: 'problem', blocking: true, text: `Service ${f.namespace}/${f.name}: NotFound`, fix: `check the name and the namespace (-n): ${hint}`, details };
}

function portText(sp: WhyServicePort): string {
  const name = sp.name ? `${sp.name} ` : '';
  const target = sp.targetPort === undefined ? String(sp.port) : typeof sp.targetPort === 'string' ? `"${sp.targetPort}"` : String(sp.targetPort);
  return `${name}${sp.port}/${sp.protocol ?? 'TCP'} -> targetPort ${target}${sp.nodePort ? `, nodePort ${sp.nodePort}` : ''}`;
}

function serviceLine(f: WhyFacts, svc: WhyService): Finding {
  const spec = svc.spec ?? {};
  const ip = isHeadless(svc) ? 'headless (clusterIP None)' : `cluster IP ${list(spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP ?? '?'])}`;
  const ports = (spec.ports ?? []).map(portText);
  if (ports.length === 0 && !isHeadless(svc)) return { mark: 'problem', blocking: true, text: `Service ${f.namespace}/${f.name}: ${spec.type ?? 'ClusterIP'}, ${ip}, no ports`, fix: `Service ${f.namespace}/${f.name}: add spec.ports` };
  return { mark: 'ok', text: `Service ${f.namespace}/${f.name}: ${spec.type ?? 'ClusterIP'}, ${ip}, ports ${list(ports)}` };
}

function externalName(f: WhyFacts, svc: WhyService, results: Results, title: string): Report {
  const target = (svc.spec?.externalName ?? '').replace(/\.$/, '');
  const findings: Finding[] = [{ mark: 'note', text: `Service ${f.namespace}/${f.name}: ExternalName: the cluster DNS answers a CNAME to ${target}; nothing is proxied and no pods are involved` }];
  const own = serviceDnsCheck(f);
  const ownResult = own ? results.get(checkKey(own)) : undefined;
  if (ownResult) {
    const cname = (ownResult.answers ?? []).some((a) => a.toLowerCase() === `cname ${target.toLowerCase()}`);
    findings.push(cname ? { mark: 'ok', text: `DNS: ${f.name}.${f.namespace}.svc.${f.cluster.domain} CNAME ${target}` } : { mark: 'problem', blocking: true, text: `DNS: ${f.name}.${f.namespace}.svc.${f.cluster.domain}: ${ownResult.rcode ?? describeOutcome(ownResult)} ${list(ownResult.answers ?? [])}, no CNAME to ${target}`, fix: `the cluster DNS: see ${f.cluster.dataDir}/switchboard.log` });
  }
  const check = externalTargetCheck(f);
  const r = check ? results.get(checkKey(check)) : undefined;
  const addresses = (r?.answers ?? []).filter((a) => a.startsWith('A ')).map((a) => a.slice(2));
  if (!check || !r) {
    findings.push({ mark: 'note', text: `DNS: ${target} is outside the cluster domain; checking it needs the in-sandbox DNS (root and a real node): not checked` });
    return { title, findings, verdict: `verdict: ${f.namespace}/${f.name} is an alias for ${target} (not resolved here)`, exitCode: findings.some((x) => x.blocking) ? 1 : 0 };
  }
  const from = check.where === 'host' ? `the cluster DNS at ${check.host}:${check.port}` : `the cluster DNS ${check.host} from inside the sandbox`;
  if (addresses.length > 0) {
    findings.push({ mark: 'ok', text: `DNS: ${target} resolves through ${from}: ${addresses.join(', ')}` });
  } else {
    findings.push({ mark: 'problem', blocking: true, text: `DNS: ${target} does not resolve through ${from}: ${r.rcode ?? describeOutcome(r)}`, fix: `Service ${f.namespace}/${f.name}: set spec.externalName to a name that resolves (for a Service: <name>.<namespace>.svc.${f.cluster.domain})` });
  }
  const ok = !findings.some((x) => x.blocking);
  return { title, findings, verdict: `verdict: ${f.namespace}/${f.name} is an alias for ${target}${ok ? `, which resolves to ${addresses.join(', ')}` : ', which does not work (see above)'}`, exitCode: ok ? 0 : 1 };
}

function selectorFinding(f: WhyFacts, svc: WhyService, pods: WhyPod[]): Finding {
  const selector = svc.spec?.selector ?? {};
  const sel = formatLabels(selector);
  if (pods.length > 0) return { mark: 'ok', text: `selector ${sel} matches ${pods.length} pod(s): ${pods.map(podName).join(', ')}` };
  const close = closestPods(selector, f.pods);
  const details = close.map((c) => describeMismatch(podName(c.pod), c.diff, selector));
  if (f.podsElsewhere.length > 0) details.push(`pods in other namespaces match (a Service selects only in its own namespace): ${f.podsElsewhere.map((p) => `${p.metadata.namespace}/${podName(p)}`).join(', ')}`);
  const text = `selector ${sel} matches no pod in namespace ${f.namespace}${f.pods.length === 0 ? ' (the namespace has no pods)' : ''}`;
  const best = close.find((c) => c.diff.matched > 0 || c.diff.differing.some((d) => similarNames(d.want, [d.have]).length > 0));
  let fix: string;
  if (best) {
    const theirs = Object.keys(selector).map((k) => `${k}=${best.pod.metadata.labels?.[k] ?? '<missing>'}`).join(',');
    fix = `Service ${f.namespace}/${f.name}: set spec.selector to ${theirs}, or give ${ownerOf(best.pod, f.replicaSets)} the labels ${sel}`;
  } else if (f.podsElsewhere[0]) {
    fix = `create the Service in namespace ${f.podsElsewhere[0].metadata.namespace ?? ''}, or run the pods in ${f.namespace}`;
  } else {
    fix = `create pods labelled ${sel} in namespace ${f.namespace} (e.g. a Deployment whose pod template has these labels), or correct the Service's selector`;
  }
  return { mark: 'problem', blocking: true, text, fix, details };
}

function podFindings(f: WhyFacts, svc: WhyService, pods: WhyPod[], results: Results): Finding[] {
  const ready = pods.filter(isRunningReady);
  const out: Finding[] = [];
  const where = (p: WhyPod): string => `${podName(p)} (${podIPs(p)[0] ?? 'no IP'}, ${p.spec?.nodeName ?? 'no node'})`;
  const head = `pods: ${ready.length} of ${pods.length} Running and Ready${ready.length > 0 ? `: ${ready.map(where).join(', ')}` : ''}`;
  const blocking = ready.length === 0 && !svc.spec?.publishNotReadyAddresses;
  out.push({ mark: ready.length === pods.length ? 'ok' : ready.length > 0 ? 'note' : 'problem', text: head, ...(blocking ? { blocking } : {}) });
  if (svc.spec?.publishNotReadyAddresses) out.push({ mark: 'note', text: 'publishNotReadyAddresses: the Service sends to pods whether they are Ready or not' });
  for (const pod of pods.filter((p) => !isRunningReady(p))) {
    const causes = podCauses(pod, {
      owner: ownerOf(pod, f.replicaSets),
      events: f.events,
      ...(f.nodes.find((n) => n.name === pod.spec?.nodeName) ? { node: f.nodes.find((n) => n.name === pod.spec?.nodeName) } : {}),
      probeTry: (c) => {
        const check = probeCheck(f, pod, c);
        const result = check ? results.get(checkKey(check)) : undefined;
        return check && result ? { where: f.nodes.find((n) => n.netns === check.where)?.name ?? check.where, result } : undefined;
      },
    });
    for (const c of causes) out.push({ mark: 'problem', text: c.text, fix: c.fix, ...(c.summary ? { summary: c.summary } : {}), ...(blocking ? { blocking } : {}) });
  }
  return out;
}

function declaredPorts(pod: WhyPod): string {
  const ports = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => (p.name ? `${p.name} ${p.containerPort}` : String(p.containerPort))));
  return ports.length > 0 ? ports.join(', ') : 'no ports';
}

function portFindings(f: WhyFacts, sp: WhyServicePort, pods: WhyPod[], results: Results): Finding[] {
  const svcRef = `Service ${f.namespace}/${f.name} port ${sp.name ? `${sp.name} ` : ''}${sp.port}`;
  const live = pods.filter((p) => !isPodTerminal(p));
  const target = sp.targetPort ?? sp.port;
  const named = typeof target === 'string' && !/^\d+$/.test(target);
  if (named) {
    const lacking = live.filter((p) => findPort(p, sp) === undefined);
    if (lacking.length > 0) {
      const have = lacking.map((p) => `${podName(p)} has ${declaredPorts(p)}`).join('; ');
      const example = lacking[0]?.spec?.containers?.flatMap((c) => c.ports ?? [])[0];
      const suggestion = example ? `set targetPort to ${example.name ? `"${example.name}" or ` : ''}${example.containerPort}` : 'set targetPort to the number the app listens on';
      return [{
        mark: 'problem',
        blocking: lacking.length === live.length,
        text: `${svcRef}: targetPort "${target}" is no containerPort name on ${lacking.length === live.length ? 'any matching pod' : `${lacking.length} of ${live.length} pods`} (${have})`,
        fix: `${svcRef}: ${suggestion}, or name the container port "${target}" in ${ownerOf(lacking[0] as WhyPod, f.replicaSets)}`,
        summary: `targetPort "${target}" of port ${sp.port} is no containerPort name of the pods`,
      }];
    }
  }
  const tried = targetPortChecks(f, sp).map((x) => ({ ...x, result: results.get(checkKey(x.check)) }));
  const resolved = [...new Set(live.map((p) => findPort(p, sp)).filter((n): n is number => n !== undefined))];
  const head = `${svcRef} -> targetPort ${named ? `"${target}" = ${resolved.join('/')}` : resolved.join('/') || String(target)} on ${live.length} pod(s)`;
  if ((sp.protocol ?? 'TCP') !== 'TCP') return [{ mark: 'note', text: `${head}; listening not checked (${sp.protocol ?? ''})` }];
  if (!f.cluster.root || tried.length === 0) return [{ mark: 'note', text: `${head}; listening not checked${f.cluster.root ? ' (no pod with all containers running on a real node)' : ' (needs root)'}` }];
  const open = tried.filter((t) => t.result?.outcome === 'ok');
  const bad = tried.filter((t) => t.result?.outcome !== 'ok');
  const seen = (t: (typeof tried)[number]): string => `${t.check.host}:${t.check.port} (${podName(t.pod)}) ${t.result ? describeOutcome(t.result) : 'not tried'}`;
  if (bad.length === 0) return [{ mark: 'ok', text: `${head}; something listens there: ${tried.map(seen).join(', ')}` }];
  const first = bad[0]?.pod as WhyPod;
  return [{
    mark: 'problem',
    blocking: open.length === 0,
    text: `${head}; nothing answers on ${bad.map(seen).join(', ')} (the pods declare: ${declaredPorts(first)})`,
    fix: `${svcRef}: set targetPort to the port the app listens on, or make the app in ${ownerOf(first, f.replicaSets)} listen on ${bad[0]?.check.port ?? ''}`,
    summary: `nothing listens on targetPort ${bad[0]?.check.port ?? ''} of the pods (they declare: ${declaredPorts(first)})`,
  }];
}

/** IPs the Service should send to: ready matching pods (all running ones with publishNotReadyAddresses). */
function expectedIPs(f: WhyFacts, svc: WhyService, pods: WhyPod[]): string[] {
  const chosen = svc.spec?.publishNotReadyAddresses ? pods.filter((p) => !isPodTerminal(p)) : pods.filter(isRunningReady);
  return [...new Set(chosen.flatMap((p) => podIPs(p)))].sort();
}

/** The ready addresses on the Service's EndpointSlices. */
function readyAddresses(f: WhyFacts): string[] {
  const out = new Set<string>();
  for (const s of f.slices) for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const a of e.addresses) out.add(a);
  return [...out].sort();
}

/** The EndpointSlices' ready addresses are the ready matching pods' IPs. */
export function slicesAgree(f: WhyFacts): boolean {
  if (!f.service) return true;
  const { missing, extra } = compareAddresses(readyAddresses(f), expectedIPs(f, f.service, matchingPods(f)));
  return missing.length === 0 && extra.length === 0;
}

export function compareAddresses(onSlices: string[], expected: string[]): { missing: string[]; extra: string[] } {
  return { missing: expected.filter((ip) => !onSlices.includes(ip)), extra: onSlices.filter((ip) => !expected.includes(ip)) };
}

function sliceFinding(f: WhyFacts, svc: WhyService, pods: WhyPod[]): Finding {
  const names = f.slices.map((s) => s.metadata.name ?? '');
  if (f.slices.length === 0) {
    return { mark: 'problem', blocking: true, text: `no EndpointSlices labelled ${labelServiceName}=${f.name}`, fix: `the endpointslice controller: run why again; if it persists see ${f.cluster.dataDir}/switchboard.log` };
  }
  const onSlices = readyAddresses(f);
  const expected = expectedIPs(f, svc, pods);
  const notReady = f.slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === false).flatMap((e) => e.addresses));
  const tail = notReady.length > 0 ? `; not ready: ${notReady.join(', ')}` : '';
  const { missing, extra } = compareAddresses(onSlices, expected);
  if (missing.length === 0 && extra.length === 0) {
    return { mark: onSlices.length > 0 ? 'ok' : 'note', text: `EndpointSlice ${names.join(', ')}: ready ${list(onSlices)}${onSlices.length > 0 ? ' = the ready pods\' IPs' : ' (no ready pod matches)'}${tail}` };
  }
  const parts = [missing.length > 0 ? `ready pods missing from them: ${missing.join(', ')}` : '', extra.length > 0 ? `ready on them but no ready matching pod: ${extra.join(', ')}` : ''].filter(Boolean);
  return {
    mark: 'problem',
    blocking: onSlices.length === 0,
    text: `EndpointSlice ${names.join(', ')}: ready ${list(onSlices)}; ${parts.join('; ')}`,
    fix: `the endpointslice controller has not caught up: run why again; if it persists see ${f.cluster.dataDir}/switchboard.log`,
  };
}

function selectorlessFindings(f: WhyFacts, results: Results): Finding[] {
  const fromEndpoints = (f.endpoints?.subsets ?? []).flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port ?? '?'}`)));
  const slices = f.slices.map((s) => {
    const ready = (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses);
    const ports = (s.ports ?? []).map((p) => p.port ?? '?').join('/');
    return `${s.metadata.name ?? ''} (${ready.length > 0 ? `${ready.join(', ')} port ${ports}` : 'no ready addresses'})`;
  });
  const head = 'no selector: no pods are picked; the Endpoints/EndpointSlices are written by hand (or by a component)';
  if (fromEndpoints.length === 0 && readyAddresses(f).length === 0) {
    return [{ mark: 'problem', blocking: true, text: `${head}, and there are none (no Endpoints or EndpointSlice with addresses)`, fix: `write Endpoints ${f.namespace}/${f.name} (or an EndpointSlice labelled ${labelServiceName}=${f.name}) with the backends' addresses, or give the Service a selector` }];
  }
  const out: Finding[] = [{ mark: 'ok', text: `${head}: Endpoints ${f.namespace}/${f.name}: ${list(fromEndpoints)}; EndpointSlices: ${list(slices)}` }];
  const tried = selectorlessChecks(f).map((x) => ({ ...x, result: results.get(checkKey(x.check)) }));
  const bad = tried.filter((t) => t.result?.outcome !== 'ok');
  if (tried.length > 0) {
    const text = `TCP connection to the hand-written addresses: ${tried.map((t) => `${t.address}:${t.port} ${t.result ? describeOutcome(t.result) : 'not tried'}`).join(', ')}`;
    out.push(bad.length === 0 ? { mark: 'ok', text } : { mark: 'problem', blocking: bad.length === tried.length, text, fix: `Endpoints ${f.namespace}/${f.name}: list addresses and ports where the backends listen` });
  }
  return out;
}

function verdict(f: WhyFacts, findings: Finding[], readyCount: number): { verdict: string; exitCode: 0 | 1 } {
  const who = `${f.namespace}/${f.name}`;
  const blockers = findings.filter((x) => x.mark === 'problem' && x.blocking);
  const blocking = blockers.find((x) => x.fix) ?? blockers[0];
  const problems = findings.filter((x) => x.mark === 'problem').length;
  if (!blocking && readyCount > 0) {
    const what = f.service && hasSelector(f.service) ? 'pod(s)' : 'endpoint(s)';
    return { verdict: `verdict: ${who} reaches ${readyCount} ready ${what}${problems > 0 ? ` (${problems} problem(s) above)` : ''}`, exitCode: 0 };
  }
  const reason = blocking ? (blocking.summary ?? blocking.text) : 'no ready endpoint';
  return { verdict: `verdict: ${who} does not reach a ready pod: ${reason}`, exitCode: 1 };
}

/** The report as the terminal shows it. */
export function render(report: Report): string {
  const lines = [report.title];
  for (const x of report.findings) {
    lines.push(`  ${x.mark.padEnd(8)} ${x.text}`);
    for (const d of x.details ?? []) lines.push(`           ${d}`);
    if (x.fix) lines.push(`           fix: ${x.fix}`);
  }
  lines.push(report.verdict);
  return `${lines.join('\n')}\n`;
}
