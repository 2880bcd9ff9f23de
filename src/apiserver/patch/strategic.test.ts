import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, isPatchError } from './index.js';
import { kubeLookup } from './testing.js';

const port = (n: number, extra: Record<string, unknown> = {}) => ({ port: n, protocol: 'TCP', targetPort: n, ...extra });
const newService = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', finalizers: ['a', 'b', 'c'] },
  spec: { selector: { app: 'web', tier: 'front' }, ports: [port(80), port(443)], ...spec },
});
const env = (...pairs: Array<[string, string]>) => pairs.map(([name, value]) => ({ name, value }));
const newPod = (envVars = env(['A', '1'], ['B', '2'], ['C', '3'])) => ({
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'app', image: 'nginx:1', env: envVars }, { name: 'side', image: 'busybox' }] },
});

interface Case {
  name: string;
  original: unknown;
  patch: unknown;
  want: unknown;
}

const cases: Case[] = [
  {
    // Service.spec.selector has no patchStrategy: as a map it merges key by key.
    name: 'changing one selector key keeps the others',
    original: newService(),
    patch: { spec: { selector: { app: 'new-label' } } },
    want: newService({ selector: { app: 'new-label', tier: 'front' } }),
  },
  {
    name: 'null deletes a map key',
    original: newService(),
    patch: { spec: { selector: { tier: null } }, metadata: { labels: null } },
    want: newService({ selector: { app: 'web' } }),
  },
  {
    name: 'updates one port by its merge key, keeping order',
    original: newService(),
    patch: { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
    want: newService({ ports: [port(80, { targetPort: 8080 }), port(443)] }),
  },
  {
    // apimachinery orders new patch items before the server-only ones that follow them.
    name: 'adds a port',
    original: newService(),
    patch: { spec: { ports: [{ port: 8443 }] } },
    want: newService({ ports: [{ port: 8443 }, port(80), port(443)] }),
  },
  {
    name: 'deletes a port with $patch: delete',
    original: newService(),
    patch: { spec: { ports: [{ port: 443, $patch: 'delete' }] } },
    want: newService({ ports: [port(80)] }),
  },
  {
    name: 'replaces the whole port list with a $patch: replace item',
    original: newService(),
    patch: { spec: { ports: [{ $patch: 'replace' }, { port: 53, protocol: 'UDP' }] } },
    want: newService({ ports: [{ port: 53, protocol: 'UDP' }] }),
  },
  {
    name: 'merges container env by name',
    original: newPod(),
    patch: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '20' }, { name: 'D', value: '4' }] }] } },
    want: newPod(env(['A', '1'], ['B', '20'], ['D', '4'], ['C', '3'])),
  },
  {
    name: '$setElementOrder reorders env as kubectl apply asks',
    original: newPod(),
    patch: { spec: { containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }, { name: 'B' }] }] } },
    want: newPod(env(['C', '3'], ['A', '1'], ['B', '2'])),
  },
  {
    name: '$setElementOrder with changed items and a deletion',
    original: newPod(),
    patch: {
      spec: {
        containers: [
          {
            name: 'app',
            '$setElementOrder/env': [{ name: 'C' }, { name: 'E' }, { name: 'A' }],
            env: [{ name: 'E', value: '5' }, { name: 'B', $patch: 'delete' }],
          },
        ],
      },
    },
    want: newPod(env(['C', '3'], ['E', '5'], ['A', '1'])),
  },
  {
    name: '$deleteFromPrimitiveList removes a finalizer',
    original: newService(),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: { ...newService(), metadata: { name: 'web', namespace: 'default', finalizers: ['a', 'c'] } },
  },
  {
    name: 'a merge list of scalars is a union',
    original: newService(),
    patch: { metadata: { finalizers: ['c', 'd'] } },
    want: { ...newService(), metadata: { name: 'web', namespace: 'default', finalizers: ['a', 'b', 'c', 'd'] } },
  },
  {
    name: 'ownerReferences merge by uid',
    original: { metadata: { ownerReferences: [{ uid: 'u1', name: 'rs-1', controller: true }] } },
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: false }] } },
    want: { metadata: { ownerReferences: [{ uid: 'u1', name: 'rs-1', controller: false }] } },
  },
  {
    name: 'retainKeys clears rollingUpdate when a Deployment switches to Recreate',
    original: { spec: { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: { spec: { replicas: 2, strategy: { type: 'Recreate' } } },
  },
  {
    name: 'Endpoints subsets have no strategy and are replaced whole',
    original: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
    patch: { subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] },
    want: { subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] },
  },
  {
    name: '$patch: replace on a map replaces it',
    original: newService(),
    patch: { spec: { selector: { $patch: 'replace', app: 'only' } } },
    want: newService({ selector: { app: 'only' } }),
  },
  {
    name: '$patch: delete on a map leaves it empty',
    original: newService(),
    patch: { spec: { selector: { $patch: 'delete' } } },
    want: newService({ selector: {} }),
  },
  {
    name: '$patch: merge on a map is an ordinary merge',
    original: newService(),
    patch: { spec: { selector: { $patch: 'merge', app: 'x' } } },
    want: newService({ selector: { app: 'x', tier: 'front' } }),
  },
  {
    name: 'a new field arrives without directives or nulls',
    original: { metadata: { name: 'x' } },
    patch: { spec: { ports: [{ port: 1, $patch: 'delete' }, { port: 2, name: null }], selector: { a: 'b', c: null } } },
    want: { metadata: { name: 'x' }, spec: { ports: [{ port: 2 }], selector: { a: 'b' } } },
  },
  {
    name: 'a field whose kind changes is replaced',
    original: { spec: { ports: [port(80, { targetPort: 'http' })] } },
    patch: { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
    want: { spec: { ports: [port(80, { targetPort: 8080 })] } },
  },
  // From apimachinery's own ordering cases, restated on container env.
  {
    name: 'preserves the patch order among patched items',
    original: newPod(),
    patch: { spec: { containers: [{ name: 'app', env: [{ name: 'C', value: 'c' }, { name: 'A', value: 'a' }, { name: 'B', value: 'b' }] }] } },
    want: newPod(env(['C', 'c'], ['A', 'a'], ['B', 'b'])),
  },
  {
    name: 'interleaves server-only items by their live position',
    original: newPod(),
    patch: { spec: { containers: [{ name: 'app', env: [{ name: 'C', value: 'c' }, { name: 'A', value: 'a' }] }] } },
    want: newPod(env(['B', '2'], ['C', 'c'], ['A', 'a'])),
  },
];

