/**
 * Pure pieces of `switchboard why` about pods: how far a pod's labels are from a selector,
 * which object owns a pod (the one to fix), and why a pod is not Ready.
 */
import { isPodReady, isPodTerminal, isPodTerminating, podIPs } from '../controllers/endpointslice/pods.js';
import type { CheckResult, WhyContainer, WhyContainerStatus, WhyEvent, WhyNode, WhyPod, WhyProbe, WhyReplicaSet } from './why-types.js';

export interface LabelDiff {
  /** Selector pairs the pod has. */
  matched: number;
  /** Selector keys the pod has no label for. */
  missing: string[];
  /** Selector keys whose value differs on the pod. */
  differing: { key: string; want: string; have: string }[];
}

export function labelDiff(selector: Record<string, string>, labels: Record<string, string> | undefined): LabelDiff {
  const diff: LabelDiff = { matched: 0, missing: [], differing: [] };
  for (const [key, want] of Object.entries(selector)) {
    const have = labels?.[key];
    if (have === undefined) diff.missing.push(key);
    else if (have !== want) diff.differing.push({ key, want, have });
    else diff.matched++;
  }
  return diff;
}

/** The pods whose labels come closest to the selector: most pairs matched, then fewest differences. */
export function closestPods(selector: Record<string, string>, pods: WhyPod[], limit = 3): { pod: WhyPod; diff: LabelDiff }[] {
  const wrong = (d: LabelDiff): number => d.missing.length + d.differing.length;
  return pods
    .map((pod) => ({ pod, diff: labelDiff(selector, pod.metadata.labels) }))
    .filter((x) => wrong(x.diff) > 0)
    .sort((a, b) => b.diff.matched - a.diff.matched || a.diff.differing.length - b.diff.differing.length || wrong(a.diff) - wrong(b.diff) || name(a.pod).localeCompare(name(b.pod)))
    .slice(0, limit);
}

/** `pod backend-7d9c: app=backend-v2, the Service wants app=backend; no label tier, the Service wants tier=web` */
export function describeMismatch(podName: string, diff: LabelDiff, selector: Record<string, string>): string {
  const parts = [
    ...diff.differing.map((d) => `${d.key}=${d.have}, the Service wants ${d.key}=${d.want}`),
    ...diff.missing.map((k) => `no label ${k}, the Service wants ${k}=${selector[k] ?? ''}`),
  ];
  return `pod ${podName}: ${parts.join('; ')}`;
}

export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? pairs.join(',') : '(no labels)';
}

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** Names close to `wanted`: a few edits away, or one containing the other. Closest first. */
export function similarNames(wanted: string, names: string[], limit = 5): string[] {
  const w = wanted.toLowerCase();
  const scored = names
    .filter((n) => n !== wanted)
    .map((n) => {
      const l = n.toLowerCase();
      const d = editDistance(w, l);
      const contains = w.length >= 3 && l.length >= 3 && (l.includes(w) || w.includes(l));
      return { n, d, close: d <= Math.max(2, Math.floor(w.length / 3)) || contains };
    })
    .filter((x) => x.close)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, limit).map((x) => x.n);
}

const name = (o: { metadata: { name?: string } }): string => o.metadata.name ?? '';

/** The object a user edits to change this pod: its Deployment (through the ReplicaSet), other controller, or the pod itself. */
export function ownerOf(pod: WhyPod, replicaSets: WhyReplicaSet[]): string {
  const ns = pod.metadata.namespace ?? '';
  const ref = pod.metadata.ownerReferences?.find((r) => r.controller) ?? pod.metadata.ownerReferences?.[0];
  if (!ref) return `Pod ${ns}/${name(pod)}`;
  if (ref.kind === 'ReplicaSet') {
    const rsOwner = replicaSets.find((rs) => rs.name === ref.name)?.owner;
    if (rsOwner) return `${rsOwner.kind} ${ns}/${rsOwner.name} (pod template)`;
  }
  return `${ref.kind} ${ns}/${ref.name} (pod template)`;
}

export function isRunningReady(pod: WhyPod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod) && !isPodTerminating(pod) && podIPs(pod).length > 0;
}

