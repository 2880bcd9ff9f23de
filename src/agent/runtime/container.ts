/**
 * One container: a host process started inside its pod's network namespace, with a UTS and
 * a mount namespace of its own so that its hostname is the pod's and `/etc/hosts` and
 * `/etc/resolv.conf` are the pod's files (bind mounts that never reach the host's view).
 * The process leads its own process group, so a signal reaches everything it started.
 *
 * It is started by one of the spawner's launchers (sandbox/spawner.ts) when one is ready, so
 * this process (the API server's, in `up`) does not fork; else from here.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { shellQuote } from '../../lib/shell.js';
import { isRunning } from '../../sandbox/network.js';
import { sharedSpawner } from '../../sandbox/spawner.js';

export interface PodNamespaces {
  /** The pod's network namespace (a name under /run/netns). */
  netns: string;
  hostname: string;
  hostsFile: string;
  resolvConfFile: string;
}

export interface ContainerLaunch {
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** stdout and stderr are appended here. */
  logPath: string;
  /** A FIFO the container reads as stdin (`stdin: true`); `kubectl attach` writes into it. */
  stdinPath?: string;
  /** `tty: true`: the program runs under `script`, which gives it a terminal. */
  tty?: boolean;
  /**
   * The log stamper (native/log-stamper): output goes through it into the log, and it notes
   * when each line began in `<n>.idx` beside the log (for `kubectl logs --timestamps` and
   * `--since`). Without it the output is appended to the log directly.
   */
  stamper?: string;
}

/** Where a log's line times are kept (see `ContainerLaunch.stamper`). */
export const indexPathOf = (logPath: string): string => logPath.replace(/\.log$/, '.idx');


