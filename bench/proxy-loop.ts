/**
 * The proxy section's clocks and child programs: the request loop (`proxy-probe.ts`) started in
 * a node's network namespace, and a watch that stamps each event on the same monotonic clock
 * (process.hrtime, CLOCK_MONOTONIC: comparable between this process and the loop's).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ResourceInfo } from '../src/api/resources.js';
import type { KubeObject } from '../src/api/types.js';
import type { ApiClient, WatchEvent } from '../src/client/rest.js';
import { repoRoot, sleep, stopPid } from './lib.js';

export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** One line of the loop: the answer changed to `state` at the attempt started at `at`. */
export interface ProbeLine {
  state: string;
  at: number;
  prevAt: number;
  attempts: number;
}

export interface ProbeLoop {
  readonly lines: ProbeLine[];
  /** The first line from index `from` on whose state passes `match`; throws after `timeoutMs`. */
  waitFor(match: (state: string) => boolean, timeoutMs: number, from?: number): Promise<ProbeLine>;
  stop(): Promise<void>;
}

/** Starts the request loop in `netns` against http://host:port/path. */
export function startProbeLoop(netns: string, target: { host: string; port: number; path: string; pauseMs: number }): ProbeLoop {
  const script = join(repoRoot, 'dist/bench/proxy-probe.js');
  const args = [`--net=/run/netns/${netns}`, '--', process.execPath, script, target.host, String(target.port), target.path, String(target.pauseMs)];
  const child = spawn('nsenter', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: ProbeLine[] = [];
  let text = '';
  let exited = false;
  child.on('exit', () => (exited = true));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    text += d;
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (line.trim()) lines.push(JSON.parse(line) as ProbeLine);
    }
  });
  return {
    lines,
    async waitFor(match, timeoutMs, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.slice(from).find((l) => match(l.state));
        if (found) return found;
        if (exited) throw new Error(`the request loop in ${netns} exited`);
        if (Date.now() > deadline) throw new Error(`the request loop to ${target.host}:${target.port} saw no matching answer within ${timeoutMs} ms (last: ${lines.at(-1)?.state ?? 'none'})`);
        await sleep(5);
      }
    },
    async stop() {
      child.stdin.end();
      if (child.pid !== undefined) await stopPid(child.pid, 2000);
    },
  };
}

/** A watch on one namespace's objects of a kind, re-opened from the last resourceVersion if it ends. */
export class StampedWatch {
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private loop?: Promise<void>;

  constructor(
    private readonly client: ApiClient,
    private readonly info: ResourceInfo,
    private readonly namespace: string,
    private readonly onEvent: (event: WatchEvent, at: number) => void,
  ) {}

  async start(): Promise<void> {
    const list = await this.client.list(this.info, this.namespace);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    for (const item of list.items as KubeObject[]) this.onEvent({ type: 'ADDED', object: item }, monoMs());
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.client.watch(this.info, this.namespace, { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, signal: this.abort.signal }, (e) => {
          const at = monoMs();
          if (e.object.metadata.resourceVersion) this.resourceVersion = e.object.metadata.resourceVersion;
          if (e.type !== 'BOOKMARK' && e.type !== 'ERROR') this.onEvent(e, at);
        });
      } catch {
        if (!this.abort.signal.aborted) await sleep(100);
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
  }
}
