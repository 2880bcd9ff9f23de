import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { containerEnv, type ContainerEnvOptions } from './env.js';
import { newConfigMap, newPod, newSecret, newService } from './test-fixtures.js';
import type { ContainerSpec, PodSpecFields } from './types.js';

const kubernetes = newService('kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }, 'default');
const kubernetesEnv = [
  { name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' },
  { name: 'KUBERNETES_SERVICE_PORT', value: '443' },
  { name: 'KUBERNETES_SERVICE_PORT_HTTPS', value: '443' },
  { name: 'KUBERNETES_PORT', value: 'tcp://10.96.0.1:443' },
  { name: 'KUBERNETES_PORT_443_TCP', value: 'tcp://10.96.0.1:443' },
  { name: 'KUBERNETES_PORT_443_TCP_PROTO', value: 'tcp' },
  { name: 'KUBERNETES_PORT_443_TCP_PORT', value: '443' },
  { name: 'KUBERNETES_PORT_443_TCP_ADDR', value: '10.96.0.1' },
];
const web = newService('web', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] });
const webEnv = [
  { name: 'WEB_SERVICE_HOST', value: '10.96.5.5' },
  { name: 'WEB_SERVICE_PORT', value: '80' },
  { name: 'WEB_PORT', value: 'tcp://10.96.5.5:80' },
  { name: 'WEB_PORT_80_TCP', value: 'tcp://10.96.5.5:80' },
  { name: 'WEB_PORT_80_TCP_PROTO', value: 'tcp' },
  { name: 'WEB_PORT_80_TCP_PORT', value: '80' },
  { name: 'WEB_PORT_80_TCP_ADDR', value: '10.96.5.5' },
];

const objects: Record<string, KubeObject> = {
  'configmap/settings': newConfigMap('settings', { mode: 'fast', level: '3' }),
  'configmap/odd': newConfigMap('odd', { '1badkey': 'x', good: 'y' }),
  'secret/creds': newSecret('creds', { password: 's3cret', user: 'admin' }),
};

function options(extra: Partial<ContainerEnvOptions> = {}): ContainerEnvOptions {
  return {
    services: [kubernetes, web],
    podIPs: ['10.244.0.5'],
    hostIPs: ['192.168.1.10'],
    configMap: (name) => objects[`configmap/${name}`],
    secret: (name) => objects[`secret/${name}`],
    ...extra,
  };
}

function envOf(container: Omit<ContainerSpec, 'name'>, spec: PodSpecFields = {}, extra: Partial<ContainerEnvOptions> = {}) {
  const c: ContainerSpec = { name: 'app', ...container };
  return containerEnv(newPod({ ...spec, containers: [c] }), c, options(extra));
}