export interface ContainerExit {
  /** The exit code; 128 + signal number when a signal ended it (as a shell reports it). */
  exitCode: number;
  signal?: string;
  finishedAt: Date;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/**
 * Sets the hostname (in the new UTS namespace), binds the pod's files over the host's, then
 * becomes the container's program. Arguments: hostname, hosts file, resolv.conf, argv...
 */
const ENTER = [
  // Rootless, /proc/sys/kernel/hostname is not writable (only the initial user namespace's
  // root may write it, even in a UTS namespace of one's own); sethostname (`hostname`) works.
  '{ printf %s "$1" > /proc/sys/kernel/hostname; } 2>/dev/null || hostname "$1" || exit 126',
  'mount --bind "$2" /etc/hosts || exit 126',
  'mount --bind "$3" /etc/resolv.conf || exit 126',
  'shift 3',
  'exec "$@"',
].join('\n');

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names the shell itself uses: an environment with one of them is set through `env -i`. */
const SHELL_OWN = new Set(['IFS', 'PPID', 'OPTIND', 'OPTARG', 'LINENO', 'PS1', 'PS2', 'PS4', 'ENV']);

/**
 * What a launcher sources to become what `spawn('nsenter', args, { env, cwd, stdio, detached })`
 * from here gives (a launcher already leads its own session and has an empty environment):
 * stdin from the FIFO (read-write, so it never sees end of file) or /dev/null, the working
 * directory (this process's when none is given; a missing one fails as spawn's ENOENT does,
 * with 127), output appended to the log, exactly `env`, then nsenter.
 */
function launchScript(args: string[], env: Record<string, string>, launch: ContainerLaunch): string {
  const q = shellQuote;
  const vars = Object.entries(env).map(([k, v]) => q(`${k}=${v}`));
  const command = `nsenter ${args.map(q).join(' ')}`;
  const plain = Object.keys(env).every((k) => NAME.test(k) && !SHELL_OWN.has(k));
  const pipe = launch.logPath.replace(/\.log$/, '.pipe');
  const lines = [
    launch.stdinPath ? `exec 0<>${q(launch.stdinPath)}` : 'exec 0</dev/null',
    // cd sets OLDPWD, which spawn's process never had.
    `cd -- ${q(launch.workingDir ?? process.cwd())} 2>/dev/null || exit 127`,
    'unset OLDPWD',
    ...(launch.stamper
      ? [
          // Output into a FIFO the stamper copies to the log. Started from a subshell, so it is
          // not the container's child (a `wait` in a container's shell must not wait for it).
          `rm -f -- ${q(pipe)}; mkfifo -m 600 -- ${q(pipe)} || exit 127`,
          `(${q(launch.stamper)} ${q(pipe)} ${q(launch.logPath)} ${q(indexPathOf(launch.logPath))} </dev/null >/dev/null 2>&1 &)`,
          `exec >${q(pipe)} 2>&1`,
        ]
      : [`exec >>${q(launch.logPath)} 2>&1`]),
    ...(plain ? [...(vars.length > 0 ? [`export ${vars.join(' ')}`] : []), `exec ${command}`] : [`exec env -i ${vars.join(' ')} ${command}`]),
  ];
  return `${lines.join('\n')}\n`;
}

function exitOf(e: { code: number | null; signal: NodeJS.Signals | null }): ContainerExit {
  const exitCode = e.code ?? 128 + (SIGNAL_NUMBERS[e.signal ?? ''] ?? 0);
  return { exitCode, ...(e.signal ? { signal: e.signal } : {}), finishedAt: new Date() };
}

/**
 * The spawner (the launcher's parent) went first, so the exit status is lost: waits for the
 * process to end and reports it as the kubelet reports a container it lost track of (137).
 */
async function lostExit(pid: number): Promise<{ code: number; signal: null }> {
  while (isRunning(pid)) await new Promise((r) => setTimeout(r, 500));
  return { code: 137, signal: null };
}

/** This process's UTS namespace: a container has left it once it is in its own namespaces. */
let ownUts: string | undefined;

/** True once `pid` is in its own namespaces (past `unshare`), or gone. */
function inOwnNamespaces(pid: number): boolean {
  try {
    ownUts ??= readlinkSync('/proc/self/ns/uts');
    return readlinkSync(`/proc/${pid}/ns/uts`) !== ownUts || !isRunning(pid);
  } catch {
    // Unreadable for a moment (in the middle of an exec), or gone.
    return !isRunning(pid);
  }
}

/** The environment each running container was started with, by its pid. */
const environments = new Map<number, Record<string, string>>();

/**
 * The environment of a container's process, as the kubelet gives it to exec, probes and
 * hooks: the one it was started with (its program may have rewritten /proc/<pid>/environ, as
 * nginx does for its process titles), else what /proc shows.
 */
export function environmentOf(pid: number): Record<string, string> {
  const known = environments.get(pid);
  if (known) return known;
  const env: Record<string, string> = {};
  try {
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
  } catch {
    // The process is gone: a command then fails to enter its namespaces anyway.
  }
  return Object.keys(env).length > 0 ? env : { PATH: process.env.PATH ?? '/usr/bin:/bin' };
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** How long `pid` waits, at most, for a container still entering its namespaces. */
const SETTLE_MS = 2000;

export class ContainerProcess {
  readonly startedAt = new Date();
  readonly exited: Promise<ContainerExit>;
  /**
   * Resolves once the process is in its pod's network namespace and its own UTS and mount
   * namespaces, with its environment (or has exited): what `nsenter -t <pid>` and
   * /proc/<pid>/environ then show are the container's.
   */
  readonly started: Promise<void>;
  private done = false;
  private settled = false;

  private constructor(
    private readonly processId: number,
    exited: Promise<ContainerExit>,
    env: Record<string, string>,
  ) {
    if (processId > 0) environments.set(processId, env);
    this.exited = exited.then((e) => {
      this.done = true;
      if (environments.get(processId) === env) environments.delete(processId);
      return e;
    });
    this.started = (async () => {
      while (!this.settled && !this.done && !inOwnNamespaces(processId)) await new Promise((r) => setTimeout(r, 2));
      this.settled = true;
    })();
  }

  /**
   * The container's pid. Read in the first milliseconds (a postStart hook, an exec probe right
   * away), it first waits, blocking, for the process to be in its namespaces (see `started`):
   * until then the pid is still a launcher's or nsenter's, in this process's namespaces.
   */
  get pid(): number {
    if (!this.settled && this.processId > 0) {
      const until = Date.now() + SETTLE_MS;
      while (!inOwnNamespaces(this.processId) && Date.now() < until) Atomics.wait(pause, 0, 0, 2);
      this.settled = inOwnNamespaces(this.processId);
    }
    return this.processId;
  }

  static start(ns: PodNamespaces, launch: ContainerLaunch): ContainerProcess {
    mkdirSync(dirname(launch.logPath), { recursive: true });
    const argv = launch.tty ? ['script', '-qfec', launch.argv.map(shellQuote).join(' '), '/dev/null'] : launch.argv;
    const args = [`--net=/run/netns/${ns.netns}`, '--', 'unshare', '--uts', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', ENTER, 'sh', ns.hostname, ns.hostsFile, ns.resolvConfFile, ...argv];
    const env = launch.tty ? { TERM: 'xterm', ...launch.env } : launch.env;
    // Beside the log; only root reads it (it holds the environment, as /proc/<pid>/environ does).
    const script = `${launch.logPath.replace(/\.log$/, '')}.start`;
    writeFileSync(script, launchScript(args, env, launch), { mode: 0o600 });
    const launcher = sharedSpawner().takeLauncher();
    if (!launcher) return ContainerProcess.spawnHere(script, env);
    launcher.start(script);
    const exited = launcher.exited.then(async (e) => {
      rmSync(script, { force: true });
      return exitOf(e ?? (await lostExit(launcher.pid)));
    });
    return new ContainerProcess(launcher.pid, exited, env);
  }

  /**
   * Runs the launch script from this process (no launcher was ready): a shell in a session of
   * its own with an empty environment, as a launcher is, which then becomes the container.
   */
  private static spawnHere(script: string, env: Record<string, string>): ContainerProcess {
    const child = spawn('/bin/sh', [script], { env: {}, stdio: 'ignore', detached: true });
    const exited = new Promise<ContainerExit>((resolve) => {
      child.once('error', () => resolve({ exitCode: 127, finishedAt: new Date() }));
      child.once('exit', (code, signal) => {
        rmSync(script, { force: true });
        resolve(exitOf({ code, signal }));
      });
    });
    return new ContainerProcess(child.pid ?? -1, exited, env);
  }

  get running(): boolean {
    return !this.done;
  }

  /** Signals the container's whole process group. */
  signal(sig: NodeJS.Signals): void {
    if (this.done || this.processId <= 0) return;
    try {
      process.kill(-this.processId, sig);
    } catch {
      // already gone
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  async stop(graceMs: number): Promise<ContainerExit> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), Math.max(0, graceMs));
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
