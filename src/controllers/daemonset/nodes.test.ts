import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { nodeShouldRunDaemonPod, type Taint } from './nodes.js';

function newNode(opts: { name?: string; ready?: 'True' | 'False' | 'none'; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): KubeObject {
  const ready = opts.ready ?? 'True';
  return {
    metadata: { name: opts.name ?? 'node-a', labels: opts.labels ?? {} },
    spec: { taints: opts.taints ?? [], ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready }] },
  };
}

const cases: Array<{ name: string; node: KubeObject; spec: Record<string, unknown>; run: boolean; keep: boolean }> = [
  { name: 'a ready node runs it', node: newNode(), spec: {}, run: true, keep: true },
  { name: 'a NotReady node gets no new pod but keeps one', node: newNode({ ready: 'False' }), spec: {}, run: false, keep: true },
  { name: 'a node that never reported gets no new pod', node: newNode({ ready: 'none' }), spec: {}, run: false, keep: true },
  { name: 'a cordoned node still runs daemon pods', node: newNode({ unschedulable: true }), spec: {}, run: true, keep: true },
  { name: 'nodeSelector must match', node: newNode({ labels: { disk: 'hdd' } }), spec: { nodeSelector: { disk: 'ssd' } }, run: false, keep: false },
  { name: 'nodeSelector matching', node: newNode({ labels: { disk: 'ssd' } }), spec: { nodeSelector: { disk: 'ssd' } }, run: true, keep: true },
  { name: 'template nodeName elsewhere', node: newNode(), spec: { nodeName: 'node-b' }, run: false, keep: false },
  {
    name: 'NoSchedule taint not tolerated: no new pod, existing stays',
    node: newNode({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    spec: {},
    run: false,
    keep: true,
  },
  {
    name: 'NoExecute taint not tolerated: evicted',
    node: newNode({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
    spec: {},
    run: false,
    keep: false,
  },
  {
    name: 'taint tolerated by the template',
    node: newNode({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
    spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }] },
    run: true,
    keep: true,
  },
  {
    name: 'not-ready NoExecute taint is tolerated by every daemon pod',
    node: newNode({ taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
    spec: {},
    run: true,
    keep: true,
  },
  {
    name: 'required node affinity on labels',
    node: newNode({ labels: { zone: 'a' } }),
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }] },
        },
      },
    },
    run: false,
    keep: false,
  },
  {
    name: 'required node affinity on the node name',
    node: newNode({ name: 'node-a' }),
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-b'] }] }],
          },
        },
      },
    },
    run: true,
    keep: true,
  },
];

describe('nodeShouldRunDaemonPod', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(nodeShouldRunDaemonPod(c.node, c.spec), { shouldRun: c.run, shouldContinueRunning: c.keep });
    });
  }
});
