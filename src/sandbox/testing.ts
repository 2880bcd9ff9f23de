/** Helpers for tests that build sandboxes: a fresh id, a root check, code run inside a namespace. */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';

/** Why sandbox tests cannot run here, or false when they can (root). In CI they must run. */
export function sandboxSkipReason(): string | false {
  if (process.getuid?.() === 0) return false;
  if (process.env.CI) throw new Error('sandbox tests need root, and CI runs as root: refusing to skip them in CI');
  return 'needs root to create network namespaces (CI runs these as root)';
}

/** A random sandbox id for one test, so parallel tests never share namespaces. */
export function testSandboxId(): string {
  return `t${randomBytes(3).toString('hex')}`;
}

export interface NodeScript {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a Node.js snippet inside a network namespace of ours (via nsenter). */
export function nodeIn(netns: string, script: string, timeoutMs = 10_000): Promise<NodeScript> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Starts a long-running Node.js snippet inside a namespace; returns its pid and a stop function. */
export function serveIn(netns: string, script: string): { pid: number; ready: Promise<void>; stop(): void } {
  const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server in ${netns} exited (${code})`)));
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
