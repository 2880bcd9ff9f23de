import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from './index.js';
import { bytes, entry, envelope, fixed64, msg, objectMeta, str, stringMap, varint } from './wire-writer.js';

/** 2026-11-22T03:00:00Z in Unix seconds. */
const nov22 = Date.UTC(2026, 10, 22, 3) / 1000;
const decode = (body: Buffer): Record<string, unknown> => decodeKubernetesProtobuf(body).object;
const meta = (name: string) => ({ name, creationTimestamp: null });
const intOrString = (fieldNumber: number, value: number | string): Buffer =>
  typeof value === 'number' ? msg(fieldNumber, varint(1, 0), varint(2, value), str(3, '')) : msg(fieldNumber, varint(1, 1), varint(2, 0), str(3, value));

describe('decodeKubernetesProtobuf: kinds', () => {
  const cases: Array<{ name: string; body: Buffer; expected: Record<string, unknown> }> = [
    {
      name: 'Namespace with finalizers and a phase',
      body: envelope('v1', 'Namespace', objectMeta('team-a'), msg(2, str(1, 'kubernetes')), msg(3, str(1, 'Active'))),
      expected: { kind: 'Namespace', apiVersion: 'v1', metadata: meta('team-a'), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    },
    {
      name: 'Service with an int and a string targetPort',
      body: envelope(
        'v1',
        'Service',
        objectMeta('web'),
        msg(
          2,
          msg(1, str(1, 'http'), str(2, 'TCP'), varint(3, 80), intOrString(4, 8080), varint(5, 0)),
          msg(1, str(1, 'admin'), str(2, 'TCP'), varint(3, 9000), intOrString(4, 'admin-port'), varint(5, 0)),
          stringMap(2, { app: 'web' }),
          str(4, 'ClusterIP'),
          varint(13, false),
          varint(20, false),
        ),
        msg(3, msg(1)),
      ),
      expected: {
        kind: 'Service',
        apiVersion: 'v1',
        metadata: meta('web'),
        spec: {
          ports: [
            { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
            { name: 'admin', protocol: 'TCP', port: 9000, targetPort: 'admin-port' },
          ],
          selector: { app: 'web' },
          type: 'ClusterIP',
          allocateLoadBalancerNodePorts: false,
        },
        status: { loadBalancer: {} },
      },
    },
    {
      name: 'Secret with bytes data, stringData and immutable false',
      body: envelope(
        'v1',
        'Secret',
        objectMeta('creds'),
        varint(5, false),
        entry(2, 'token', bytes(2, Buffer.from([0, 1, 2, 255]))),
        stringMap(4, { user: 'admin' }),
        str(3, 'Opaque'),
      ),
      expected: {
        kind: 'Secret',
        apiVersion: 'v1',
        metadata: meta('creds'),
        immutable: false,
        data: { token: 'AAEC/w==' },
        stringData: { user: 'admin' },
        type: 'Opaque',
      },
    },
    {
      name: 'ConfigMap with data and binaryData',
      body: envelope('v1', 'ConfigMap', objectMeta('settings'), stringMap(2, { 'app.conf': 'a=1\n' }), entry(3, 'logo', bytes(2, Buffer.from('PNG')))),
      expected: { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta('settings'), data: { 'app.conf': 'a=1\n' }, binaryData: { logo: 'UE5H' } },
    },
    {
      name: 'Lease with MicroTime renewTime',
      body: envelope(
        'coordination.k8s.io/v1',
        'Lease',
        objectMeta('node-1'),
        msg(2, str(1, 'node-1'), varint(2, 40), msg(4, varint(1, nov22), varint(2, 123456789)), varint(5, 0)),
      ),
      expected: {
        kind: 'Lease',
        apiVersion: 'coordination.k8s.io/v1',
        metadata: meta('node-1'),
        spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2026-11-22T03:00:00.123456Z', leaseTransitions: 0 },
      },
    },
    {
      name: 'EndpointSlice keeps ready=false (a pointer) and drops nothing set',
      body: envelope(
        'discovery.k8s.io/v1',
        'EndpointSlice',
        objectMeta('web-abc'),
        msg(2, str(1, '10.244.0.5'), msg(2, varint(1, false), varint(2, true), varint(3, false)), str(6, 'node-1')),
        msg(3, str(1, 'http'), str(2, 'TCP'), varint(3, 8080)),
        str(4, 'IPv4'),
      ),
      expected: {
        kind: 'EndpointSlice',
        apiVersion: 'discovery.k8s.io/v1',
        metadata: meta('web-abc'),
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: false, serving: true, terminating: false }, nodeName: 'node-1' }],
        ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
      },
    },
    {
      name: 'DeleteOptions with preconditions and a zero grace period',
      body: envelope('v1', 'DeleteOptions', varint(1, 0), msg(2, str(1, 'uid-1')), str(4, 'Foreground'), str(5, 'All')),
      expected: {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        gracePeriodSeconds: 0,
        preconditions: { uid: 'uid-1' },
        propagationPolicy: 'Foreground',
        dryRun: ['All'],
      },
    },
    {
      name: 'Scale',
      body: envelope('autoscaling/v1', 'Scale', objectMeta('web'), msg(2, varint(1, 3)), msg(3, varint(1, 0), str(2, ''))),
      expected: { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: meta('web'), spec: { replicas: 3 }, status: { replicas: 0 } },
    },
  ];
  for (const { name, body, expected } of cases) {
    test(name, () => assert.deepStrictEqual(decode(body), expected));
  }
});

