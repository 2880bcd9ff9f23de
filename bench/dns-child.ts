/**
 * The DNS section's child processes: Switchboard's DNS server (`dns-server.ts`) and the index
 * memory probe (`dns-index-mem.ts`). Each is stopped by its pid.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Credentials } from '../src/client/kubeconfig.js';
import type { CreatedService } from './dns-objects.js';
import { repoRoot, rssMb, runNode, stopPid } from './lib.js';

export interface SwitchboardDns {
  pid: number;
  port: number;
  /** Spawn until synced and listening. */
  readyMs: number;
  rssMb(): number;
  stop(): Promise<void>;
}

function readPort(stdout: NodeJS.ReadableStream, exited: Promise<number>, timeoutMs: number): Promise<number> {
  return new Promise((done, fail) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`DNS server did not report its port within ${timeoutMs} ms`)), timeoutMs);
    stdout.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      const m = /"port":(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        done(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`DNS server exited (${code}) before listening`));
    });
  });
}

/** Starts `startClusterDns` in its own process against the API server of `creds`; resolves once it has synced. */
export async function startSwitchboardDns(creds: Credentials): Promise<SwitchboardDns> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(repoRoot, 'dist/bench/dns-server.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('DNS server did not start');
  const exited = new Promise<number>((done) => child.on('exit', (code) => done(code ?? 1)));
  child.stdin.write(`${JSON.stringify(creds)}\n`);
  let port: number;
  try {
    port = await readPort(child.stdout, exited, 120_000);
  } catch (err) {
    await stopPid(pid);
    throw err;
  }
  return {
    pid,
    port,
    readyMs: performance.now() - started,
    rssMb: () => rssMb(pid),
    async stop() {
      child.stdin.end();
      const deadline = Date.now() + 5000;
      while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      await stopPid(pid);
    },
  };
}

export interface IndexMemory {
  services: number;
  /** Heap of the Service and EndpointSlice objects (shared with the informer cache in a server). */
  objectsMb: number;
  /** Heap the index adds on top of them. */
  indexMb: number;
}

/** Builds a RecordIndex from `created` in a fresh `node --expose-gc` process and returns its heap growth. */
export async function measureIndexMemory(dir: string, created: readonly CreatedService[]): Promise<IndexMemory> {
  const path = join(dir, 'objects.json');
  writeFileSync(path, JSON.stringify(created.map((c) => ({ service: c.service, ...(c.slice === undefined ? {} : { slice: c.slice }) }))));
  const run = await runNode(['--expose-gc', join(repoRoot, 'dist/bench/dns-index-mem.js'), path], 120_000);
  if (run.code !== 0) throw new Error(`dns-index-mem failed (${run.code}): ${run.stderr.slice(-1500)}`);
  return JSON.parse(run.stdout) as IndexMemory;
}
