import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resources } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import { parseIncludeObject, tableColumns, toTable } from './index.js';
import { ago, now } from './testing.js';

function newConfigMap(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', resourceVersion: '41', creationTimestamp: ago(10), labels: { app: 'web' } },
    data: { key: 'value' },
  };
}

describe('toTable', () => {
  const objs = [newConfigMap('a'), newConfigMap('b')];

  test('shape of a list table', () => {
    const table = toTable('', 'configmaps', objs, { now, includeObject: 'None', listMeta: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 } });
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.metadata, { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 });
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Data', 'Age']);
    assert.deepEqual(table.rows, [{ cells: ['a', 1, '10s'] }, { cells: ['b', 1, '10s'] }]);
  });

  test('empty list meta fields are omitted', () => {
    const table = toTable('', 'configmaps', [], { now, includeObject: 'Metadata', listMeta: { resourceVersion: '7', continue: '' } });
    assert.deepEqual(table.metadata, { resourceVersion: '7' });
    assert.deepEqual(table.rows, []);
    assert.deepEqual(toTable('', 'configmaps', [], { now, includeObject: 'Metadata' }).metadata, {});
  });

  test('includeObject=Metadata rows carry PartialObjectMetadata', () => {
    const table = toTable('', 'configmaps', objs, { now, includeObject: 'Metadata' });
    assert.deepEqual(table.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: objs[0]?.metadata });
  });

  test('includeObject=Object rows carry the whole object', () => {
    const table = toTable('', 'configmaps', objs, { now, includeObject: 'Object' });
    assert.deepEqual(table.rows.map((r) => r.object), objs);
  });

  test('includeObject=None rows carry no object', () => {
    const table = toTable('', 'configmaps', objs, { now, includeObject: 'None' });
    assert.ok(table.rows.every((r) => !('object' in r)));
  });

  test('noHeaders leaves the column definitions empty, as on later watch events', () => {
    const table = toTable('', 'configmaps', objs.slice(0, 1), { now, includeObject: 'Metadata', noHeaders: true });
    assert.deepEqual(table.columnDefinitions, []);
    assert.deepEqual(table.rows[0]?.cells, ['a', 1, '10s']);
  });

  test('serialises as kubectl expects', () => {
    const json: unknown = JSON.parse(JSON.stringify(toTable('', 'configmaps', objs.slice(0, 1), { now, includeObject: 'None' })));
    assert.deepEqual(json, {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
      columnDefinitions: tableColumns('', 'configmaps'),
      rows: [{ cells: ['a', 1, '10s'] }],
    });
  });
});

describe('tableColumns', () => {
  const expected: [string, string, string[], string[]][] = [
    ['', 'pods', ['Name', 'Ready', 'Status', 'Restarts', 'Age'], ['IP', 'Node', 'Nominated Node', 'Readiness Gates']],
    ['', 'services', ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age'], ['Selector']],
    ['', 'endpoints', ['Name', 'Endpoints', 'Age'], []],
    ['discovery.k8s.io', 'endpointslices', ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'], []],
    ['apps', 'deployments', ['Name', 'Ready', 'Up-to-date', 'Available', 'Age'], ['Containers', 'Images', 'Selector']],
    ['apps', 'replicasets', ['Name', 'Desired', 'Current', 'Ready', 'Age'], ['Containers', 'Images', 'Selector']],
    ['', 'replicationcontrollers', ['Name', 'Desired', 'Current', 'Ready', 'Age'], ['Containers', 'Images', 'Selector']],
    ['apps', 'statefulsets', ['Name', 'Ready', 'Age'], ['Containers', 'Images']],
    ['apps', 'daemonsets', ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age'], ['Containers', 'Images', 'Selector']],
    ['batch', 'jobs', ['Name', 'Status', 'Completions', 'Duration', 'Age'], ['Containers', 'Images', 'Selector']],
    ['', 'namespaces', ['Name', 'Status', 'Age'], []],
    ['', 'nodes', ['Name', 'Status', 'Roles', 'Age', 'Version'], ['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']],
    ['', 'events', ['Last Seen', 'Type', 'Reason', 'Object', 'Message'], ['Subobject', 'Source', 'First Seen', 'Count', 'Name']],
    ['', 'configmaps', ['Name', 'Data', 'Age'], []],
    ['', 'secrets', ['Name', 'Type', 'Data', 'Age'], []],
    ['', 'serviceaccounts', ['Name', 'Secrets', 'Age'], []],
    ['coordination.k8s.io', 'leases', ['Name', 'Holder', 'Age'], []],
    ['apps', 'controllerrevisions', ['Name', 'Controller', 'Revision', 'Age'], []],
    ['example.com', 'widgets', ['Name', 'Created At'], []],
  ];
  for (const [group, resource, normal, wide] of expected) {
    test(`${group || 'core'}/${resource}`, () => {
      const columns = tableColumns(group, resource);
      assert.deepEqual(columns.filter((c) => c.priority === 0).map((c) => c.name), normal);
      assert.deepEqual(columns.filter((c) => c.priority === 1).map((c) => c.name), wide);
    });
  }

  test('every column is fully described; only Name has the name format', () => {
    for (const r of resources) {
      for (const c of tableColumns(r.group, r.plural)) {
        assert.ok(c.description.length > 0, `${r.plural} ${c.name}`);
        assert.equal(c.format, c.name === 'Name' ? 'name' : '', `${r.plural} ${c.name}`);
        assert.ok(['string', 'integer', 'date'].includes(c.type), `${r.plural} ${c.name}`);
      }
    }
  });

  test('every served resource prints as many cells as it has columns, even for a bare object', () => {
    for (const r of resources) {
      const table = toTable(r.group, r.plural, [{ metadata: { name: 'bare' } }], { now, includeObject: 'None' });
      assert.equal(table.rows[0]?.cells.length, table.columnDefinitions.length, r.plural);
    }
  });
});

describe('default table', () => {
  test('Name and Created At in RFC 3339 UTC', () => {
    const widget: KubeObject = { metadata: { name: 'w', creationTimestamp: '2024-04-30T08:15:00.250Z' } };
    const table = toTable('example.com', 'widgets', [widget, { metadata: { name: 'new' } }], { now, includeObject: 'None' });
    assert.deepEqual(table.columnDefinitions[1]?.type, 'date');
    assert.deepEqual(table.rows.map((r) => r.cells), [['w', '2024-04-30T08:15:00Z'], ['new', '0001-01-01T00:00:00Z']]);
  });
});

describe('parseIncludeObject', () => {
  const cases: [string | null | undefined, string][] = [
    [null, 'Metadata'],
    [undefined, 'Metadata'],
    ['', 'Metadata'],
    ['Metadata', 'Metadata'],
    ['Object', 'Object'],
    ['None', 'None'],
  ];
  for (const [value, expected] of cases) test(`${String(value)} -> ${expected}`, () => assert.equal(parseIncludeObject(value), expected));

  test('anything else is a BadRequest', () => {
    assert.throws(
      () => parseIncludeObject('object'),
      (err: unknown) => isStatusError(err, 'BadRequest') && err.code === 400 && err.message.includes('includeObject: Invalid value: "object"'),
    );
  });
});