describe('containerEnv', () => {
  test('service links only: kubernetes then the namespace services, by name', () => {
    assert.deepEqual(envOf({}), { ok: true, value: { env: [...kubernetesEnv, ...webEnv], events: [] } });
  });

  test('enableServiceLinks=false keeps only the kubernetes service', () => {
    assert.deepEqual(envOf({}, { enableServiceLinks: false }), { ok: true, value: { env: kubernetesEnv, events: [] } });
  });

  const cases: { name: string; container: Omit<ContainerSpec, 'name'>; want: { name: string; value: string }[] }[] = [
    {
      name: 'values expand earlier env vars; later vars stay literal',
      container: {
        env: [
          { name: 'A', value: 'a' },
          { name: 'B', value: '$(A)-$(C)' },
          { name: 'C', value: 'c' },
          { name: 'D', value: '$$(A) $(UNKNOWN)' },
        ],
      },
      want: [
        { name: 'A', value: 'a' },
        { name: 'B', value: 'a-$(C)' },
        { name: 'C', value: 'c' },
        { name: 'D', value: '$(A) $(UNKNOWN)' },
      ],
    },
    {
      name: 'fieldRef sources',
      container: {
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'GREETING', value: 'I am $(POD_NAME)' },
        ],
      },
      want: [
        { name: 'POD_NAME', value: 'web-0' },
        { name: 'POD_IP', value: '10.244.0.5' },
        { name: 'HOST_IP', value: '192.168.1.10' },
        { name: 'GREETING', value: 'I am web-0' },
      ],
    },
    {
      name: 'configMapKeyRef, secretKeyRef and optional misses',
      container: {
        env: [
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'NO_KEY', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope', optional: true } } },
          { name: 'NO_MAP', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k', optional: true } } },
          { name: 'NO_SECRET', valueFrom: { secretKeyRef: { name: 'absent', key: 'k', optional: true } } },
          { name: 'EMPTY' },
        ],
      },
      want: [
        { name: 'MODE', value: 'fast' },
        { name: 'PASSWORD', value: 's3cret' },
        { name: 'EMPTY', value: '' },
      ],
    },
    {
      name: 'envFrom with prefix, env overrides in place, optional source absent',
      container: {
        envFrom: [
          { configMapRef: { name: 'settings' }, prefix: 'CFG_' },
          { secretRef: { name: 'creds' } },
          { configMapRef: { name: 'absent', optional: true } },
        ],
        env: [
          { name: 'user', value: 'root' },
          { name: 'LEVEL', value: 'L$(CFG_level)' },
        ],
      },
      want: [
        { name: 'CFG_mode', value: 'fast' },
        { name: 'CFG_level', value: '3' },
        { name: 'password', value: 's3cret' },
        { name: 'user', value: 'root' },
        { name: 'LEVEL', value: 'L3' },
      ],
    },
    {
      name: 'resourceFieldRef with node allocatable default',
      container: {
        resources: { limits: { memory: '256Mi' } },
        env: [
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        ],
      },
      want: [
        { name: 'MEM', value: '256' },
        { name: 'CPU', value: '2000' },
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = envOf(c.container, { enableServiceLinks: false }, { services: [], nodeAllocatable: { cpu: '2', memory: '4Gi' } });
      assert.deepEqual(result, { ok: true, value: { env: c.want, events: [] } });
    });
  }

  test('values expand service variables, even with enableServiceLinks=false for kubernetes', () => {
    const result = envOf({ env: [{ name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }] }, { enableServiceLinks: false });
    assert.deepEqual(result, { ok: true, value: { env: [...kubernetesEnv, { name: 'API', value: 'https://10.96.0.1:443' }], events: [] } });
  });

  test('a container variable replaces the service variable of the same name', () => {
    const result = envOf({ env: [{ name: 'WEB_SERVICE_HOST', value: 'override' }] }, {}, { services: [web] });
    assert.deepEqual(result, {
      ok: true,
      value: { env: [...webEnv.filter((v) => v.name !== 'WEB_SERVICE_HOST'), { name: 'WEB_SERVICE_HOST', value: 'override' }], events: [] },
    });
  });

  test('strict name validation skips invalid envFrom keys with an event', () => {
    const result = envOf({ envFrom: [{ configMapRef: { name: 'odd' } }] }, { enableServiceLinks: false }, { services: [], envVarNameValidation: 'strict' });
    assert.deepEqual(result, {
      ok: true,
      value: {
        env: [{ name: 'good', value: 'y' }],
        events: [
          {
            reason: 'InvalidEnvironmentVariableNames',
            message: 'Keys [1badkey] from the EnvFrom configMap shop/odd were skipped since they are considered invalid environment variable names.',
          },
        ],
      },
    });
  });

  test('relaxed name validation (the 1.32 default) keeps them', () => {
    const result = envOf({ envFrom: [{ configMapRef: { name: 'odd' } }] }, { enableServiceLinks: false }, { services: [] });
    assert.deepEqual(result.ok && result.value.env.map((v) => v.name), ['1badkey', 'good']);
  });

  const errors: { name: string; container: Omit<ContainerSpec, 'name'>; message: string }[] = [
    { name: 'missing configmap', container: { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] }, message: 'configmap "absent" not found' },
    { name: 'missing secret', container: { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }] }, message: 'secret "absent" not found' },
    { name: 'missing configmap key', container: { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'k' } } }] }, message: "couldn't find key k in ConfigMap shop/settings" },
    { name: 'missing secret key', container: { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, message: "couldn't find key k in Secret shop/creds" },
    { name: 'missing envFrom configmap', container: { envFrom: [{ configMapRef: { name: 'absent' } }] }, message: 'configmap "absent" not found' },
    { name: 'missing envFrom secret', container: { envFrom: [{ secretRef: { name: 'absent' } }] }, message: 'secret "absent" not found' },
    { name: 'unsupported fieldPath', container: { env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }, message: 'unsupported fieldPath: spec.bogus' },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, () => {
      assert.deepEqual(envOf(c.container), { ok: false, error: { reason: 'CreateContainerConfigError', message: c.message } });
    });
  }
});