describe('applyStrategicMergePatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, kubeLookup), c.want);
    });
  }

  test('does not change its arguments', () => {
    const original = newPod();
    const patch = { spec: { containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }] }] } };
    const before = structuredClone({ original, patch });
    applyStrategicMergePatch(original, patch, kubeLookup);
    assert.deepEqual({ original, patch }, before);
  });

  const failures: Array<{ name: string; patch: unknown; code: 400 | 422; message: RegExp }> = [
    { name: 'a patch that is not an object', patch: [1], code: 400, message: /^invalid JSON document$/ },
    {
      name: 'a retainKeys list missing a patched key',
      patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } },
      code: 422,
      message: /^patch content doesn't match retainKeys list$/,
    },
    {
      name: 'a retainKeys value that is not a list',
      patch: { spec: { strategy: { $retainKeys: 'type' } } },
      code: 400,
      message: /^invalid patch format of retainKeys$/,
    },
    {
      name: 'a merge item without its merge key',
      patch: { spec: { ports: [{ targetPort: 1 }] } },
      code: 400,
      message: /does not contain declared merge key: port/,
    },
    {
      name: 'a $setElementOrder list that contradicts the patch',
      patch: { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ port: 443 }, { port: 80 }] } },
      code: 400,
      message: /doesn't match \$setElementOrder list/,
    },
    {
      name: 'a deletion list that is not a list',
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
      code: 400,
      message: /^invalid patch format of primitive list$/,
    },
    { name: 'an unknown directive', patch: { spec: { selector: { $patch: 'explode' } } }, code: 400, message: /unknown patch type/ },
  ];
  for (const f of failures) {
    test(`rejects ${f.name}`, () => {
      const original = { ...newService(), spec: { ...newService().spec, strategy: { type: 'RollingUpdate' } } };
      assert.throws(
        () => applyStrategicMergePatch(original, f.patch, kubeLookup),
        (err: unknown) => isPatchError(err) && err.code === f.code && f.message.test(err.message),
      );
    });
  }
});
