import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, defaultJobSelector, defaultPullPolicy, defaultServiceIPFamilies } from './index.js';

type Obj = Record<string, unknown>;

/** Applies defaults to a copy and returns it. */
function defaulted(group: string, kind: string, obj: Obj): Obj {
  const copy = structuredClone(obj);
  applyDefaults(group, kind, copy);
  return copy;
}

function at(obj: unknown, ...keys: Array<string | number>): unknown {
  let cur = obj;
  for (const k of keys) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[k] : undefined;
  return cur;
}

const containers = [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }];

describe('Service defaults', () => {
  const cases: Array<{ name: string; spec: Obj; want: Array<[string[], unknown]> }> = [
    {
      name: 'ClusterIP',
      spec: { ports: [{ port: 80 }] },
      want: [
        [['type'], 'ClusterIP'],
        [['sessionAffinity'], 'None'],
        [['ports', '0', 'protocol'], 'TCP'],
        [['ports', '0', 'targetPort'], 80],
        [['internalTrafficPolicy'], 'Cluster'],
        [['externalTrafficPolicy'], undefined],
        [['sessionAffinityConfig'], undefined],
      ],
    },
    { name: 'targetPort 0 becomes port', spec: { ports: [{ port: 8080, targetPort: 0 }] }, want: [[['ports', '0', 'targetPort'], 8080]] },
    { name: 'named targetPort kept', spec: { ports: [{ port: 80, targetPort: 'http' }] }, want: [[['ports', '0', 'targetPort'], 'http']] },
    { name: 'ClientIP timeout', spec: { sessionAffinity: 'ClientIP' }, want: [[['sessionAffinityConfig', 'clientIP', 'timeoutSeconds'], 10800]] },
    {
      name: 'LoadBalancer',
      spec: { type: 'LoadBalancer' },
      want: [
        [['externalTrafficPolicy'], 'Cluster'],
        [['allocateLoadBalancerNodePorts'], true],
      ],
    },
    { name: 'externalIPs make it external', spec: { externalIPs: ['192.0.2.1'] }, want: [[['externalTrafficPolicy'], 'Cluster']] },
    { name: 'ExternalName', spec: { type: 'ExternalName', externalName: 'a.example' }, want: [[['internalTrafficPolicy'], undefined]] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const svc = defaulted('', 'Service', { metadata: { name: 's' }, spec: c.spec });
      for (const [path, value] of c.want) assert.deepEqual(at(svc, 'spec', ...path), value, path.join('.'));
    });
  }
  test('ipFamilies hook', () => {
    const svc: Obj = { metadata: {}, spec: { type: 'ClusterIP' } };
    defaultServiceIPFamilies(svc);
    assert.deepEqual(at(svc, 'spec', 'ipFamilies'), ['IPv4']);
    assert.equal(at(svc, 'spec', 'ipFamilyPolicy'), 'SingleStack');
    const ext: Obj = { metadata: {}, spec: { type: 'ExternalName' } };
    defaultServiceIPFamilies(ext);
    assert.equal(at(ext, 'spec', 'ipFamilies'), undefined);
  });
});

