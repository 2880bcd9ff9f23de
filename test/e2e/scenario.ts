/**
 * What the scenario tests (test/e2e/s*.test.ts) share: a real cluster (`up --nodes 2`, root),
 * kubectl as the scenarios write it, a scripted terminal for `-it`, and the manifests in
 * examples/. Each test is one step of ../shared/scenarios.md and checks what the user sees.
 */
import { join } from 'node:path';
import { cliPath, repoRoot, run, skipUnless, startCluster, type Cluster, type Result } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';

export { eventually, kjson, kok };
export type { Cluster };

export const skip = sandboxSkipReason() || skipUnless('kubectl') || skipUnless('script');

export const examples = (...parts: string[]): string => join(repoRoot, 'examples', ...parts);

export async function startScenarioCluster(extra: string[] = []): Promise<Cluster> {
  return startCluster(['--nodes', '2', ...extra]);
}

export async function stopScenarioCluster(c: Cluster | undefined): Promise<void> {
  if (!c) return;
  await run(process.execPath, [cliPath, 'down', '--data-dir', c.dataDir]);
  await c.stop();
}

export interface PodJson {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean; state?: Record<string, { reason?: string; message?: string }> }[] };
}

/** Pods matching `selector` that are ready, once there are `count` of them (not being deleted). */
export async function readyPods(c: Cluster, ns: string, selector: string, count: number, timeoutMs = 60_000): Promise<PodJson[]> {
  return eventually(`${count} ready pods ${selector} in ${ns}`, async () => {
    const list = await kjson<{ items: PodJson[] }>(c, ['get', 'pods', '-n', ns, '-l', selector, '-o', 'json']);
    const ready = list.items.filter((p) => !p.metadata.deletionTimestamp && p.status.podIP && p.status.containerStatuses?.every((s) => s.ready));
    return ready.length === count ? ready.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)) : undefined;
  }, timeoutMs);
}

/** `kubectl exec <pod> -n <ns> -- sh -c <script>`: stdout. */
export async function sh(c: Cluster, pod: string, ns: string, script: string): Promise<string> {
  return (await c.kubectl(['exec', pod, '-n', ns, '--', 'sh', '-c', script])).stdout;
}

/**
 * Runs a kubectl command that wants a terminal (`-it`) under `script`, typing `lines` into it
 * after `startDelayS` seconds, one per `gapS`; returns what the terminal showed.
 */
export async function terminal(c: Cluster, kubectlArgs: string, lines: string[], opts: { startDelayS?: number; gapS?: number; tailS?: number } = {}): Promise<Result> {
  const typed = [`sleep ${opts.startDelayS ?? 2}`, ...lines.map((l) => `printf '%s\\n' ${shellQuote(l)}; sleep ${opts.gapS ?? 1.5}`), `sleep ${opts.tailS ?? 0.5}`].join('; ');
  const kubectl = `kubectl --kubeconfig ${c.kubeconfig} ${kubectlArgs}`;
  return run('sh', ['-c', `(${typed}) | script -qfec ${shellQuote(kubectl)} /dev/null`], { timeoutMs: 90_000 });
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `host_name` values in the JSON lines the tutorial backend answers (or `(line)` for others). */
export function hostNames(lines: string[]): string[] {
  return lines.map((l) => /"host_name":"([^"]+)"/.exec(l)?.[1] ?? `(${l.trim()})`);
}

/** Columns of a kubectl table's header line. */
export function headerOf(table: string): string[] {
  return (table.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}

/** The row of a kubectl table whose first column is `name`, split into columns. */
export function rowOf(table: string, name: string): string[] | undefined {
  const line = table.split('\n').find((l) => l.split(/\s+/)[0] === name);
  return line?.trim().split(/\s{2,}/);
}
