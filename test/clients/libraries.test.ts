/** Official client libraries against Switchboard: @kubernetes/client-node and python3-kubernetes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { run, startCluster, type Cluster } from '../harness.js';

const python = '/usr/bin/python3';
function pythonSkip(): string | false {
  const ok = spawnSync(python, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
  if (ok) return false;
  if (process.env.CI === 'true') throw new Error('python3-kubernetes (Debian) is required in CI but is not installed');
  return 'python3-kubernetes is not installed';
}

describe('client libraries', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => c?.stop());

  test('@kubernetes/client-node lists and watches services and sees every change', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedService({ namespace: 'default' });
    assert.ok(list.items.some((s) => s.metadata?.name === 'kubernetes'));
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const req = await watch.watch(
      '/api/v1/namespaces/default/services',
      { resourceVersion: list.metadata?.resourceVersion },
      (type: string, obj: k8s.V1Service) => seen.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    try {
      await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'lib-svc' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } } });
      await core.patchNamespacedService(
        { namespace: 'default', name: 'lib-svc', body: { metadata: { labels: { changed: 'yes' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedService({ namespace: 'default', name: 'lib-svc' });
      const deadline = Date.now() + 10_000;
      while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, ['ADDED lib-svc', 'MODIFIED lib-svc', 'DELETED lib-svc']);
    } finally {
      req.abort();
    }
  });

  test('python3-kubernetes lists namespaces', { skip: pythonSkip() }, async () => {
    const script = [
      'import sys',
      'from kubernetes import client, config',
      'config.load_kube_config(sys.argv[1])',
      'print(" ".join(sorted(n.metadata.name for n in client.CoreV1Api().list_namespace().items)))',
    ].join('\n');
    const r = await run(python, ['-c', script, c.kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'default kube-node-lease kube-public kube-system');
  });
});
