import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import {
  applyConflictError,
  applyServerSide,
  formatApplyConflicts,
  recordUpdateManager,
  type ApplyOptions,
} from './index.js';
import { kubeLookup } from './testing.js';

const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T11:00:00Z';

/** An applied Service configuration, as `kubectl apply --server-side` sends it. */
const serviceConfig = (opts: { labels?: Record<string, string>; targetPort?: number; ports?: number[] } = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', labels: opts.labels ?? { app: 'web' } },
  spec: {
    selector: { app: 'web' },
    ports: (opts.ports ?? [80]).map((port) => ({ port, targetPort: opts.targetPort ?? 8080 })),
  },
});

function apply(live: KubeObject | undefined, applied: Record<string, unknown>, extra: Partial<ApplyOptions> = {}) {
  return applyServerSide({ live, applied, manager: 'kubectl', force: false, lookup: kubeLookup, now: T0, apiVersion: 'v1', ...extra });
}

function managersOf(obj: KubeObject): string[] {
  return (obj.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);
}

function fieldsOf(obj: KubeObject, manager: string): unknown {
  return obj.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1;
}

const portKey = (port: number) => `k:${JSON.stringify({ port, protocol: 'TCP' })}`;

describe('applyServerSide', () => {
  test('creates the object and records the applier in FieldsV1 format', () => {
    const { object, conflicts } = apply(undefined, serviceConfig());
    assert.deepEqual(conflicts, []);
    assert.deepEqual(object.spec, serviceConfig().spec);
    assert.deepEqual(object.metadata.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:ports': { [portKey(80)]: { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
            'f:selector': {},
          },
        },
      },
    ]);
  });

  const removals: Array<{ name: string; next: ReturnType<typeof serviceConfig>; check: (o: KubeObject) => void }> = [
    {
      name: 'a label no longer applied is removed',
      next: serviceConfig({ labels: { tier: 'front' } }),
      check: (o) => assert.deepEqual(o.metadata.labels, { tier: 'front' }),
    },
    {
      name: 'a port no longer applied is removed',
      next: serviceConfig({ ports: [443] }),
      check: (o) => assert.deepEqual(o.spec, { selector: { app: 'web' }, ports: [{ port: 443, targetPort: 8080 }] }),
    },
  ];
  for (const r of removals) {
    test(`re-apply: ${r.name}`, () => {
      const first = apply(undefined, serviceConfig({ ports: [80] })).object;
      const { object, conflicts } = apply(first, r.next, { now: T1 });
      assert.deepEqual(conflicts, []);
      r.check(object);
    });
  }

  test('a field another manager also owns survives when the applier drops it', () => {
    const first = apply(undefined, serviceConfig({ labels: { app: 'web', team: 'x' } })).object;
    const second = apply(first, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { team: 'x' } } }, { manager: 'other' }).object;
    const third = apply(second, serviceConfig({ labels: { app: 'web' } })).object;
    assert.deepEqual(third.metadata.labels, { app: 'web', team: 'x' });
  });

  test('two appliers setting different values conflict', () => {
    const first = apply(undefined, serviceConfig({ targetPort: 8080 })).object;
    const { object, conflicts } = apply(first, serviceConfig({ targetPort: 9090 }), { manager: 'deployer' });
    assert.deepEqual(conflicts, [
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', field: '.spec.ports[port=80,protocol="TCP"].targetPort' },
    ]);
    assert.equal(formatApplyConflicts(conflicts), 'Apply failed with 1 conflict: conflict with "kubectl": .spec.ports[port=80,protocol="TCP"].targetPort');
    assert.deepEqual(object, first, 'the live object is returned unchanged');
  });

  test('the same value applied by two managers is shared, not a conflict', () => {
    const first = apply(undefined, serviceConfig()).object;
    const { object, conflicts } = apply(first, serviceConfig(), { manager: 'deployer' });
    assert.deepEqual(conflicts, []);
    // Sorted as upstream encodes them: operation, time, then manager name.
    assert.deepEqual(managersOf(object), ['deployer/Apply', 'kubectl/Apply']);
  });

  test('force takes ownership of the conflicting field', () => {
    const first = apply(undefined, serviceConfig({ targetPort: 8080 })).object;
    const { object, conflicts } = apply(first, serviceConfig({ targetPort: 9090 }), { manager: 'deployer', force: true, now: T1 });
    assert.deepEqual(conflicts, []);
    assert.deepEqual(object.spec, serviceConfig({ targetPort: 9090 }).spec);
    const kubectlFields = fieldsOf(object, 'kubectl') as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(kubectlFields['f:spec']?.['f:ports']?.[portKey(80)], { '.': {}, 'f:port': {} });
  });

  test('conflicts with an Update manager name its version', () => {
    const created = recordUpdateManager({
      old: undefined,
      updated: serviceConfig() as KubeObject,
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      now: T0,
      apiVersion: 'v1',
      lookup: kubeLookup,
    });
    const { conflicts } = apply(created, serviceConfig({ targetPort: 9090 }));
    assert.equal(
      formatApplyConflicts(conflicts),
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[port=80,protocol="TCP"].targetPort',
    );
    const status = applyConflictError(conflicts).toStatus();
    assert.equal(status.code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.deepEqual(status.details?.causes, [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-client-side-apply" using v1',
        field: '.spec.ports[port=80,protocol="TCP"].targetPort',
      },
    ]);
  });

  test('an untracked live object is credited to before-first-apply', () => {
    const live = { ...serviceConfig(), metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '5' } } as KubeObject;
    const { conflicts } = apply(live, serviceConfig({ targetPort: 1 }));
    assert.deepEqual(conflicts.map((c) => `${c.manager} ${c.field}`), ['before-first-apply .spec.ports[port=80,protocol="TCP"].targetPort']);
  });

  test('an applied port without protocol finds the live TCP port', () => {
    const live = recordUpdateManager({
      old: undefined,
      updated: { ...serviceConfig(), spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 2 }] } } as KubeObject,
      manager: 'kubectl-create',
      operation: 'Update',
      now: T0,
      apiVersion: 'v1',
      lookup: kubeLookup,
    });
    const { object, conflicts } = apply(live, { ...serviceConfig(), spec: { ports: [{ port: 80, targetPort: 2 }] } });
    assert.deepEqual(conflicts, []);
    assert.deepEqual((object.spec as { ports: unknown }).ports, [{ port: 80, protocol: 'TCP', targetPort: 2 }]);
  });

  test('several conflicts are grouped by manager', () => {
    assert.equal(
      formatApplyConflicts([
        { manager: 'b', operation: 'Apply', field: '.spec.x' },
        { manager: 'a', operation: 'Update', apiVersion: 'apps/v1', field: '.spec.replicas' },
        { manager: 'a', operation: 'Update', apiVersion: 'apps/v1', field: '.spec.paused' },
      ]),
      'Apply failed with 3 conflicts: conflicts with "a" using apps/v1:\n- .spec.replicas\n- .spec.paused\nconflicts with "b":\n- .spec.x',
    );
  });
});