/** The number a container port reference names (a number, or a containerPort name). */
export function resolveContainerPort(container: WhyContainer, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** `httpGet http://:5000/healthy`; a named port shows its number when the container declares it. */
export function describeProbe(probe: WhyProbe, container?: WhyContainer): string {
  const port = (p: number | string): string => String((container ? resolveContainerPort(container, p) : undefined) ?? p);
  const named = (p: number | string): string => (typeof p === 'string' && port(p) !== p ? ` (port ${p})` : '');
  if (probe.httpGet) return `httpGet ${(probe.httpGet.scheme ?? 'HTTP').toLowerCase()}://:${port(probe.httpGet.port)}${probe.httpGet.path ?? '/'}${named(probe.httpGet.port)}`;
  if (probe.tcpSocket) return `tcpSocket :${port(probe.tcpSocket.port)}${named(probe.tcpSocket.port)}`;
  if (probe.exec) return `exec ${JSON.stringify(probe.exec.command ?? [])}`;
  if (probe.grpc) return `grpc :${probe.grpc.port}`;
  return 'probe';
}

export function describeOutcome(r: CheckResult): string {
  if (r.status !== undefined) return `HTTP ${r.status}`;
  switch (r.outcome) {
    case 'ok':
      return 'connected';
    case 'refused':
      return 'connection refused';
    case 'timeout':
      return 'no answer within 2 s';
    case 'error':
      return r.detail ?? 'error';
  }
}

/** A probe try counts as kubelet counts it: HTTP 200-399, or a TCP connection. */
export function probePassed(r: CheckResult): boolean {
  return r.status !== undefined ? r.status >= 200 && r.status < 400 : r.outcome === 'ok';
}

export interface PodCause {
  text: string;
  fix: string;
  /** Shorter, for the verdict. */
  summary?: string;
}

export interface PodContext {
  owner: string;
  events: WhyEvent[];
  node?: WhyNode;
  /** Our own try of a container's readiness probe from the pod's node, if one was made. */
  probeTry?: (container: WhyContainer) => { where: string; result: CheckResult } | undefined;
}

/** Why a pod is not a ready endpoint: one cause per container or pod-level condition. */
export function podCauses(pod: WhyPod, ctx: PodContext): PodCause[] {
  const ns = pod.metadata.namespace ?? '';
  const podName = name(pod);
  if (isPodTerminating(pod)) return [{ text: `pod ${podName} is being deleted`, fix: `wait for its replacement, or see why ${ctx.owner} does not make one` }];
  if (isPodTerminal(pod)) {
    const why = [pod.status?.reason, pod.status?.message].filter(Boolean).join(': ');
    return [{ text: `pod ${podName} has finished (phase ${pod.status?.phase ?? '?'}${why ? `, ${why}` : ''}); Services only send to running pods`, fix: `${ctx.owner}: a pod that serves must keep running (check its command and restartPolicy)` }];
  }
  if (!pod.spec?.nodeName) {
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const sched = latestEvent(ctx.events, podName, ['FailedScheduling']);
    const why = sched ?? ([cond?.reason, cond?.message].filter(Boolean).join(': ') || 'no node has taken it yet');
    return [{ text: `pod ${podName} is Pending, not scheduled: ${why}`, fix: 'give the cluster nodes (switchboard up --nodes N), or relax the pod\'s nodeSelector/affinity/tolerations' }];
  }
  const causes: PodCause[] = [];
  if (ctx.node && !ctx.node.ready) causes.push({ text: `pod ${podName} runs on node ${ctx.node.name}, which is NotReady`, fix: `node ${ctx.node.name}: its agent stopped reporting; restart the cluster (switchboard down, up)` });
  const statuses = pod.status?.containerStatuses ?? [];
  for (const container of pod.spec?.containers ?? []) {
    const status = statuses.find((s) => s.name === container.name);
    if (status?.ready) continue;
    causes.push(containerCause(pod, container, status, ctx, ns));
  }
  if (causes.length === 0) {
    const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
    causes.push({ text: `pod ${podName} is not Ready${cond?.reason ? ` (${cond.reason}${cond.message ? `: ${cond.message}` : ''})` : ''}`, fix: 'wait a moment and run why again' });
  }
  return causes;
}

function containerCause(pod: WhyPod, c: WhyContainer, s: WhyContainerStatus | undefined, ctx: PodContext, ns: string): PodCause {
  const podName = name(pod);
  const where = `container ${c.name} of pod ${podName}`;
  const waiting = s?.state?.waiting;
  const last = s?.lastState?.terminated;
  const restarts = s?.restartCount ?? 0;
  if (waiting?.reason === 'CrashLoopBackOff' || (restarts > 0 && !s?.state?.running)) {
    const exit = last ? `last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : 'it keeps exiting';
    return {
      text: `${where} is crash-looping: ${exit}, ${restarts} restart(s)`,
      fix: `${ctx.owner}: container ${c.name} exits; see kubectl logs -n ${ns} ${podName} -c ${c.name} --previous, then fix its command, args or env`,
    };
  }
  if (waiting && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
    const text = `${where} is waiting: ${waiting.reason ?? '?'}${waiting.message ? `: ${waiting.message}` : ''}`;
    const image = /Image|InvalidImageName/.test(waiting.reason ?? '');
    return {
      text,
      summary: `${where} is waiting: ${waiting.reason ?? '?'}`,
      fix: image
        ? `${ctx.owner}: container ${c.name}: use an image Switchboard's catalogue knows, or give the container a command`
        : `${ctx.owner}: container ${c.name}: ${waiting.message ?? waiting.reason ?? 'see kubectl describe pod'}`,
    };
  }
  if (waiting || !s) return { text: `${where} is still starting (${waiting?.reason ?? 'no status yet'})`, fix: 'wait a moment and run why again' };
  if (s.state?.terminated) {
    const t = s.state.terminated;
    return { text: `${where} has exited: code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`, fix: `${ctx.owner}: container ${c.name}: see kubectl logs -n ${ns} ${podName} -c ${c.name}` };
  }
  if (c.startupProbe && s.started === false) {
    return { text: `${where} is running but its startup probe (${describeProbe(c.startupProbe, c)}) has not passed yet`, fix: `${ctx.owner}: container ${c.name}: check startupProbe against what the app serves` };
  }
  const probe = c.readinessProbe;
  if (!probe) return { text: `${where} is running but not ready yet`, fix: 'wait a moment and run why again' };
  const event = latestEvent(ctx.events, podName, ['Unhealthy'], /readiness/i);
  const tried = ctx.probeTry?.(c);
  const seen = [event ? `event: ${event}` : '', tried ? `from ${tried.where}: ${describeOutcome(tried.result)}` : ''].filter(Boolean).join('; ');
  if (tried && probePassed(tried.result)) {
    return { text: `${where} is not ready, but its readiness probe (${describeProbe(probe, c)}) passes now (${seen})`, fix: 'it should turn Ready after the probe\'s successThreshold: run why again in a few seconds' };
  }
  return {
    text: `${where} is running but its readiness probe fails: ${describeProbe(probe, c)}${seen ? ` (${seen})` : ''}`,
    summary: `the readiness probe of ${where} fails${tried ? ` (${describeOutcome(tried.result)})` : ''}`,
    fix: `${ctx.owner}: container ${c.name}: ${probeFix(probe, tried?.result)}`,
  };
}

function probeFix(probe: WhyProbe, r: CheckResult | undefined): string {
  if (probe.httpGet && r?.status !== undefined) return `readinessProbe.httpGet path ${probe.httpGet.path ?? '/'} answers ${r.status}: point it at a path that answers 200-399, or make the app answer there`;
  if (r && (r.outcome === 'refused' || r.outcome === 'timeout')) return `nothing answers on the probe's port ${probe.httpGet?.port ?? probe.tcpSocket?.port ?? ''}: set readinessProbe's port to the port the app listens on`;
  return `readinessProbe (${describeProbe(probe)}): make it match what the app serves`;
}

/** The message of the newest event of one of these reasons about this pod. */
export function latestEvent(events: WhyEvent[], podName: string, reasons: string[], message?: RegExp): string | undefined {
  const when = (e: WhyEvent): string => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
  const hits = events
    .filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === podName && reasons.includes(e.reason ?? '') && (!message || message.test(e.message ?? '')))
    .sort((a, b) => when(b).localeCompare(when(a)));
  return hits[0]?.message;
}
