/**
 * The sandbox's programs (`ip`, `sysctl` through `nsenter`) run from one long-lived small
 * child process (`spawner-child`): a fork of the big `up` process costs about 8 ms and stops
 * its event loop, API server included, and a pod start needs several.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SpawnRequest {
  id: number;
  cmd: string;
  args: string[];
  input?: string;
}

export type SpawnReply = { id: number; code: number; stdout: string; stderr: string } | { id: number; error: string };

const childPath = fileURLToPath(new URL('./spawner-child.js', import.meta.url));

export class Spawner {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: SpawnReply) => void>();
  private readonly child: ChildProcess;
  private gone = false;

  constructor() {
    this.child = spawn(process.execPath, [childPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child.on('message', (r: SpawnReply) => {
      const done = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) this.channel()?.unref();
      done?.(r);
    });
    this.child.on('exit', () => {
      this.gone = true;
      for (const [id, done] of this.waiting) done({ id, error: 'the spawner process exited' });
      this.waiting.clear();
    });
    this.child.on('error', () => undefined);
    this.child.unref();
    this.channel()?.unref();
  }

  private channel(): { ref(): void; unref(): void } | undefined {
    return this.child.channel as { ref(): void; unref(): void } | undefined;
  }

  get alive(): boolean {
    return !this.gone;
  }

  run(cmd: string, args: string[], input?: string): Promise<SpawnReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.channel()?.ref();
      this.child.send({ id, cmd, args, ...(input === undefined ? {} : { input }) } satisfies SpawnRequest);
    });
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
