import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldRefValue, resourceFieldRefValue, type PodRuntimeFacts } from './downward.js';
import { parseQuantity } from './quantity.js';
import { newPod } from './test-fixtures.js';
import type { ContainerSpec } from './types.js';

const facts: PodRuntimeFacts = {
  podIPs: ['10.244.0.5', 'fd00::5'],
  hostIPs: ['192.168.1.10', 'fd00:1::10'],
  nodeName: 'node-from-agent',
  serviceAccountName: 'sa-from-agent',
  nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
};

describe('fieldRefValue', () => {
  const pod = newPod(
    { nodeName: 'node-1', serviceAccountName: 'builder' },
    { labels: { app: 'web', tier: 'front' }, annotations: { 'example.com/x': 'y' } },
  );
  const cases: [string, string][] = [
    ['metadata.name', 'web-0'],
    ['metadata.namespace', 'shop'],
    ['metadata.uid', 'uid-1'],
    ["metadata.labels['app']", 'web'],
    ["metadata.labels['missing']", ''],
    ["metadata.annotations['example.com/x']", 'y'],
    ['metadata.labels', 'app="web"\ntier="front"'],
    ['spec.nodeName', 'node-1'],
    ['spec.serviceAccountName', 'builder'],
    ['status.podIP', '10.244.0.5'],
    ['status.podIPs', '10.244.0.5,fd00::5'],
    ['status.hostIP', '192.168.1.10'],
    ['status.hostIPs', '192.168.1.10,fd00:1::10'],
  ];
  for (const [path, want] of cases) {
    test(path, () => assert.deepEqual(fieldRefValue(pod, path, facts), { ok: true, value: want }));
  }
  test('nodeName and serviceAccountName fall back to the facts', () => {
    assert.deepEqual(fieldRefValue(newPod(), 'spec.nodeName', facts), { ok: true, value: 'node-from-agent' });
    assert.deepEqual(fieldRefValue(newPod(), 'spec.serviceAccountName', facts), { ok: true, value: 'sa-from-agent' });
  });
  test('unsupported path', () => {
    assert.deepEqual(fieldRefValue(pod, 'spec.dnsPolicy', facts), { ok: false, message: 'unsupported fieldPath: spec.dnsPolicy' });
  });
});

describe('resourceFieldRefValue', () => {
  const app: ContainerSpec = {
    name: 'app',
    resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
  };
  const bare: ContainerSpec = { name: 'bare' };
  const limitsOnly: ContainerSpec = { name: 'lim', resources: { limits: { cpu: '1500m', memory: '1G' } } };
  const pod = newPod({ containers: [app, bare, limitsOnly] });
  const cases: { name: string; container: ContainerSpec; resource: string; divisor?: string; containerName?: string; want: string }[] = [
    { name: 'limits.cpu rounds up to whole cores', container: app, resource: 'limits.cpu', want: '1' },
    { name: 'limits.cpu in millicores', container: app, resource: 'limits.cpu', divisor: '1m', want: '500' },
    { name: 'requests.cpu in millicores', container: app, resource: 'requests.cpu', divisor: '1m', want: '250' },
    { name: 'limits.memory in bytes', container: app, resource: 'limits.memory', want: '134217728' },
    { name: 'limits.memory in Mi', container: app, resource: 'limits.memory', divisor: '1Mi', want: '128' },
    { name: 'requests.memory in M rounds up', container: app, resource: 'requests.memory', divisor: '1M', want: '68' },
    { name: 'no limit: node allocatable cpu', container: bare, resource: 'limits.cpu', want: '4' },
    { name: 'no limit: node allocatable memory in Gi', container: bare, resource: 'limits.memory', divisor: '1Gi', want: '8' },
    { name: 'no request and no limit: zero', container: bare, resource: 'requests.cpu', want: '0' },
    { name: 'no request: the limit, as API defaulting stores it', container: limitsOnly, resource: 'requests.cpu', divisor: '1m', want: '1500' },
    { name: 'limits.memory 1G in Mi rounds up', container: limitsOnly, resource: 'limits.memory', divisor: '1Mi', want: '954' },
    { name: 'containerName selects another container', container: bare, containerName: 'app', resource: 'limits.cpu', divisor: '1m', want: '500' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const selector = { resource: c.resource, ...(c.divisor ? { divisor: c.divisor } : {}), ...(c.containerName ? { containerName: c.containerName } : {}) };
      assert.deepEqual(resourceFieldRefValue(pod, c.container, selector, facts), { ok: true, value: c.want });
    });
  }
  test('unsupported resource', () => {
    assert.deepEqual(resourceFieldRefValue(pod, app, { resource: 'limits.gpu' }, facts), {
      ok: false,
      message: 'Unsupported container resource : limits.gpu',
    });
  });
});

describe('parseQuantity', () => {
  const cases: [string, bigint, bigint][] = [
    ['1', 1n, 1n],
    ['500m', 500n, 1000n],
    ['1.5', 15n, 10n],
    ['2Ki', 2048n, 1n],
    ['1e3', 1000n, 1n],
    ['3k', 3000n, 1n],
    ['1Ei', 2n ** 60n, 1n],
  ];
  for (const [text, numerator, denominator] of cases) {
    test(text, () => assert.deepEqual(parseQuantity(text), { numerator, denominator }));
  }
  test('garbage', () => assert.equal(parseQuantity('12x'), undefined));
});
