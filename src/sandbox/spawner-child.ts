/**
 * Runs host programs for the sandbox on request (over IPC) and reports their exit code and
 * output. It is a small process, so forking here is cheap, and the process that asked (the
 * API server's, in `up`) never stops for a fork. Exits when its parent goes.
 */
import { spawn } from 'node:child_process';
import type { SpawnReply, SpawnRequest } from './spawner.js';

process.on('message', (m: SpawnRequest) => {
  const child = spawn(m.cmd, m.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const reply = (r: SpawnReply): void => void process.send?.(r);
  child.on('error', (err: NodeJS.ErrnoException) => reply({ id: m.id, error: err.code ?? err.message }));
  child.on('close', (code) => reply({ id: m.id, code: code ?? 1, stdout, stderr }));
  child.stdin.on('error', () => undefined);
  child.stdin.end(m.input);
});
process.on('disconnect', () => process.exit(0));