describe('recordUpdateManager', () => {
  const deployment = (replicas: number, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels },
    spec: { replicas, template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  });
  const record = (old: KubeObject | undefined, updated: KubeObject, manager: string, now = T0) =>
    recordUpdateManager({ old, updated, manager, operation: 'Update', now, apiVersion: 'apps/v1', lookup: kubeLookup });

  test('a create credits every field, new maps and items with "."', () => {
    const created = record(undefined, deployment(1), 'kubectl-create');
    assert.deepEqual(created.metadata.managedFields, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:template': {
              '.': {},
              'f:spec': {
                '.': {},
                'f:containers': { '.': {}, 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
              },
            },
          },
        },
      },
    ]);
  });

  test('an update moves a changed field to its writer and keeps the rest', () => {
    const created = record(undefined, deployment(1), 'kubectl-create');
    const scaled = record(created, { ...deployment(3), metadata: created.metadata }, 'kubectl-scale', T1);
    assert.deepEqual(managersOf(scaled), ['kubectl-create/Update', 'kubectl-scale/Update']);
    assert.deepEqual(fieldsOf(scaled, 'kubectl-scale'), { 'f:spec': { 'f:replicas': {} } });
    const createFields = fieldsOf(scaled, 'kubectl-create') as { 'f:spec': Record<string, unknown> };
    assert.equal('f:replicas' in createFields['f:spec'], false);
  });

  test('a write that changes nothing keeps the entry and its time', () => {
    const created = record(undefined, deployment(1), 'kubectl-create');
    const again = record(created, created, 'kubectl-create', T1);
    assert.deepEqual(again.metadata.managedFields, created.metadata.managedFields);
  });

  test('a manager left owning nothing disappears', () => {
    const created = record(undefined, deployment(1, {}), 'a');
    const relabeled = record(created, { ...deployment(1, { x: 'y' }), metadata: { ...created.metadata, labels: { x: 'y' } } }, 'b');
    const removed = record(relabeled, { ...relabeled, metadata: { ...relabeled.metadata, labels: {} } }, 'c');
    assert.deepEqual(managersOf(removed), ['a/Update']);
  });
});
