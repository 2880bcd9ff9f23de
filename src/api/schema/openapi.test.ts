import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupVersion, resources } from '../resources.js';
import { isRecord } from '../types.js';
import { openapiV2Document, openapiV3Document, openapiV3Hash, openapiV3Index } from './index.js';

const gvPathOf = (r: { group: string; version: string }) => (r.group ? `apis/${groupVersion(r)}` : `api/${r.version}`);

/** Every `$ref` string anywhere in a document. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function resolve(doc: unknown, ref: string): unknown {
  let cur: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) cur = isRecord(cur) ? cur[part] : undefined;
  return cur;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (isRecord(v) ? v : {});

/**
 * What kubectl 1.32 (cli-runtime supportsQueryParamV3) does: the first PATCH operation whose
 * x-kubernetes-group-version-kind equals the GVK decides, by its own query parameters.
 */
function supportsFieldValidation(doc: Json, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(obj(doc.paths))) {
    const patch = obj(obj(item).patch);
    const ext = obj(patch['x-kubernetes-group-version-kind']);
    if (ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    const params = Array.isArray(patch.parameters) ? patch.parameters : [];
    if (!params.some((p) => obj(p).name === 'fieldValidation' && obj(p).in === 'query')) return false;
  }
  return Object.values(obj(doc.paths)).some((item) => isRecord(obj(item).patch));
}

describe('OpenAPI v3', () => {
  test('the index lists every served group-version with a hashed URL', () => {
    const index = openapiV3Index();
    const want = [...new Set(resources.map(gvPathOf))].sort();
    assert.deepEqual(Object.keys(index.paths).sort(), want);
    for (const gv of want) {
      assert.equal(index.paths[gv]?.serverRelativeURL, `/openapi/v3/${gv}?hash=${openapiV3Hash(gv)}`);
      assert.match(openapiV3Hash(gv) ?? '', /^[0-9A-F]{128}$/);
    }
  });

  test('unknown group-versions have no document', () => {
    assert.equal(openapiV3Document('apis/example.com/v1'), undefined);
  });

  for (const r of resources) {
    test(`${r.group || 'core'}/${r.kind}: PATCH carries fieldValidation where kubectl looks`, () => {
      const doc = openapiV3Document(gvPathOf(r));
      assert.ok(doc);
      assert.ok(supportsFieldValidation(doc, { group: r.group, version: r.version, kind: r.kind }));
    });

    test(`${r.group || 'core'}/${r.kind}: explain finds the schema through the GET operation's GVK`, () => {
      const doc = obj(openapiV3Document(gvPathOf(r)));
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const list = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
      const gvk = obj(obj(obj(obj(doc.paths)[list]).get)['x-kubernetes-group-version-kind']);
      assert.deepEqual(gvk, { group: r.group, kind: r.kind, version: r.version });
      const schemas = Object.values(obj(obj(doc.components).schemas)).filter((s) => {
        const kinds = obj(s)['x-kubernetes-group-version-kind'];
        return Array.isArray(kinds) && kinds.some((k) => JSON.stringify(k) === JSON.stringify(gvk));
      });
      assert.equal(schemas.length, 1);
    });
  }

  test('every $ref resolves in every document', () => {
    for (const gv of Object.keys(openapiV3Index().paths)) {
      const doc = openapiV3Document(gv);
      const refs = refsIn(doc);
      assert.ok(refs.length > 0);
      for (const ref of refs) {
        assert.match(ref, /^#\/components\/schemas\//);
        assert.ok(resolve(doc, ref), `${gv}: ${ref}`);
      }
    }
  });

  test('fields carry their patch metadata and references sit in allOf beside the description', () => {
    const spec = obj(obj(obj(openapiV3Document('api/v1')?.components).schemas)['io.k8s.api.core.v1.ServiceSpec']);
    const ports = obj(obj(spec.properties).ports);
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
    assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
    const affinity = obj(obj(spec.properties).sessionAffinityConfig);
    assert.deepEqual(affinity.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.SessionAffinityConfig' }]);
  });

  test('documents are stable: same content, same hash', () => {
    assert.equal(openapiV3Hash('api/v1'), openapiV3Hash('/api/v1'));
    assert.deepEqual(openapiV3Document('api/v1'), openapiV3Document('api/v1/'));
  });
});

describe('OpenAPI v2', () => {
  const doc = openapiV2Document();

  test('is swagger 2.0 with every served kind and its GVK', () => {
    assert.equal(doc.swagger, '2.0');
    const definitions = obj(doc.definitions);
    for (const r of resources) {
      const found = Object.values(definitions).some((d) => {
        const kinds = obj(d)['x-kubernetes-group-version-kind'];
        return Array.isArray(kinds) && kinds.some((k) => obj(k).kind === r.kind && obj(k).group === r.group);
      });
      assert.ok(found, `${r.group}/${r.kind}`);
    }
  });

  test('every $ref resolves', () => {
    const refs = refsIn(doc);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      assert.match(ref, /^#\/definitions\//);
      assert.ok(resolve(doc, ref), ref);
    }
  });

  test('names match Kubernetes definition names', () => {
    const definitions = obj(doc.definitions);
    for (const name of ['io.k8s.api.core.v1.Service', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.api.apps.v1.Deployment']) {
      assert.ok(definitions[name], name);
    }
  });

  test('patch operations take fieldValidation', () => {
    const patch = obj(obj(obj(doc.paths)['/api/v1/namespaces/{namespace}/services/{name}']).patch);
    const params = Array.isArray(patch.parameters) ? patch.parameters : [];
    assert.ok(params.some((p) => obj(p).name === 'fieldValidation'));
  });
});
