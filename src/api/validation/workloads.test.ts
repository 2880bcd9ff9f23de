import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultJobSelector } from '../defaults/index.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';
import { type Case, assertErrors, runCases, template, workload } from './testing.js';

const mismatch = '`selector` does not match template `labels`';

const apps: Case[] = [
  { name: 'valid Deployment', kind: 'Deployment', obj: workload('Deployment'), want: [] },
  {
    name: 'Deployment selector mismatch',
    kind: 'Deployment',
    obj: workload('Deployment', { template: template({ app: 'other' }) }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: mismatch }],
  },
  { name: 'Deployment without selector', kind: 'Deployment', obj: workload('Deployment', { selector: undefined }), want: [{ type: 'FieldValueRequired', field: 'spec.selector' }] },
  { name: 'Deployment empty selector', kind: 'Deployment', obj: workload('Deployment', { selector: {} }), want: [{ type: 'FieldValueInvalid', field: 'spec.selector' }] },
  { name: 'Deployment negative replicas', kind: 'Deployment', obj: workload('Deployment', { replicas: -1 }), want: [{ type: 'FieldValueInvalid', field: 'spec.replicas' }] },
  {
    name: 'Deployment with Never restart',
    kind: 'Deployment',
    obj: workload('Deployment', { template: template({ app: 'web' }, { restartPolicy: 'Never' }) }),
    want: [{ type: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy' }],
  },
  {
    name: 'Deployment both zero',
    kind: 'Deployment',
    obj: workload('Deployment', { strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxUnavailable' }],
  },
  {
    name: 'Deployment bad percent',
    kind: 'Deployment',
    obj: workload('Deployment', { strategy: { rollingUpdate: { maxSurge: '150%' } } }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxSurge' }],
  },
  { name: 'valid ReplicaSet', kind: 'ReplicaSet', obj: workload('ReplicaSet'), want: [] },
  {
    name: 'matchExpressions selector',
    kind: 'ReplicaSet',
    obj: workload('ReplicaSet', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } }),
    want: [],
  },
  {
    name: 'In without values',
    kind: 'ReplicaSet',
    obj: workload('ReplicaSet', { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }),
    want: [{ type: 'FieldValueRequired', field: 'spec.selector.matchExpressions[0].values' }],
  },
  { name: 'valid StatefulSet', kind: 'StatefulSet', obj: workload('StatefulSet', { serviceName: 'web' }), want: [] },
  { name: 'StatefulSet dotted name', kind: 'StatefulSet', obj: workload('StatefulSet', {}, 'web.v1'), want: [{ type: 'FieldValueInvalid', field: 'metadata.name' }] },
  { name: 'StatefulSet bad policy', kind: 'StatefulSet', obj: workload('StatefulSet', { podManagementPolicy: 'Fast' }), want: [{ type: 'FieldValueNotSupported', field: 'spec.podManagementPolicy' }] },
  { name: 'valid DaemonSet', kind: 'DaemonSet', obj: workload('DaemonSet'), want: [] },
  {
    name: 'DaemonSet selector mismatch',
    kind: 'DaemonSet',
    obj: workload('DaemonSet', { template: template({ app: 'x' }) }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: mismatch }],
  },
];

const appsUpdate: Case[] = [
  {
    name: 'Deployment selector changed',
    kind: 'Deployment',
    old: workload('Deployment'),
    obj: workload('Deployment', { selector: { matchLabels: { app: 'web', tier: 'x' } }, template: template({ app: 'web', tier: 'x' }) }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.selector', message: 'field is immutable' }],
  },
  { name: 'Deployment scaled', kind: 'Deployment', old: workload('Deployment'), obj: workload('Deployment', { replicas: 5 }), want: [] },
  {
    name: 'StatefulSet serviceName changed',
    kind: 'StatefulSet',
    old: workload('StatefulSet', { serviceName: 'a' }),
    obj: workload('StatefulSet', { serviceName: 'b' }),
    want: [{ type: 'FieldValueForbidden', field: 'spec' }],
  },
];

describe('apps/v1 create validation', () => runCases(apps, { group: 'apps', kind: 'Deployment' }));
describe('apps/v1 update validation', () => runCases(appsUpdate, { group: 'apps', kind: 'Deployment' }));

const rc: Case[] = [
  { name: 'RC selector defaulted from template', obj: { ...workload('ReplicationController'), spec: { template: template() } }, want: [] },
  {
    name: 'RC selector mismatch',
    obj: { ...workload('ReplicationController'), spec: { selector: { app: 'other' }, template: template() } },
    want: [{ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: mismatch }],
  },
];
describe('ReplicationController validation', () => runCases(rc, { group: '', kind: 'ReplicationController' }));

function job(spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'u-1' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } }, ...spec },
  };
}

function createJob(obj: Record<string, unknown>): ReturnType<typeof validateCreate> {
  const copy = structuredClone(obj);
  applyDefaults('batch', 'Job', copy);
  defaultJobSelector(copy, 'u-1');
  return validateCreate('batch', 'Job', copy);
}

describe('Job validation', () => {
  test('valid job with generated selector', () => assertErrors(createJob(job()), []));
  test('restartPolicy Always is refused', () => {
    const obj = job({ template: { spec: { restartPolicy: 'Always', containers: [{ name: 'pi', image: 'perl' }] } } });
    assertErrors(createJob(obj), [{ type: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy' }]);
  });
  test('manual selector that does not match', () => {
    const obj = job({ manualSelector: true, selector: { matchLabels: { a: 'b' } } });
    assertErrors(createJob(obj), [{ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: mismatch }]);
  });
  test('Indexed without completions', () => {
    const obj = job({ completionMode: 'Indexed', parallelism: 2 });
    assertErrors(createJob(obj), [{ type: 'FieldValueRequired', field: 'spec.completions' }]);
  });
  test('template is immutable', () => {
    const old = structuredClone(job());
    applyDefaults('batch', 'Job', old);
    defaultJobSelector(old, 'u-1');
    const changed = structuredClone(old);
    const podSpec = (changed.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec;
    const first = podSpec.containers[0];
    assert.ok(first);
    first.image = 'perl:2';
    assertErrors(validateUpdate('batch', 'Job', changed, old), [{ type: 'FieldValueInvalid', field: 'spec.template', message: 'field is immutable' }]);
  });
});
