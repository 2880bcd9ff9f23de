/**
 * Runs the host programs the sandbox is built with (`ip`, `nsenter`), and says what failed in
 * the words of the program and the command line, so an error names its cause.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { sharedSpawner } from './spawner.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class SandboxError extends Error {
  constructor(message: string, readonly result?: RunResult) {
    super(message);
    this.name = 'SandboxError';
  }
}

function notInstalled(cmd: string): SandboxError {
  return new SandboxError(`${cmd} is not installed (Debian: apt-get install ${cmd === 'ip' ? 'iproute2' : 'util-linux'})`);
}

/**
 * Runs a program to completion through the spawner process; resolves with its exit code and
 * output (never rejects on exit codes).
 */
export async function runProgram(cmd: string, args: string[], input?: string): Promise<RunResult> {
  const r = await sharedSpawner().run(cmd, args, input);
  if ('error' in r) {
    if (r.error === 'ENOENT') throw notInstalled(cmd);
    if (r.error === 'the spawner process exited') return runDirectly(cmd, args, input);
    throw new SandboxError(`${cmd}: ${r.error}`);
  }
  return r;
}

/** The same, from this process (when the spawner is gone). */
function runDirectly(cmd: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? notInstalled(cmd) : new SandboxError(`${cmd}: ${err.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Runs a program and rejects with its stderr when it fails. */
export async function mustRun(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await runProgram(cmd, args, input);
  if (r.code !== 0) throw new SandboxError(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || `exit code ${r.code}`}`, r);
  return r.stdout;
}

/**
 * Runs `ip` commands inside one network namespace in a single process (`ip -n NS -batch -`).
 * Never without a namespace: the host's own network is not Switchboard's to change. (See
 * `ipInNewNamespace` for the other way `ip` runs: inside a namespace it has just made.)
 */
export async function ipIn(netns: string, lines: string[]): Promise<void> {
  if (!netns) throw new SandboxError('refusing to run ip outside a sandbox namespace');
  await mustRun('ip', ['-n', netns, '-batch', '-'], `${lines.join('\n')}\n`);
}

/** Writes a sysctl inside a network namespace (its own copy of net.*), never the host's. */
export async function sysctlIn(netns: string, key: string, value: string): Promise<void> {
  if (!netns) throw new SandboxError('refusing to change a sysctl outside a sandbox namespace');
  await mustRun('nsenter', [`--net=/run/netns/${netns}`, '--', 'sysctl', '-q', '-w', `${key}=${value}`]);
}

/**
 * Creates the network namespace `netns`, kept as /run/netns/<netns> (the bind mount `ip netns
 * add` makes), and runs `ip` commands inside it, all in one process: `unshare --net=<file> --
 * ip -batch -`. The commands run in the new namespace only; if it cannot be made, none runs.
 * The file is made here first, as `ip netns add` does (/run/netns exists once any namespace
 * of ours does).
 */
export async function ipInNewNamespace(netns: string, lines: string[]): Promise<void> {
  if (!/^[\w.-]+$/.test(netns)) throw new SandboxError(`invalid namespace name ${JSON.stringify(netns)}`);
  const file = `/run/netns/${netns}`;
  try {
    closeSync(openSync(file, 'wx', 0));
  } catch (err) {
    throw new SandboxError(`creating ${file}: ${(err as Error).message}`);
  }
  await mustRun('unshare', [`--net=${file}`, '--', 'ip', '-batch', '-'], `${lines.join('\n')}\n`);
}
