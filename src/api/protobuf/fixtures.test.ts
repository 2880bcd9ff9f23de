/**
 * Bodies captured from real kubectl 1.32 (see fixtures/capture.ts). Each create fixture
 * carries the `--dry-run=client -o json` output of the same command: the JSON a JSON
 * client sends, which the decoded protobuf must equal exactly.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from './index.js';

interface Fixture {
  name: string;
  command: string;
  contentType: string;
  body: Buffer;
  expected: Record<string, unknown> | null;
}

// The fixtures are data files in the source tree; compiled tests (dist/src/...) read them there.
const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures').replace(/\/dist\/src\//, '/src/');

function loadFixtures(): Fixture[] {
  return readdirSync(fixtureDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(fixtureDir, file), 'utf8')) as Record<string, unknown>;
      return {
        name: file.replace(/\.json$/, ''),
        command: String(raw.command),
        contentType: String(raw.contentType),
        body: Buffer.from(String(raw.bodyBase64), 'base64'),
        expected: (raw.expected ?? null) as Record<string, unknown> | null,
      };
    });
}

const fixtures = loadFixtures();
const byName = (name: string): Fixture => {
  const found = fixtures.find((f) => f.name === name);
  assert.ok(found, `fixture ${name} is missing`);
  return found;
};
const decoded = (name: string): Record<string, unknown> => decodeKubernetesProtobuf(byName(name).body).object;

/** Kinds kubectl sends as protobuf that Switchboard does not serve. */
const unsupported = new Set(['poddisruptionbudget']);

describe('captured kubectl protobuf bodies decode to kubectl\'s own JSON', () => {
  test('the fixture set is present', () => {
    assert.ok(fixtures.filter((f) => isKubernetesProtobuf(f.contentType)).length >= 12);
  });

  for (const fixture of fixtures.filter((f) => isKubernetesProtobuf(f.contentType) && !unsupported.has(f.name))) {
    test(`${fixture.name}: ${fixture.command}`, () => {
      assert.ok(fixture.expected, 'create fixtures carry their dry-run JSON');
      assert.deepStrictEqual(decodeKubernetesProtobuf(fixture.body).object, fixture.expected);
    });
  }

  test('kubectl create poddisruptionbudget is refused as an unsupported kind', () => {
    assert.throws(
      () => decodeKubernetesProtobuf(byName('poddisruptionbudget').body),
      (error: unknown) => error instanceof ProtobufDecodeError && error.reason === 'UnsupportedKind',
    );
  });
});

describe('captured bodies, field by field', () => {
  test('create deployment my-app --image=nginx:latest --replicas=2', () => {
    const object = decoded('deployment');
    assert.equal(object.kind, 'Deployment');
    assert.equal(object.apiVersion, 'apps/v1');
    assert.deepStrictEqual(object.metadata, { name: 'my-app', creationTimestamp: null, labels: { app: 'my-app' } });
    assert.deepStrictEqual(object.spec, {
      replicas: 2,
      selector: { matchLabels: { app: 'my-app' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'my-app' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:latest', resources: {} }] },
      },
      strategy: {},
    });
    assert.deepStrictEqual(object.status, {});
  });

  test('--replicas=0 is kept: replicas is a pointer, so zero is a value', () => {
    const spec = decoded('deployment-zero-replicas').spec as Record<string, unknown>;
    assert.equal(spec.replicas, 0);
  });

  test('service targetPort keeps its number or name', () => {
    const clusterIP = (decoded('service-clusterip').spec as { ports: Array<{ targetPort: unknown }> }).ports;
    assert.deepStrictEqual(clusterIP.map((p) => p.targetPort), [8080, 'https']);
    const nodePort = (decoded('service-nodeport').spec as { ports: Array<Record<string, unknown>> }).ports[0];
    assert.deepStrictEqual(nodePort, { name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 });
  });

  test('secret data and configmap binaryData are base64; empty values stay', () => {
    assert.deepStrictEqual(decoded('secret-generic').data, { pw: 'aHVudGVyMg==', none: '' });
    const configMap = decoded('configmap');
    assert.deepStrictEqual(configMap.data, { a: '1', empty: '' });
    assert.deepStrictEqual(configMap.binaryData, { blob: '//4AAQ==' });
  });
});

describe('commands whose bodies are JSON, not protobuf', () => {
  for (const name of ['run', 'delete-grace', 'delete-orphan']) {
    test(`${name} is sent as JSON and needs no decoding`, () => {
      const fixture = byName(name);
      assert.equal(isKubernetesProtobuf(fixture.contentType), false);
      const body = JSON.parse(fixture.body.toString('utf8')) as unknown;
      if (fixture.expected) assert.deepStrictEqual(body, fixture.expected);
    });
  }
});
