import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { schedulePod, type NodeLoad, type ScheduleResult } from './plan.js';

function node(name: string, opts: { ready?: string | null; labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean } = {}): KubeObject {
  const ready = opts.ready === undefined ? 'True' : opts.ready;
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: ready === null ? [] : [{ type: 'Ready', status: ready }] },
  };
}

function pod(spec: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } };
}

const load = (n: KubeObject, pods = 0, siblings = 0): NodeLoad => ({ node: n, pods, siblings });
const preemption = (n: number): string => `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;

const cases: { name: string; pod: KubeObject; loads: NodeLoad[]; want: ScheduleResult }[] = [
  { name: 'no nodes', pod: pod(), loads: [], want: { unschedulable: 'no nodes available to schedule pods' } },
  { name: 'one ready node', pod: pod(), loads: [load(node('a'))], want: { nodeName: 'a' } },
  { name: 'fewest siblings wins over fewest pods', pod: pod(), loads: [load(node('a'), 1, 1), load(node('b'), 5, 0)], want: { nodeName: 'b' } },
  { name: 'same siblings: fewest pods', pod: pod(), loads: [load(node('a'), 3, 1), load(node('b'), 2, 1)], want: { nodeName: 'b' } },
  { name: 'full tie: first by name', pod: pod(), loads: [load(node('b')), load(node('a'))], want: { nodeName: 'a' } },
  {
    name: 'not-ready and unreachable nodes are refused as if tainted',
    pod: pod(),
    loads: [load(node('a', { ready: 'False' })), load(node('b', { ready: 'Unknown' })), load(node('c', { ready: null }))],
    want: {
      unschedulable: `0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. ${preemption(3)}`,
    },
  },
  {
    name: 'cordoned node refused; tainted node refused unless tolerated',
    pod: pod(),
    loads: [load(node('a', { unschedulable: true })), load(node('b', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }))],
    want: { unschedulable: `0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) were unschedulable. ${preemption(2)}` },
  },
  {
    name: 'toleration with Equal admits the tainted node',
    pod: pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }),
    loads: [load(node('a', { unschedulable: true })), load(node('b', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }))],
    want: { nodeName: 'b' },
  },
  {
    name: 'PreferNoSchedule taints do not filter',
    pod: pod(),
    loads: [load(node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }))],
    want: { nodeName: 'a' },
  },
  {
    name: 'Exists toleration with no key tolerates everything, even cordoned nodes',
    pod: pod({ tolerations: [{ operator: 'Exists' }] }),
    loads: [load(node('a', { unschedulable: true, ready: 'Unknown' }))],
    want: { nodeName: 'a' },
  },
  {
    name: 'nodeSelector picks the labelled node',
    pod: pod({ nodeSelector: { disk: 'ssd' } }),
    loads: [load(node('a')), load(node('b', { labels: { disk: 'ssd' } }), 9, 9)],
    want: { nodeName: 'b' },
  },
  {
    name: 'nodeSelector matching nothing',
    pod: pod({ nodeSelector: { disk: 'ssd' } }),
    loads: [load(node('a')), load(node('b'))],
    want: { unschedulable: `0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. ${preemption(2)}` },
  },
  {
    name: 'required node affinity by matchFields metadata.name',
    pod: pod({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } },
    }),
    loads: [load(node('a')), load(node('b'), 4)],
    want: { nodeName: 'b' },
  },
  {
    name: 'required node affinity: terms are ORed, expressions ANDed, Gt compares integers',
    pod: pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'gen', operator: 'Gt', values: ['3'] }] },
              { matchExpressions: [{ key: 'special', operator: 'Exists' }] },
            ],
          },
        },
      },
    }),
    loads: [load(node('a', { labels: { zone: 'z1', gen: '3' } })), load(node('b', { labels: { zone: 'z1', gen: '4' } }), 2), load(node('c'))],
    want: { nodeName: 'b' },
  },
  {
    name: 'NotIn and DoesNotExist',
    pod: pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }, { key: 'gpu', operator: 'DoesNotExist' }] }],
          },
        },
      },
    }),
    loads: [load(node('a', { labels: { zone: 'z1' } })), load(node('b', { labels: { gpu: 'yes' } })), load(node('c'), 7)],
    want: { nodeName: 'c' },
  },
];

describe('schedulePod', () => {
  for (const c of cases) test(c.name, () => assert.deepEqual(schedulePod(c.pod, c.loads), c.want));
});
