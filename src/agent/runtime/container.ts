/**
 * One container: a host process started inside its pod's network namespace, with a UTS and
 * a mount namespace of its own so that its hostname is the pod's and `/etc/hosts` and
 * `/etc/resolv.conf` are the pod's files (bind mounts that never reach the host's view).
 * The process leads its own process group, so a signal reaches everything it started.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { shellQuote } from '../../lib/shell.js';

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
}


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
  'printf %s "$1" > /proc/sys/kernel/hostname || exit 126',
  'mount --bind "$2" /etc/hosts || exit 126',
  'mount --bind "$3" /etc/resolv.conf || exit 126',
  'shift 3',
  'exec "$@"',
].join('\n');

export class ContainerProcess {
  readonly pid: number;
  readonly startedAt = new Date();
  readonly exited: Promise<ContainerExit>;
  private done = false;

  private constructor(pid: number, exited: Promise<ContainerExit>) {
    this.pid = pid;
    this.exited = exited.then((e) => {
      this.done = true;
      return e;
    });
  }

  static start(ns: PodNamespaces, launch: ContainerLaunch): ContainerProcess {
    mkdirSync(dirname(launch.logPath), { recursive: true });
    const log = openSync(launch.logPath, 'a');
    // Read-write, so opening the FIFO does not wait for a writer and it never sees end of file.
    const stdin = launch.stdinPath ? openSync(launch.stdinPath, 'r+') : 'ignore';
    const argv = launch.tty ? ['script', '-qfec', launch.argv.map(shellQuote).join(' '), '/dev/null'] : launch.argv;
    const args = [`--net=/run/netns/${ns.netns}`, '--', 'unshare', '--uts', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', ENTER, 'sh', ns.hostname, ns.hostsFile, ns.resolvConfFile, ...argv];
    const child = spawn('nsenter', args, {
      env: launch.tty ? { TERM: 'xterm', ...launch.env } : launch.env,
      stdio: [stdin, log, log],
      detached: true,
      ...(launch.workingDir ? { cwd: launch.workingDir } : {}),
    });
    closeSync(log);
    if (typeof stdin === 'number') closeSync(stdin);
    const exited = new Promise<ContainerExit>((resolve) => {
      child.once('error', () => resolve({ exitCode: 127, finishedAt: new Date() }));
      child.once('exit', (code, signal) => {
        const exitCode = code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 0);
        resolve({ exitCode, ...(signal ? { signal } : {}), finishedAt: new Date() });
      });
    });
    return new ContainerProcess(child.pid ?? -1, exited);
  }

  get running(): boolean {
    return !this.done;
  }

  /** Signals the container's whole process group. */
  signal(sig: NodeJS.Signals): void {
    if (this.done || this.pid <= 0) return;
    try {
      process.kill(-this.pid, sig);
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
