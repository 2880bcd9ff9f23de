import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resources } from '../resources.js';
import {
  cannotBeHandledMessage,
  findDuplicateFields,
  findTypeErrors,
  orderFieldIssues,
  pruneUnknownFields,
  strictDecodingMessage,
  validateUnknownFields,
} from './index.js';
import { manifests } from './manifests.fixture.js';

describe('realistic manifests pass strict validation', () => {
  for (const m of manifests) {
    test(m.name, () => {
      assert.deepEqual(validateUnknownFields(m.group, m.kind, m.object), []);
      assert.deepEqual(findTypeErrors(m.group, m.kind, m.object), []);
    });
  }

  test('every served kind has a manifest', () => {
    const covered = new Set(manifests.map((m) => `${m.group}/${m.kind}`));
    for (const r of resources) assert.ok(covered.has(`${r.group}/${r.kind}`), `${r.group}/${r.kind}`);
  });
});

const newDeployment = (spec: Record<string, unknown> = {}, containerExtra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ...containerExtra }] } },
    ...spec,
  },
});

describe('unknown fields', () => {
  const cases: { name: string; group: string; kind: string; obj: unknown; want: string[] }[] = [
    { name: 'top level', group: '', kind: 'ConfigMap', obj: { metadata: {}, dta: {} }, want: ['dta'] },
    { name: 'in spec', group: '', kind: 'Service', obj: { metadata: {}, spec: { foo: 1 } }, want: ['spec.foo'] },
    { name: 'in metadata', group: '', kind: 'Pod', obj: { metadata: { unknownMeta: 'x' } }, want: ['metadata.unknownMeta'] },
    { name: 'field names are case-sensitive', group: '', kind: 'Service', obj: { metadata: {}, Spec: {} }, want: ['Spec'] },
    {
      name: 'in a list item, with its index',
      group: '',
      kind: 'Service',
      obj: { spec: { ports: [{ port: 80 }, { port: 81, targetport: 8081 }] } },
      want: ['spec.ports[1].targetport'],
    },
    {
      name: 'deep in a pod template',
      group: 'apps',
      kind: 'Deployment',
      obj: newDeployment({}, { lifecycle: { preStart: {} } }),
      want: ['spec.template.spec.containers[0].lifecycle.preStart'],
    },
    {
      name: 'template metadata nested under metadata',
      group: 'apps',
      kind: 'Deployment',
      obj: { spec: { template: { metadata: { spec: {} } } } },
      want: ['spec.template.metadata.spec'],
    },
    { name: 'several, in document order', group: 'apps', kind: 'Deployment', obj: newDeployment({ a: 1, paused: true, b: 2 }), want: ['spec.a', 'spec.b'] },
    { name: 'free-form subtrees keep anything', group: '', kind: 'Pod', obj: { spec: { affinity: { anything: { at: 'all' } } } }, want: [] },
    { name: 'kinds without a schema report nothing', group: 'example.com', kind: 'Widget', obj: { foo: 1 }, want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(
        validateUnknownFields(c.group, c.kind, c.obj).map((i) => i.path),
        c.want,
      );
    });
  }

  test('strict error message lists unknown and duplicate fields in document order', () => {
    const body = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"my-dep"},
      "spec":{"unknownField":"foo","replicas":2,"replicas":3,"selector":{"matchLabels":{"app":"nginx"}}}}`;
    const obj: unknown = JSON.parse(body);
    const issues = orderFieldIssues(body, validateUnknownFields('apps', 'Deployment', obj));
    assert.equal(strictDecodingMessage(issues), 'strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"');
  });
});

describe('duplicate fields', () => {
  test('found at any depth, with list indexes', () => {
    const body = '{"a":{"b":1,"b":2},"c":[{"d":1},{"d":1,"d":2}],"e":"x","e":"y"}';
    assert.deepEqual(
      findDuplicateFields(body).map((i) => i.path),
      ['a.b', 'c[1].d', 'e'],
    );
  });

  test('escaped quotes in strings do not confuse the scanner', () => {
    assert.deepEqual(findDuplicateFields('{"a":"x\\"y","b":{"a\\"":1,"a\\"":2}}'), [{ path: 'b.a"', kind: 'duplicate' }]);
  });

  test('no duplicates in a plain body', () => {
    assert.deepEqual(findDuplicateFields(JSON.stringify(newDeployment())), []);
  });
});

describe('type errors', () => {
  const svc = (port: Record<string, unknown>) => ({ metadata: { name: 'web' }, spec: { ports: [port] } });
  const cases: { name: string; group: string; kind: string; obj: unknown; want: string[] }[] = [
    {
      name: 'string where int32 is expected',
      group: '',
      kind: 'Service',
      obj: svc({ port: '80' }),
      want: ['json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32'],
    },
    {
      name: 'number where a named string type is expected',
      group: '',
      kind: 'Service',
      obj: svc({ port: 80, protocol: 6 }),
      want: ['json: cannot unmarshal number into Go struct field ServicePort.spec.ports.protocol of type v1.Protocol'],
    },
    {
      name: 'fraction in an integer field',
      group: 'apps',
      kind: 'Deployment',
      obj: newDeployment({ replicas: 1.5 }),
      want: ['json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    },
    {
      name: 'int32 overflow',
      group: '',
      kind: 'Service',
      obj: svc({ port: 3000000000 }),
      want: ['json: cannot unmarshal number 3000000000 into Go struct field ServicePort.spec.ports.port of type int32'],
    },
    {
      name: 'object where a list is expected',
      group: '',
      kind: 'Service',
      obj: { spec: { ports: { port: 80 } } },
      want: ['json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort'],
    },
    {
      name: 'number in a string map',
      group: '',
      kind: 'ConfigMap',
      obj: { metadata: { labels: { tier: 1 } } },
      want: ['json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    },
    {
      name: 'string where an object is expected',
      group: '',
      kind: 'Service',
      obj: { spec: 'web' },
      want: ['json: cannot unmarshal string into Go struct field Service.spec of type v1.ServiceSpec'],
    },
    {
      name: 'bool for an int-or-string',
      group: '',
      kind: 'Service',
      obj: svc({ port: 80, targetPort: true }),
      want: ['json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32'],
    },
    {
      name: 'malformed quantity',
      group: 'apps',
      kind: 'Deployment',
      obj: newDeployment({}, { resources: { limits: { cpu: 'lots' } } }),
      want: ["quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    },
    { name: 'null is always accepted', group: '', kind: 'Service', obj: { metadata: { creationTimestamp: null }, spec: { ports: null } }, want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(
        findTypeErrors(c.group, c.kind, c.obj).map((i) => i.message),
        c.want,
      );
    });
  }

  test('the 400 message wraps the decoder error', () => {
    const [first] = findTypeErrors('', 'Service', svc({ port: '80' }));
    assert.equal(
      cannotBeHandledMessage('Service', 'v1', first?.message ?? ''),
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32',
    );
  });
});

describe('pruneUnknownFields', () => {
  test('drops unknown fields at every depth and keeps the rest', () => {
    const obj = newDeployment({ foo: 1 }, { bogus: true });
    const pruned = pruneUnknownFields('apps', 'Deployment', obj);
    assert.deepEqual(validateUnknownFields('apps', 'Deployment', pruned), []);
    assert.deepEqual(pruned, newDeployment());
    assert.equal((obj.spec as Record<string, unknown>).foo, 1, 'the input is not changed');
  });

  test('keeps free-form subtrees whole', () => {
    const obj = { spec: { containers: [], affinity: { nodeAffinity: { x: 1 } } } };
    assert.deepEqual(pruneUnknownFields('', 'Pod', obj), obj);
  });
});