describe('decodeKubernetesProtobuf: ObjectMeta', () => {
  test('owner references, finalizers, times and managed fields', () => {
    const body = envelope(
      'v1',
      'ConfigMap',
      objectMeta(
        'cm',
        msg(9, varint(1, nov22), varint(2, 0)),
        varint(10, 30),
        stringMap(12, { note: 'x' }),
        msg(13, str(1, 'ReplicaSet'), str(3, 'rs-1'), str(4, 'u-1'), str(5, 'apps/v1'), varint(6, true), varint(7, false)),
        str(14, 'example.com/guard'),
        msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), msg(4, varint(1, 0)), str(6, 'FieldsV1'), msg(7, str(1, '{"f:data":{}}'))),
      ),
    );
    assert.deepStrictEqual(decode(body).metadata, {
      name: 'cm',
      creationTimestamp: null,
      deletionTimestamp: '2026-11-22T03:00:00Z',
      deletionGracePeriodSeconds: 30,
      annotations: { note: 'x' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs-1', uid: 'u-1', controller: true, blockOwnerDeletion: false }],
      finalizers: ['example.com/guard'],
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '1970-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
    });
  });
});

describe('decodeKubernetesProtobuf: pod spec', () => {
  const container = msg(
    2,
    str(1, 'app'),
    str(2, 'busybox'),
    str(3, 'sh'),
    str(4, '-c'),
    msg(6, str(1, 'http'), varint(2, 0), varint(3, 8080), str(4, 'TCP'), str(5, '')),
    msg(7, str(1, 'POD_IP'), str(2, ''), msg(3, msg(1, str(1, 'v1'), str(2, 'status.podIP')))),
    msg(7, str(1, 'PASSWORD'), str(2, ''), msg(3, msg(4, msg(1, str(1, 'db')), str(2, 'pw'), varint(3, false)))),
    msg(8, entry(1, 'cpu', msg(2, str(1, '500m'))), entry(2, 'memory', msg(2, str(1, '64Mi')))),
    msg(9, str(1, 'data'), varint(2, true), str(3, '/data'), str(4, ''), str(6, '')),
    msg(11, msg(1, msg(2, str(1, '/healthy'), intOrString(2, 'http'), str(3, ''), str(4, 'HTTP'))), varint(2, 1), varint(3, 1), varint(4, 5), varint(5, 1), varint(6, 3)),
    msg(12, msg(2, msg(4, varint(1, 5)))),
    msg(15, varint(2, false), varint(4, -1)),
  );
  const podSpec = msg(
    2,
    msg(1, str(1, 'data'), msg(2, msg(2, str(1, 'Memory')))),
    msg(1, str(1, 'conf'), msg(2, msg(19, msg(1, str(1, 'settings')), varint(3, 420)))),
    container,
    str(3, 'Always'),
    varint(4, 30),
    str(6, 'ClusterFirst'),
    varint(11, false),
    msg(22, str(1, 'node.kubernetes.io/not-ready'), str(2, 'Exists'), str(3, ''), str(4, 'NoExecute'), varint(5, 300)),
    msg(26, str(1, '1.1.1.1'), msg(3, str(1, 'ndots'), str(2, '2'))),
    bytes(99, Buffer.from('field from a newer Kubernetes')),
  );

  test('containers, env sources, resources, probes, lifecycle, volumes, tolerations, dns', () => {
    const spec = decode(envelope('v1', 'Pod', objectMeta('p'), podSpec)).spec;
    assert.deepStrictEqual(spec, {
      volumes: [
        { name: 'data', emptyDir: { medium: 'Memory' } },
        { name: 'conf', configMap: { name: 'settings', defaultMode: 420 } },
      ],
      containers: [
        {
          name: 'app',
          image: 'busybox',
          command: ['sh'],
          args: ['-c'],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'pw', optional: false } } },
          ],
          resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
          volumeMounts: [{ name: 'data', readOnly: true, mountPath: '/data' }],
          readinessProbe: {
            httpGet: { path: '/healthy', port: 'http', scheme: 'HTTP' },
            initialDelaySeconds: 1,
            timeoutSeconds: 1,
            periodSeconds: 5,
            successThreshold: 1,
            failureThreshold: 3,
          },
          lifecycle: { preStop: { sleep: { seconds: 5 } } },
          securityContext: { privileged: false, runAsUser: -1 },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
    });
  });
});

