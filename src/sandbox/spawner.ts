/**
 * The sandbox's programs (`ip`, `sysctl` through `nsenter`) run from one long-lived small
 * child process (`spawner-child`): a fork of the big `up` process costs about 8 ms and stops
 * its event loop, API server included, and a pod start needs several.
 *
 * Containers start from there too, through launchers: small shells the spawner starts ahead
 * of time, each leading a session of its own, waiting for the path of a script to source.
 * Their pids are known before they are needed, so taking one is synchronous, and the
 * container keeps that pid (the script ends by exec'ing the container's command line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SpawnRequest {
  id: number;
  cmd: string;
  args: string[];
  input?: string;
}

/**
 * Parent to child: keep `count` launchers ready (ending the `retire`d ones, which the parent
 * no longer hands out); or start launcher `pid` on the script at `path`.
 */
export type LauncherRequest = { kind: 'launchers'; count: number; retire: number[] } | { kind: 'launch'; pid: number; path: string };

/** Child to parent: a launcher is ready, or one (used or not) exited. */
export type LauncherEvent = { kind: 'launcher'; pid: number } | { kind: 'exited'; pid: number; code: number | null; signal: NodeJS.Signals | null };

export type SpawnReply = { id: number; code: number; stdout: string; stderr: string } | { id: number; error: string };

/** How a launched process ended; undefined when that cannot be known (the spawner went first). */
export type LauncherExit = { code: number | null; signal: NodeJS.Signals | null } | undefined;

export interface Launcher {
  pid: number;
  /** Has the launcher source the shell script at `path` (which should end with an exec). */
  start(path: string): void;
  exited: Promise<LauncherExit>;
}

/** Launchers kept ready when none were taken lately, and at most during a burst of starts. */
const LAUNCHERS_IDLE = 4;
const LAUNCHERS_MAX = 32;
/** Starts counted for the burst size, and how often the count is looked at again. */
const BURST_WINDOW_MS = 2000;

const childPath = fileURLToPath(new URL('./spawner-child.js', import.meta.url));

export class Spawner {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: SpawnReply) => void>();
  /** Launchers ready to be taken, oldest first. */
  private readonly ready: number[] = [];
  /** Launchers taken, until they exit. */
  private readonly launched = new Map<number, (e: LauncherExit) => void>();
  /** When launchers were taken lately (ms), and the count last asked of the child (0: none yet). */
  private takes: number[] = [];
  private asked = 0;
  private resize?: NodeJS.Timeout;
  private readonly child: ChildProcess;
  private gone = false;

  constructor() {
    this.child = spawn(process.execPath, [childPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child.on('message', (m: SpawnReply | LauncherEvent) => {
      if ('kind' in m) return this.onLauncher(m);
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      this.updateRef();
      done?.(m);
    });
    this.child.on('exit', () => {
      this.gone = true;
      for (const [id, done] of this.waiting) done({ id, error: 'the spawner process exited' });
      this.waiting.clear();
      this.ready.length = 0;
      for (const done of this.launched.values()) done(undefined);
      this.launched.clear();
      if (this.resize) clearTimeout(this.resize);
    });
    this.child.on('error', () => undefined);
    this.child.unref();
    this.channel()?.unref();
  }

  private channel(): { ref(): void; unref(): void } | undefined {
    return this.child.channel as { ref(): void; unref(): void } | undefined;
  }

  /** The channel keeps this process alive while a reply or a launched process is awaited. */
  private updateRef(): void {
    if (this.waiting.size === 0 && this.launched.size === 0) this.channel()?.unref();
    else this.channel()?.ref();
  }

  private onLauncher(m: LauncherEvent): void {
    if (m.kind === 'launcher') {
      this.ready.push(m.pid);
      return;
    }
    const i = this.ready.indexOf(m.pid);
    if (i >= 0) this.ready.splice(i, 1);
    const done = this.launched.get(m.pid);
    this.launched.delete(m.pid);
    this.updateRef();
    done?.({ code: m.code, signal: m.signal });
  }

  get alive(): boolean {
    return !this.gone;
  }

  /** How many launchers are ready to be taken now. */
  get launchersReady(): number {
    return this.ready.length;
  }

  run(cmd: string, args: string[], input?: string): Promise<SpawnReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.channel()?.ref();
      this.child.send({ id, cmd, args, ...(input === undefined ? {} : { input }) } satisfies SpawnRequest);
    });
  }

  /**
   * Keeps launchers ready from now on: a few, and more while many are taken (twice the starts
   * of the last two seconds, up to 32); back to a few once the starts stop.
   */
  prepareLaunchers(): void {
    if (this.gone) return;
    const now = Date.now();
    this.takes = this.takes.filter((t) => now - t < BURST_WINDOW_MS);
    const count = Math.min(LAUNCHERS_MAX, LAUNCHERS_IDLE + 2 * this.takes.length);
    if (count !== this.asked) {
      // Fewer wanted: the newest ready ones are retired (never handed out again).
      const retire = count < this.asked ? this.ready.splice(count) : [];
      this.child.send({ kind: 'launchers', count, retire } satisfies LauncherRequest);
      this.asked = count;
    }
    if (count > LAUNCHERS_IDLE && !this.resize) {
      this.resize = setTimeout(() => {
        this.resize = undefined;
        this.prepareLaunchers();
      }, BURST_WINDOW_MS);
      this.resize.unref();
    }
  }

  /** A ready launcher, or undefined if none is (the caller starts its program itself then). */
  takeLauncher(): Launcher | undefined {
    const pid = this.gone ? undefined : this.ready.shift();
    this.takes.push(Date.now());
    this.prepareLaunchers();
    if (pid === undefined) return undefined;
    const exited = new Promise<LauncherExit>((resolve) => this.launched.set(pid, resolve));
    this.updateRef();
    return {
      pid,
      exited,
      start: (path) => {
        if (!this.gone) this.child.send({ kind: 'launch', pid, path } satisfies LauncherRequest);
      },
    };
  }

  stop(): void {
    if (!this.gone) this.child.kill('SIGTERM');
  }
}

let shared: Spawner | undefined;

/** The process's spawner, started on first use (and again if it died). */
export function sharedSpawner(): Spawner {
  if (!shared?.alive) shared = new Spawner();
  return shared;
}
