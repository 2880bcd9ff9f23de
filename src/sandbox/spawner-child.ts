/**
 * Runs host programs for the sandbox on request (over IPC) and reports their exit code and
 * output. It is a small process, so forking here is cheap, and the process that asked (the
 * API server's, in `up`) never stops for a fork. Exits when its parent goes.
 *
 * It also keeps launchers ready: `/bin/sh` processes, each leading a session of its own
 * (detached) with an empty environment, that read one line (a script's path) from stdin and
 * source it. Every launcher's exit is reported by pid. Unused ones read end of file, and exit,
 * when they are retired or this process ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { LauncherEvent, LauncherRequest, SpawnReply, SpawnRequest } from './spawner.js';

const send = (m: SpawnReply | LauncherEvent): void => void process.send?.(m);

function run(m: SpawnRequest): void {
  const child = spawn(m.cmd, m.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.on('error', (err: NodeJS.ErrnoException) => send({ id: m.id, error: err.code ?? err.message }));
  child.on('close', (code) => send({ id: m.id, code: code ?? 1, stdout, stderr }));
  child.stdin.on('error', () => undefined);
  child.stdin.end(m.input);
}

/** Reads the script's path and sources it; end of file (nothing to run) exits quietly. */
const LAUNCHER = 'IFS= read -r f || exit 0; . "$f"';

let wanted = 0;
/** Launchers started and not handed a script yet. */
const idle = new Map<number, ChildProcess>();

function refill(): void {
  while (idle.size < wanted) {
    const child = spawn('/bin/sh', ['-c', LAUNCHER], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: {}, cwd: '/' });
    const pid = child.pid;
    child.on('error', () => undefined);
    if (pid === undefined) {
      // /bin/sh cannot start: no launchers, so the parent starts its programs itself.
      wanted = 0;
      return;
    }
    child.stdin?.on('error', () => undefined);
    idle.set(pid, child);
    child.on('exit', (code, signal) => {
      idle.delete(pid);
      send({ kind: 'exited', pid, code, signal });
    });
    send({ kind: 'launcher', pid });
  }
}

function launcherRequest(m: LauncherRequest): void {
  if (m.kind === 'launchers') {
    wanted = m.count;
    for (const pid of m.retire) {
      idle.get(pid)?.stdin?.end();
      idle.delete(pid);
    }
    return refill();
  }
  const child = idle.get(m.pid);
  if (!child) return;
  idle.delete(m.pid);
  child.stdin?.end(`${m.path}\n`);
  refill();
}

process.on('message', (m: SpawnRequest | LauncherRequest) => ('kind' in m ? launcherRequest(m) : run(m)));
process.on('disconnect', () => process.exit(0));
