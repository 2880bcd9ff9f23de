/**
 * One pod on a real node: its network namespace and address, the files its containers see
 * (`/etc/hosts`, `/etc/resolv.conf`, written under the data directory), its init containers
 * run one after another to completion, then its containers, restarted per restartPolicy with
 * the kubelet's back-off (10 s doubling to 5 min, reset after 10 min of running). A container's
 * postStart hook runs as it starts (it is not running, nor probed, until the hook ends; a
 * failed hook kills it); stopping a container runs its preStop hook, then SIGTERM, then SIGKILL
 * when the grace period is over (`lifecycle.ts`). The status of each container is kept here
 * for the agent to report, and what happens to it is recorded as the kubelet's Events
 * (`events.ts`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { Logger } from '../../lib/log.js';
import type { ClusterNetwork, NodeNetwork } from '../../sandbox/network.js';
import { containerEnv, expandCommandAndArgs, hostnameOf, hostsFile, resolvConf, type ContainerSpec } from '../podspec/index.js';
import { ContainerProcess, type ContainerExit, type PodNamespaces } from './container.js';
import { containerEvents, containerFieldPath, sandboxFailed, type PodEvent, type ProbeKind } from './events.js';
import { resolveContainer, type ImageEntry } from './images.js';
import { lifecycleOf, runHook, runPreStop, terminationWindowMs, type LifecycleHandler } from './lifecycle.js';
import { probeOf, Prober, type ProbeTarget } from './probes.js';
import type net from 'node:net';

export interface PodRuntimeContext {
  network: ClusterNetwork;
  node: NodeNetwork;
  /** Per-pod files go to `<podsDir>/<uid>/`. */
  podsDir: string;
  catalogue: ImageEntry[];
  /** The log stamper binary (per-line times for `kubectl logs --timestamps`), if built. */
  stamper?: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** What `dnsPolicy: Default` pods get: the node's resolver, which in the sandbox is the cluster DNS. */
  nodeResolvConf: string;
  log: Logger;
  /** A TCP connection from the node to a pod address (probes). */
  connect(host: string, port: number): Promise<net.Socket>;
  /** Called whenever a container changes state, so the pod's status is written again. */
  onChange: () => void;
  /** Records an Event about the pod (best effort; never waits). */
  recordEvent(pod: KubeObject, e: PodEvent): void;
}

export interface Terminated {
  exitCode: number;
  reason: string;
  signal?: number;
  startedAt: string;
  finishedAt: string;
}

export interface ContainerView {
  name: string;
  image: string;
  restartCount: number;
  state: { running: { startedAt: string } } | { waiting: { reason: string; message?: string } } | { terminated: Terminated };
  lastState?: { terminated: Terminated };
  started: boolean;
  /** Running, started, and its readiness probe (if any) passes. */
  ready: boolean;
}

interface Slot {
  spec: ContainerSpec & { name: string; image?: string; workingDir?: string };
  proc?: ContainerProcess;
  restartCount: number;
  waiting?: { reason: string; message?: string };
  terminated?: Terminated;
  last?: Terminated;
  failures: number;
  timer?: NodeJS.Timeout;
  probes?: { startup?: Prober; readiness?: Prober; liveness?: Prober };
  /** Set while the postStart hook runs (aborts it), and left set when it failed. */
  postStart?: AbortController;
  /** The stop under way for `proc` (preStop, SIGTERM, SIGKILL), so that it runs once. */
  killing?: { proc: ContainerProcess; done: Promise<void> };
}

const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long before failing starts its back-off afresh. */
const BACKOFF_RESET_MS = 600_000;

function containersOf(spec: unknown, field: 'containers' | 'initContainers'): Slot['spec'][] {
  const list = isRecord(spec) && Array.isArray(spec[field]) ? spec[field] : [];
  return list.filter(isRecord).map((c) => c as unknown as Slot['spec']);
}

export class PodRuntime {
  readonly uid: string;
  readonly ip: string;
  /** `<namespace>/<name>` of the pod this runtime runs. */
  podKey = '';
  private readonly init: Slot[];
  private readonly main: Slot[];
  private readonly restartPolicy: string;
  private readonly dir: string;
  private namespaces?: PodNamespaces;
  private stopping = false;
  private initDone = false;
  /** Set when the pod itself cannot start (its hostname or sandbox failed). */
  private podError?: { reason: string; message: string };

