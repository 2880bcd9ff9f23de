import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, genericInvalidMessage, isPatchError, PatchError } from './index.js';

const newService = () => ({
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } },
});

describe('applyJsonPatch', () => {
  const service = newService();
  const cases: Array<{ name: string; ops: unknown; want: unknown }> = [
    {
      name: 'add a label',
      ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }],
      want: { ...service, metadata: { name: 'web', labels: { app: 'web', tier: 'front' } } },
    },
    {
      name: 'replace a port',
      ops: [{ op: 'replace', path: '/spec/ports/0/port', value: 81 }],
      want: { ...service, spec: { ...service.spec, ports: [{ port: 81, targetPort: 8080 }] } },
    },
    {
      name: 'remove the selector',
      ops: [{ op: 'remove', path: '/spec/selector' }],
      want: { ...service, spec: { ports: service.spec.ports } },
    },
    {
      name: 'append a port with "-"',
      ops: [{ op: 'add', path: '/spec/ports/-', value: { port: 443 } }],
      want: { ...service, spec: { ...service.spec, ports: [...service.spec.ports, { port: 443 }] } },
    },
    {
      name: 'a passing test, then copy and move',
      ops: [
        { op: 'test', path: '/metadata/name', value: 'web' },
        { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
        { op: 'move', from: '/spec/selector', path: '/spec/oldSelector' },
      ],
      want: {
        metadata: { ...service.metadata, annotations: { app: 'web' } },
        spec: { ports: service.spec.ports, oldSelector: { app: 'web' } },
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(applyJsonPatch(newService(), c.ops), c.want);
    });
  }

  const failures: Array<{ name: string; ops: unknown; code: 400 | 422; detail: RegExp }> = [
    {
      name: 'a failing test',
      ops: [{ op: 'test', path: '/metadata/name', value: 'other' }],
      code: 422,
      detail: /^testing value \/metadata\/name failed: test failed$/,
    },
    {
      name: 'removing a missing path',
      ops: [{ op: 'remove', path: '/spec/affinity' }],
      code: 422,
      detail: /doc is missing path: "\/spec\/affinity"/,
    },
    {
      name: 'adding under a missing parent',
      ops: [{ op: 'add', path: '/spec/missing/child', value: 1 }],
      code: 422,
      detail: /add operation does not apply: doc is missing path/,
    },
    { name: 'an unknown op', ops: [{ op: 'frobnicate', path: '/a' }], code: 422, detail: /Unexpected kind: frobnicate/ },
    { name: 'a body that is not a list', ops: { op: 'add' }, code: 400, detail: /cannot unmarshal/ },
    { name: 'an operation that is not an object', ops: ['add'], code: 400, detail: /not an object/ },
  ];
  for (const f of failures) {
    test(`rejects ${f.name}`, () => {
      assert.throws(
        () => applyJsonPatch(newService(), f.ops),
        (err: unknown) => isPatchError(err) && err.code === f.code && f.detail.test(err.message),
      );
    });
  }

  test('a failed test becomes 422 Invalid with the generic message and the detail as cause', () => {
    try {
      applyJsonPatch(newService(), [{ op: 'test', path: '/spec/selector/app', value: 'db' }]);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof PatchError);
      const status = err.toStatusError().toStatus();
      assert.equal(status.code, 422);
      assert.equal(status.reason, 'Invalid');
      assert.equal(status.message, genericInvalidMessage);
      assert.equal(status.details?.causes?.[0]?.message, 'testing value /spec/selector/app failed: test failed');
    }
  });

  test('does not change the input, even when a later operation fails', () => {
    const original = newService();
    assert.throws(() =>
      applyJsonPatch(original, [
        { op: 'replace', path: '/metadata/name', value: 'changed' },
        { op: 'test', path: '/metadata/name', value: 'nope' },
      ]),
    );
    applyJsonPatch(original, [{ op: 'remove', path: '/metadata/labels/app' }]);
    assert.deepEqual(original, newService());
  });
});