describe('Pod defaults', () => {
  const pod = defaulted('', 'Pod', { metadata: { name: 'p' }, spec: { containers } });
  const cases: Array<[string, Array<string | number>, unknown]> = [
    ['restartPolicy', ['restartPolicy'], 'Always'],
    ['dnsPolicy', ['dnsPolicy'], 'ClusterFirst'],
    ['schedulerName', ['schedulerName'], 'default-scheduler'],
    ['grace period', ['terminationGracePeriodSeconds'], 30],
    ['securityContext', ['securityContext'], {}],
    ['enableServiceLinks', ['enableServiceLinks'], true],
    ['priority', ['priority'], 0],
    ['preemptionPolicy', ['preemptionPolicy'], 'PreemptLowerPriority'],
    ['pull policy for untagged', ['containers', 0, 'imagePullPolicy'], 'Always'],
    ['termination message path', ['containers', 0, 'terminationMessagePath'], '/dev/termination-log'],
    ['termination message policy', ['containers', 0, 'terminationMessagePolicy'], 'File'],
    ['port protocol', ['containers', 0, 'ports', 0, 'protocol'], 'TCP'],
    ['probe timeout', ['containers', 0, 'readinessProbe', 'timeoutSeconds'], 1],
    ['probe period', ['containers', 0, 'readinessProbe', 'periodSeconds'], 10],
    ['probe success', ['containers', 0, 'readinessProbe', 'successThreshold'], 1],
    ['probe failure', ['containers', 0, 'readinessProbe', 'failureThreshold'], 3],
    ['httpGet scheme', ['containers', 0, 'readinessProbe', 'httpGet', 'scheme'], 'HTTP'],
    ['httpGet path', ['containers', 0, 'readinessProbe', 'httpGet', 'path'], '/'],
  ];
  for (const [name, path, value] of cases) test(name, () => assert.deepEqual(at(pod, 'spec', ...path), value));
  test('default tolerations', () => {
    assert.deepEqual(at(pod, 'spec', 'tolerations'), [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });
  test('explicit values are kept', () => {
    const p = defaulted('', 'Pod', { metadata: {}, spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Never' }] } });
    assert.equal(at(p, 'spec', 'restartPolicy'), 'Never');
    assert.equal(at(p, 'spec', 'containers', 0, 'imagePullPolicy'), 'Never');
  });
  test('env fieldRef apiVersion', () => {
    const env = [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];
    const p = defaulted('', 'Pod', { metadata: {}, spec: { containers: [{ name: 'a', image: 'x', env }] } });
    assert.equal(at(p, 'spec', 'containers', 0, 'env', 0, 'valueFrom', 'fieldRef', 'apiVersion'), 'v1');
  });
  for (const [image, want] of [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['registry:5000/nginx', 'Always'],
    ['registry:5000/nginx:1.0', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ] as const) {
    test(`pull policy ${image}`, () => assert.equal(defaultPullPolicy(image), want));
  }
});

describe('workload defaults', () => {
  const template = { metadata: { labels: { app: 'w' } }, spec: { containers } };
  const cases: Array<{ group: string; kind: string; spec?: Obj; want: Array<[Array<string | number>, unknown]> }> = [
    {
      group: 'apps',
      kind: 'Deployment',
      want: [
        [['replicas'], 1],
        [['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }],
        [['revisionHistoryLimit'], 10],
        [['progressDeadlineSeconds'], 600],
        [['template', 'spec', 'restartPolicy'], 'Always'],
        [['template', 'spec', 'tolerations'], undefined],
      ],
    },
    { group: 'apps', kind: 'ReplicaSet', want: [[['replicas'], 1]] },
    {
      group: 'apps',
      kind: 'StatefulSet',
      want: [
        [['replicas'], 1],
        [['podManagementPolicy'], 'OrderedReady'],
        [['updateStrategy'], { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }],
        [['revisionHistoryLimit'], 10],
        [['persistentVolumeClaimRetentionPolicy'], { whenDeleted: 'Retain', whenScaled: 'Retain' }],
      ],
    },
    {
      group: 'apps',
      kind: 'DaemonSet',
      want: [
        [['updateStrategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }],
        [['revisionHistoryLimit'], 10],
      ],
    },
    {
      group: 'batch',
      kind: 'Job',
      want: [
        [['parallelism'], 1],
        [['completions'], 1],
        [['backoffLimit'], 6],
        [['completionMode'], 'NonIndexed'],
        [['suspend'], false],
        [['podReplacementPolicy'], 'TerminatingOrFailed'],
        [['manualSelector'], undefined],
      ],
    },
    { group: 'batch', kind: 'Job', spec: { parallelism: 3 }, want: [[['completions'], undefined]] },
    {
      group: '',
      kind: 'ReplicationController',
      want: [
        [['replicas'], 1],
        [['selector'], { app: 'w' }],
      ],
    },
  ];
  for (const c of cases) {
    test(`${c.kind} ${JSON.stringify(c.spec ?? {})}`, () => {
      const obj = defaulted(c.group, c.kind, { metadata: { name: 'w' }, spec: { template, ...c.spec } });
      for (const [path, value] of c.want) assert.deepEqual(at(obj, 'spec', ...path), value, path.join('.'));
    });
  }
  test('Deployment Recreate gets no rollingUpdate', () => {
    const obj = defaulted('apps', 'Deployment', { metadata: {}, spec: { strategy: { type: 'Recreate' }, template } });
    assert.deepEqual(at(obj, 'spec', 'strategy'), { type: 'Recreate' });
  });
  test('Job selector from uid', () => {
    const job: Obj = { metadata: { name: 'pi' }, spec: { template: { spec: { containers } } } };
    defaultJobSelector(job, 'u-1');
    assert.deepEqual(at(job, 'spec', 'selector'), { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    assert.deepEqual(at(job, 'spec', 'template', 'metadata', 'labels'), {
      'controller-uid': 'u-1',
      'batch.kubernetes.io/controller-uid': 'u-1',
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
    });
  });
  test('Job manual selector is left alone', () => {
    const job: Obj = { metadata: { name: 'pi' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } } } };
    defaultJobSelector(job, 'u-1');
    assert.deepEqual(at(job, 'spec', 'selector'), { matchLabels: { a: 'b' } });
  });
});

describe('other kinds', () => {
  test('Namespace', () => {
    const ns = defaulted('', 'Namespace', { metadata: { name: 'team-a' } });
    assert.deepEqual(at(ns, 'metadata', 'labels'), { 'kubernetes.io/metadata.name': 'team-a' });
    assert.deepEqual(at(ns, 'spec', 'finalizers'), ['kubernetes']);
    assert.equal(at(ns, 'status', 'phase'), 'Active');
  });
  test('Secret type', () => assert.equal(at(defaulted('', 'Secret', { metadata: {} }), 'type'), 'Opaque'));
  test('Endpoints port protocol', () => {
    const ep = defaulted('', 'Endpoints', { metadata: {}, subsets: [{ ports: [{ port: 80 }] }] });
    assert.equal(at(ep, 'subsets', 0, 'ports', 0, 'protocol'), 'TCP');
  });
  test('EndpointSlice ports', () => {
    const slice = defaulted('discovery.k8s.io', 'EndpointSlice', { metadata: {}, ports: [{ port: 80 }] });
    assert.deepEqual(at(slice, 'ports', 0), { port: 80, name: '', protocol: 'TCP' });
  });
  test('Node allocatable from capacity', () => {
    const node = defaulted('', 'Node', { metadata: {}, status: { capacity: { pods: '110' } } });
    assert.deepEqual(at(node, 'status', 'allocatable'), { pods: '110' });
  });
  test('unknown kind untouched', () => {
    const cm = { metadata: { name: 'c' }, data: { a: 'b' } };
    assert.deepEqual(defaulted('', 'ConfigMap', cm), cm);
  });
});