  constructor(private pod: KubeObject, ip: string, private readonly ctx: PodRuntimeContext) {
    this.uid = pod.metadata.uid ?? '';
    this.ip = ip;
    this.dir = join(ctx.podsDir, this.uid);
    this.init = containersOf(pod.spec, 'initContainers').map((spec) => ({ spec, restartCount: 0, failures: 0 }));
    this.main = containersOf(pod.spec, 'containers').map((spec) => ({ spec, restartCount: 0, failures: 0 }));
    this.restartPolicy = isRecord(pod.spec) && typeof pod.spec.restartPolicy === 'string' ? pod.spec.restartPolicy : 'Always';
    for (const slot of [...this.init, ...this.main]) slot.waiting = { reason: 'ContainerCreating' };
  }

  get netns(): string | undefined {
    return this.namespaces?.netns;
  }

  /** The FIFO a `stdin: true` container reads (made once, kept across restarts). */
  stdinFifo(container: string): string {
    const path = join(this.dir, container, 'stdin');
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, container), { recursive: true });
      const made = spawnSync('mkfifo', ['-m', '600', path]);
      if (made.status !== 0) throw new Error(`mkfifo ${path}: ${String(made.stderr).trim()}`);
    }
    return path;
  }

  /** The namespace of the node the pod runs on (connections to the pod start there). */
  get nodeNetns(): string {
    return this.ctx.node.netns;
  }

  /** Whether a container's process runs (without waiting for its pid, see ContainerProcess.pid). */
  isRunning(container: string): boolean {
    return [...this.main, ...this.init].some((s) => s.spec.name === container && s.proc?.running === true);
  }

  /** The pid of a running container (for exec and probes). */
  pidOf(container: string): number | undefined {
    const slot = [...this.main, ...this.init].find((s) => s.spec.name === container);
    return slot?.proc?.running ? slot.proc.pid : undefined;
  }

  /** Creates the sandbox and starts the containers; `services` are the pod's namespace's Services now. */
  async start(services: KubeObject[]): Promise<void> {
    const host = hostnameOf(this.pod, { clusterDomain: this.ctx.clusterDomain });
    if (!host.ok) return this.fail(host.error.reason, host.error.message);
    const hosts = hostsFile(this.pod, { podIPs: [this.ip], clusterDomain: this.ctx.clusterDomain });
    if (!hosts.ok) return this.fail(hosts.error.reason, hosts.error.message);
    const resolv = resolvConf(this.pod, { clusterDNS: this.ctx.clusterDNS, clusterDomain: this.ctx.clusterDomain, hostResolvConf: this.ctx.nodeResolvConf });
    mkdirSync(this.dir, { recursive: true });
    const hostsPath = join(this.dir, 'hosts');
    const resolvPath = join(this.dir, 'resolv.conf');
    writeFileSync(hostsPath, hosts.value, { mode: 0o644 });
    writeFileSync(resolvPath, resolv.content, { mode: 0o644 });
    // The kubelet retries a failed sandbox; a few tries cover a namespace still going away.
    for (let attempt = 1; ; attempt++) {
      try {
        const net = await this.ctx.network.addPod(this.ctx.node, this.uid, this.ip);
        this.namespaces = { netns: net.netns, hostname: host.value.kernelHostname, hostsFile: hostsPath, resolvConfFile: resolvPath };
        break;
      } catch (err) {
        if (attempt < 3 && !this.stopping) {
          await new Promise((r) => setTimeout(r, 300 * attempt));
          continue;
        }
        return this.fail('CreatePodSandboxError', `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.services = services;
    this.advance();
  }

  private services: KubeObject[] = [];

  /** Init containers one at a time, then every container. */
  private advance(): void {
    if (this.stopping) return;
    if (!this.initDone) {
      const next = this.init.find((s) => s.terminated?.exitCode !== 0);
      if (next) {
        if (!next.proc?.running && !next.timer) this.launch(next, true);
        return;
      }
      this.initDone = true;
    }
    for (const slot of this.main) if (!slot.proc && !slot.timer && !slot.terminated) this.launch(slot, false);
  }

  private fail(reason: string, message: string): void {
    this.podError = { reason, message };
    for (const slot of [...this.init, ...this.main]) slot.waiting = { reason, message };
    this.ctx.log.warn({ pod: this.pod.metadata.name, reason, message }, 'pod cannot start');
    this.emit(undefined, sandboxFailed(message));
    this.ctx.onChange();
  }

  private launch(slot: Slot, isInit: boolean): void {
    const ns = this.namespaces;
    if (!ns) return;
    const env = containerEnv(this.pod, slot.spec, { services: this.services, podIPs: [this.ip], hostIPs: [this.ctx.node.address], nodeName: this.nodeName() });
    if (!env.ok) return this.wait(slot, env.error.reason, env.error.message);
    const expanded = expandCommandAndArgs(slot.spec, env.value.env);
    const resolved = resolveContainer({ ...(slot.spec.image === undefined ? {} : { image: slot.spec.image }), command: expanded.command, args: expanded.args }, this.ctx.catalogue);
    if ('waiting' in resolved) return this.wait(slot, resolved.waiting.reason, resolved.waiting.message);
    this.emit(slot, containerEvents.pulled(slot.spec.image ?? '', resolved.program));
    const vars: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: ns.hostname, HOME: '/root' };
    for (const v of env.value.env) vars[v.name] = v.value;
    const logPath = join(this.dir, slot.spec.name, `${slot.restartCount}.log`);
    const io = slot.spec as { stdin?: boolean; tty?: boolean };
    const stdinPath = io.stdin ? this.stdinFifo(slot.spec.name) : undefined;
    const proc = ContainerProcess.start(ns, {
      argv: resolved.argv,
      env: vars,
      ...(slot.spec.workingDir ? { workingDir: slot.spec.workingDir } : {}),
      logPath,
      ...(stdinPath ? { stdinPath } : {}),
      ...(io.tty ? { tty: true } : {}),
      ...(this.ctx.stamper ? { stamper: this.ctx.stamper } : {}),
    });
    slot.proc = proc;
    this.emit(slot, containerEvents.created(slot.spec.name));
    void proc.started.then(() => this.emit(slot, containerEvents.started(slot.spec.name)));
    slot.waiting = undefined;
    slot.terminated = undefined;
    slot.postStart = undefined;
    // Init containers have no lifecycle hooks (the API allows them only on sidecars).
    const postStart = isInit ? undefined : lifecycleOf(slot.spec).postStart;
    if (postStart) this.runPostStart(slot, proc, postStart);
    // Probes start once the process is in its namespaces (so exec probes never wait on its pid).
    else if (!isInit) void proc.started.then(() => (slot.proc === proc && proc.running && !this.stopping ? this.startProbes(slot, proc) : undefined));
    this.ctx.onChange();
    void proc.exited.then((exit) => this.exited(slot, proc, exit, isInit));
  }

  /** What probes and hooks of this container run against. */
  private targetOf(slot: Slot, proc: ContainerProcess): ProbeTarget {
    const namedPorts = new Map<string, number>();
    for (const p of (slot.spec as { ports?: { name?: string; containerPort?: number }[] }).ports ?? []) {
      if (p.name && p.containerPort) namedPorts.set(p.name, p.containerPort);
    }
    return { podIP: this.ip, namedPorts, connect: (h, port) => this.ctx.connect(h, port), pid: () => (proc.running ? proc.pid : undefined) };
  }

  /**
   * The container counts as running (and its probes start) once the hook succeeds. A failed
   * hook kills it (preStop included), and it restarts per restartPolicy, with a
   * FailedPostStartHook event as the kubelet records.
   */
  private runPostStart(slot: Slot, proc: ContainerProcess, handler: LifecycleHandler): void {
    const abort = new AbortController();
    slot.postStart = abort;
    void proc.exited.then(() => abort.abort(new Error('the container exited')));
    void proc.started.then(() => runHook(handler, this.targetOf(slot, proc), abort.signal)).then((result) => {
      if (this.stopping || !proc.running || slot.proc !== proc) return;
      if (result.ok) {
        slot.postStart = undefined;
        this.startProbes(slot, proc);
        return;
      }
      this.ctx.log.warn({ pod: this.podKey, container: slot.spec.name, reason: 'FailedPostStartHook', message: result.message }, 'postStart hook failed; killing the container');
      this.emit(slot, containerEvents.hookFailed('PostStart', result.message));
      void this.killContainer(slot, proc, this.graceMs(), containerEvents.postStartKill());
    });
  }

  /**
   * Stops one container as the kubelet does: preStop (if any, and if there is grace left)
   * for at most the grace period, then SIGTERM, then SIGKILL after what is left of the grace
   * period (at least 2 s). Runs once per process; a second call waits for the first.
   */
  private killContainer(slot: Slot, proc: ContainerProcess, graceMs: number, killing: PodEvent): Promise<void> {
    if (slot.killing?.proc === proc) return slot.killing.done;
    if (proc.running) this.emit(slot, killing);
    const done = (async () => {
      const preStop = this.init.includes(slot) ? undefined : lifecycleOf(slot.spec).preStop;
      let preStopMs = 0;
      if (preStop && graceMs > 0 && proc.running) {
        const outcome = await runPreStop(preStop, this.targetOf(slot, proc), graceMs, proc.exited);
        preStopMs = outcome.elapsedMs;
        const fields = { pod: this.podKey, container: slot.spec.name };
        if (outcome.timedOut) this.ctx.log.info({ ...fields, graceMs }, 'preStop hook still running when the grace period ended');
        else if (outcome.result && !outcome.result.ok) {
          this.ctx.log.warn({ ...fields, reason: 'FailedPreStopHook', message: outcome.result.message }, 'preStop hook failed');
          this.emit(slot, containerEvents.hookFailed('PreStop', outcome.result.message));
        }
      }
      await proc.stop(terminationWindowMs(graceMs, preStopMs));
    })();
    slot.killing = { proc, done };
    return done;
  }

  /**
   * Startup first; once it passes (or without one), readiness and liveness. A failing startup
   * or liveness probe kills the container (with the probe's terminationGracePeriodSeconds when
   * it has one), which then restarts per restartPolicy.
   */
  private startProbes(slot: Slot, proc: ContainerProcess): void {
    const target = this.targetOf(slot, proc);
    const kill = (probe: 'startup' | 'liveness', probeGraceSeconds: number | undefined): void => {
      this.ctx.log.info({ pod: this.podKey, container: slot.spec.name, why: `${probe} probe failed` }, 'killing container');
      const graceMs = probeGraceSeconds === undefined ? this.graceMs() : probeGraceSeconds * 1000;
      void this.killContainer(slot, proc, graceMs, containerEvents.probeKill(slot.spec.name, probe));
    };
    const unhealthy = (kind: ProbeKind) => (output: string): void => {
      if (slot.proc === proc && !this.stopping) this.emit(slot, containerEvents.unhealthy(kind, output));
    };
    const probes: NonNullable<Slot['probes']> = {};
    const readiness = probeOf(slot.spec, 'readinessProbe');
    const liveness = probeOf(slot.spec, 'livenessProbe');
    const startup = probeOf(slot.spec, 'startupProbe');
    const startRest = (): void => {
      if (readiness) probes.readiness = new Prober(readiness, target, false, () => this.ctx.onChange(), unhealthy('Readiness'));
      if (liveness) probes.liveness = new Prober(liveness, target, true, (ok) => !ok && kill('liveness', liveness.terminationGracePeriodSeconds), unhealthy('Liveness'));
      probes.readiness?.start();
      probes.liveness?.start();
      this.ctx.onChange();
    };
    if (startup) {
      probes.startup = new Prober(startup, target, false, (ok) => (ok ? startRest() : undefined), unhealthy('Startup'));
      // A startup probe that keeps failing past its threshold kills the container.
      const deadlineMs = ((startup.initialDelaySeconds ?? 0) + (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)) * 1000;
      const timer = setTimeout(() => probes.startup && !probes.startup.ok && proc.running && kill('startup', startup.terminationGracePeriodSeconds), deadlineMs);
      void proc.exited.then(() => clearTimeout(timer));
      probes.startup.start();
    } else {
      startRest();
    }
    slot.probes = probes;
  }

  private stopProbes(slot: Slot): void {
    for (const p of Object.values(slot.probes ?? {})) p?.stop();
    slot.probes = undefined;
  }

  private graceMs(): number {
    const g = isRecord(this.pod.spec) && typeof this.pod.spec.terminationGracePeriodSeconds === 'number' ? this.pod.spec.terminationGracePeriodSeconds : 30;
    return g * 1000;
  }

  private wait(slot: Slot, reason: string, message: string): void {
    slot.waiting = { reason, message };
    this.emit(slot, containerEvents.failed(message));
    this.ctx.onChange();
    // Configuration errors may clear (a ConfigMap created later); look again after a back-off.
    this.retryLater(slot);
  }

  private exited(slot: Slot, proc: ContainerProcess, exit: ContainerExit, isInit: boolean): void {
    const record: Terminated = {
      exitCode: exit.exitCode,
      reason: exit.exitCode === 0 ? 'Completed' : 'Error',
      ...(exit.signal ? { signal: exit.exitCode - 128 } : {}),
      startedAt: proc.startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      finishedAt: exit.finishedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    slot.proc = undefined;
    slot.terminated = record;
    slot.killing = undefined;
    slot.postStart = undefined;
    this.stopProbes(slot);
    if (this.stopping) return this.ctx.onChange();
    const ranMs = exit.finishedAt.getTime() - proc.startedAt.getTime();
    if (ranMs > BACKOFF_RESET_MS) slot.failures = 0;
    const restart = this.restartPolicy === 'Always' ? !isInit || exit.exitCode !== 0 : this.restartPolicy === 'OnFailure' && exit.exitCode !== 0;
    if (restart) {
      slot.last = record;
      slot.terminated = undefined;
      slot.restartCount++;
      this.retryLater(slot);
    } else if (isInit && exit.exitCode === 0) {
      this.advance();
    }
    this.ctx.onChange();
  }

  /** Restarts after the back-off, showing CrashLoopBackOff while it waits (after the first restart). */
  private retryLater(slot: Slot): void {
    const delay = slot.failures === 0 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** (slot.failures - 1));
    slot.failures++;
    if (delay > 0 && !slot.waiting) {
      const pod = `${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`;
      slot.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${slot.spec.name} pod=${pod}` };
      this.emit(slot, containerEvents.backOff(slot.spec.name, pod));
    }
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.stopping) return;
      const isInit = this.init.includes(slot);
      if (isInit || this.initDone) this.launch(slot, isInit);
    }, delay);
  }

  /** An event about the pod, or about one of its containers. */
  private emit(slot: Slot | undefined, e: PodEvent): void {
    this.ctx.recordEvent(this.pod, slot ? { ...e, fieldPath: containerFieldPath(slot.spec.name, this.init.includes(slot)) } : e);
  }

  private nodeName(): string {
    return isRecord(this.pod.spec) && typeof this.pod.spec.nodeName === 'string' ? this.pod.spec.nodeName : '';
  }

  /** The pod object changed (labels, annotations): later env lookups use the new one. */
  update(pod: KubeObject): void {
    this.pod = pod;
  }

  views(): { init: ContainerView[]; main: ContainerView[]; podError?: { reason: string; message: string } } {
    return { init: this.init.map((s) => this.view(s)), main: this.main.map((s) => this.view(s)), ...(this.podError ? { podError: this.podError } : {}) };
  }

  private view(slot: Slot): ContainerView {
    const base = { name: slot.spec.name, image: slot.spec.image ?? '', restartCount: slot.restartCount, ...(slot.last ? { lastState: { terminated: slot.last } } : {}) };
    // A container whose postStart hook has not succeeded still waits, as the kubelet reports it.
    if (slot.proc?.running && slot.postStart) return { ...base, state: { waiting: { reason: 'ContainerCreating' } }, started: false, ready: false };
    if (slot.proc?.running) {
      // A probe declared but not running yet (the process is still entering its namespaces, or
      // a postStart hook runs) has not succeeded: the container is not ready before it has.
      const spec = slot.spec as { startupProbe?: unknown; readinessProbe?: unknown };
      const started = slot.probes?.startup ? slot.probes.startup.ok : !spec.startupProbe;
      const ready = started && (slot.probes?.readiness ? slot.probes.readiness.ok : !spec.readinessProbe);
      return { ...base, state: { running: { startedAt: slot.proc.startedAt.toISOString().replace(/\.\d+Z$/, 'Z') } }, started, ready };
    }
    if (slot.terminated) return { ...base, state: { terminated: slot.terminated }, started: false, ready: false };
    return { ...base, state: { waiting: slot.waiting ?? { reason: 'ContainerCreating' } }, started: false, ready: false };
  }

  /**
   * Stops every container at once, each with the whole grace period for its preStop hook and
   * SIGTERM (`killContainer`), then removes the sandbox. A postStart hook still running is
   * abandoned. As in the kubelet, the grace period is at least 1 s, even for a force deletion.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const slot of [...this.init, ...this.main]) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = undefined;
      this.stopProbes(slot);
      slot.postStart?.abort(new Error('the pod is stopping'));
    }
    const grace = Math.max(1000, graceMs);
    const stopping = (s: Slot): PodEvent => containerEvents.stopping(s.spec.name);
    await Promise.all([...this.init, ...this.main].map((s) => (s.proc?.running ? this.killContainer(s, s.proc, grace, stopping(s)) : undefined)));
    await this.ctx.network.removePod(this.ctx.node, this.uid).catch((err: unknown) => this.ctx.log.warn({ err: String(err), pod: this.pod.metadata.name }, 'could not remove the pod network'));
  }
}