describe('decodeKubernetesProtobuf: refusals', () => {
  const isReason = (reason: string) => (error: unknown) => error instanceof ProtobufDecodeError && error.reason === reason;
  const cases: Array<{ name: string; body: Buffer; reason: 'Malformed' | 'UnsupportedKind' }> = [
    { name: 'no magic prefix', body: Buffer.from('{"kind":"Namespace"}'), reason: 'Malformed' },
    { name: 'empty body', body: Buffer.alloc(0), reason: 'Malformed' },
    { name: 'truncated envelope', body: envelope('v1', 'Namespace', objectMeta('x')).subarray(0, 20), reason: 'Malformed' },
    { name: 'no kind in typeMeta', body: envelope('v1', '', objectMeta('x')), reason: 'Malformed' },
    { name: 'string field sent as a varint', body: envelope('v1', 'Namespace', msg(1, varint(1, 7))), reason: 'Malformed' },
    { name: 'unterminated varint', body: Buffer.concat([envelope('v1', 'Namespace'), Buffer.from([0x08, 0xff])]), reason: 'Malformed' },
    { name: 'FieldsV1 that is not JSON', body: envelope('v1', 'Namespace', objectMeta('x', msg(17, msg(7, str(1, '{nope'))))), reason: 'Malformed' },
    { name: 'unknown kind', body: envelope('rbac.authorization.k8s.io/v1', 'Role', objectMeta('r')), reason: 'UnsupportedKind' },
    { name: 'known kind in the wrong group', body: envelope('apps/v1beta1', 'Deployment', objectMeta('d')), reason: 'UnsupportedKind' },
  ];
  for (const { name, body, reason } of cases) {
    test(`${name} -> ${reason}`, () => assert.throws(() => decodeKubernetesProtobuf(body), isReason(reason)));
  }

  test('a double where a string is expected is malformed, not a crash', () => {
    assert.throws(() => decode(envelope('v1', 'Namespace', msg(1, fixed64(1, 1.5)))), isReason('Malformed'));
  });
});

describe('isKubernetesProtobuf', () => {
  const cases: Array<[string, boolean]> = [
    ['application/vnd.kubernetes.protobuf', true],
    ['application/vnd.kubernetes.protobuf; charset=utf-8', true],
    ['Application/VND.Kubernetes.Protobuf', true],
    ['application/vnd.kubernetes.protobuf;stream=watch', true],
    ['application/json', false],
    ['application/apply-patch+yaml', false],
    ['', false],
  ];
  for (const [contentType, expected] of cases) {
    test(`${JSON.stringify(contentType)} -> ${expected}`, () => assert.equal(isKubernetesProtobuf(contentType), expected));
  }
});
