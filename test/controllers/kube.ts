/** Helpers for controller tests driven through kubectl: JSON reads and bounded polling. */
import assert from 'node:assert/strict';
import type { Cluster } from '../harness.js';

export interface Address {
  ip: string;
  hostname?: string;
  targetRef?: { name: string };
}

export interface EndpointsView {
  ready: Address[];
  notReady: Address[];
  ports: number[];
}

export async function kjson<T = Record<string, unknown>>(c: Cluster, args: string[]): Promise<T> {
  const r = await c.kubectl([...args, '-o', 'json']);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export async function kok(c: Cluster, args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function endpointsOf(c: Cluster, ns: string, name: string): Promise<EndpointsView> {
  const ep = await kjson<{ subsets?: { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: { port: number }[] }[] }>(c, ['get', 'endpoints', name, '-n', ns]);
  const subsets = ep.subsets ?? [];
  return {
    ready: subsets.flatMap((s) => s.addresses ?? []),
    notReady: subsets.flatMap((s) => s.notReadyAddresses ?? []),
    ports: [...new Set(subsets.flatMap((s) => (s.ports ?? []).map((p) => p.port)))],
  };
}

export interface SliceView {
  name: string;
  ports: number[];
  endpoints: { ip: string; ready: boolean; serving: boolean; terminating: boolean; hostname?: string; pod?: string }[];
}

export async function slicesOf(c: Cluster, ns: string, service: string): Promise<SliceView[]> {
  const list = await kjson<{
    items: {
      metadata: { name: string };
      ports?: { port: number }[];
      endpoints?: { addresses: string[]; hostname?: string; targetRef?: { name: string }; conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } }[];
    }[];
  }>(c, ['get', 'endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${service}`]);
  return list.items.map((s) => ({
    name: s.metadata.name,
    ports: (s.ports ?? []).map((p) => p.port),
    endpoints: (s.endpoints ?? []).map((e) => ({
      ip: e.addresses[0] ?? '',
      ready: e.conditions.ready ?? false,
      serving: e.conditions.serving ?? false,
      terminating: e.conditions.terminating ?? false,
      hostname: e.hostname,
      pod: e.targetRef?.name,
    })),
  }));
}

export interface PodView {
  name: string;
  ip?: string;
  node?: string;
  ready: boolean;
  deleting: boolean;
}

export async function podsOf(c: Cluster, ns: string, selector: string): Promise<PodView[]> {
  const list = await kjson<{
    items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status?: { podIP?: string; conditions?: { type: string; status: string }[] } }[];
  }>(c, ['get', 'pods', '-n', ns, '-l', selector]);
  return list.items.map((p) => ({
    name: p.metadata.name,
    ip: p.status?.podIP,
    node: p.spec.nodeName,
    ready: (p.status?.conditions ?? []).some((cond) => cond.type === 'Ready' && cond.status === 'True'),
    deleting: !!p.metadata.deletionTimestamp,
  }));
}

export const sortedIps = (xs: { ip?: string }[]): string[] => xs.map((x) => x.ip ?? '').sort();
