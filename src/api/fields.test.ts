import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSelectorError, fieldValue, parseFieldSelector } from './fields.js';

const pod = {
  metadata: { name: 'web-0', namespace: 'default' },
  spec: { nodeName: 'node-1', restartPolicy: 'Always', hostNetwork: false },
  status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] },
};

describe('field selector matching', () => {
  const cases: Array<{ name: string; kind: string; text: string; obj: unknown; want: boolean }> = [
    { name: 'name equals', kind: 'Pod', text: 'metadata.name=web-0', obj: pod, want: true },
    { name: 'double equals', kind: 'Pod', text: 'metadata.name==web-1', obj: pod, want: false },
    { name: 'namespace not equal', kind: 'Pod', text: 'metadata.namespace!=default', obj: pod, want: false },
    { name: 'nodeName', kind: 'Pod', text: 'spec.nodeName=node-1,status.phase=Running', obj: pod, want: true },
    { name: 'unscheduled pods', kind: 'Pod', text: 'spec.nodeName=', obj: pod, want: false },
    { name: 'legacy spec.host', kind: 'Pod', text: 'spec.host=node-1', obj: pod, want: true },
    { name: 'hostNetwork false', kind: 'Pod', text: 'spec.hostNetwork=false', obj: pod, want: true },
    { name: 'podIP', kind: 'Pod', text: 'status.podIP=10.244.0.5', obj: pod, want: true },
    { name: 'secret type', kind: 'Secret', text: 'type=Opaque', obj: { metadata: { name: 's' }, type: 'Opaque' }, want: true },
    { name: 'event source', kind: 'Event', text: 'source=kubelet,involvedObject.kind=Pod', obj: { metadata: {}, source: { component: 'kubelet' }, involvedObject: { kind: 'Pod' } }, want: true },
    { name: 'node unschedulable', kind: 'Node', text: 'spec.unschedulable=true', obj: { metadata: { name: 'n' }, spec: {} }, want: false },
    { name: 'namespace phase', kind: 'Namespace', text: 'status.phase=Active', obj: { metadata: { name: 'a' }, status: { phase: 'Active' } }, want: true },
    { name: 'service type', kind: 'Service', text: 'spec.type=ClusterIP', obj: { metadata: {}, spec: { type: 'ClusterIP' } }, want: true },
    { name: 'escaped comma in value', kind: 'ConfigMap', text: 'metadata.name=a\\,b', obj: { metadata: { name: 'a,b' } }, want: true },
    { name: 'empty selector', kind: 'ConfigMap', text: '', obj: {}, want: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(parseFieldSelector(c.kind, c.text).matches(c.obj), c.want));
});

describe('field selector errors', () => {
  test('unknown field on a kind without conversions', () => {
    assert.throws(
      () => parseFieldSelector('Deployment', 'foo.bar=baz'),
      (err: unknown) =>
        err instanceof FieldSelectorError &&
        err.reason === 'UnsupportedField' &&
        err.message === '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
  test('unknown field on a pod', () => {
    assert.throws(() => parseFieldSelector('Pod', 'spec.foo=x'), { message: 'field label not supported: spec.foo' });
  });
  test('unknown field on a job', () => {
    assert.throws(() => parseFieldSelector('Job', 'status.succeeded=1'), { message: 'field label "status.succeeded" not supported for batchv1.Job' });
  });
  test('nodes do not select on namespace', () => {
    assert.throws(() => parseFieldSelector('Node', 'metadata.namespace=x'), FieldSelectorError);
  });
  for (const text of ['metadata.name', 'metadata.name~x', 'metadata.name=a\\qb']) {
    test(`syntax: ${text}`, () => {
      assert.throws(() => parseFieldSelector('Pod', text), (err: unknown) => err instanceof FieldSelectorError && err.reason === 'Invalid');
    });
  }
});

describe('fieldValue', () => {
  test('supported field', () => assert.equal(fieldValue('Pod', pod, 'spec.nodeName'), 'node-1'));
  test('unsupported field', () => assert.equal(fieldValue('Pod', pod, 'spec.foo'), undefined));
  test('job successful count', () => assert.equal(fieldValue('Job', { status: { succeeded: 2 } }, 'status.successful'), '2'));
});
