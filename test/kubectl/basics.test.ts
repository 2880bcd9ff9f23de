/**
 * kubectl 1.32 against a running Switchboard: the commands of the control-plane acceptance,
 * each checked for what a user sees.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless, startClusterOn, storeKinds, type Cluster } from '../harness.js';
import { exampleApp, headlessService, nginxDeployment, nodePortService } from './manifests.js';

const skip = skipUnless('kubectl');

for (const store of storeKinds()) describe(`kubectl against switchboard (${store})`, { skip }, () => {
  let c: Cluster;
  let dir: string;
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await c.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-kubectl-'));
    c = await startClusterOn(store);
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('get --raw /version reports 1.32', async () => {
    const v = JSON.parse(await ok(['get', '--raw', '/version'])) as { major: string; minor: string };
    assert.equal(v.major, '1');
    assert.equal(v.minor, '32');
  });

  test('api-resources lists the served resources with short names', async () => {
    const out = await ok(['api-resources']);
    for (const line of [/^services\s+svc\s+v1\s+true\s+Service/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/m, /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice/m]) {
      assert.match(out, line);
    }
  });

  test('the kubernetes service is on the first service IP', async () => {
    const out = await ok(['get', 'svc']);
    assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/m);
    assert.match(out, /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\d+s/m);
  });

  test('create namespace and apply a multi-document manifest', async () => {
    await ok(['create', 'namespace', 'example']);
    const out = await ok(['apply', '-f', file('example.yaml', exampleApp)]);
    assert.match(out, /deployment\.apps\/backend created/);
    assert.match(out, /service\/backend-service created/);
    assert.match(out, /endpoints\/db created/);
    assert.match(out, /endpointslice\.discovery\.k8s\.io\/db-manual created/);
    const again = await ok(['apply', '-f', file('example.yaml', exampleApp)]);
    assert.match(again, /service\/backend-service unchanged/);
  });

  test('get svc shows scenario S1 columns', async () => {
    const out = await ok(['get', 'svc', '-n', 'example']);
    assert.match(out, /^backend-service\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+5000\/TCP\s+\d+s/m);
    const wide = await ok(['get', 'svc', '-n', 'example', '-o', 'wide']);
    assert.match(wide, /SELECTOR/);
    assert.match(wide, /^backend-service\s.*app=backend$/m);
  });

  test('get svc -o yaml shows the defaulted, allocated service', async () => {
    const out = await ok(['get', 'svc', 'backend-service', '-n', 'example', '-o', 'json']);
    const svc = JSON.parse(out) as { spec: Record<string, unknown>; metadata: Record<string, unknown> };
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
    assert.ok(svc.metadata.uid);
    assert.ok(svc.metadata.resourceVersion);
    await ok(['get', 'svc', 'backend-service', '-n', 'example', '-o', 'yaml']);
  });

  test('describe svc', async () => {
    const out = await ok(['describe', 'svc', 'backend-service', '-n', 'example']);
    assert.match(out, /^Name:\s+backend-service$/m);
    assert.match(out, /^Selector:\s+app=backend$/m);
    assert.match(out, /^Port:\s+<unset>\s+5000\/TCP$/m);
  });

  test('get endpoints and endpointslices', async () => {
    const ep = await ok(['get', 'endpoints', '-n', 'example']);
    assert.match(ep, /^db\s+10\.250\.0\.7:3306,10\.250\.0\.8:3306\s+\d+s/m);
    const eps = await ok(['get', 'endpointslices', '-n', 'example']);
    assert.match(eps, /^db-manual\s+IPv4\s+3306\s+10\.250\.0\.7\s+\d+s/m);
  });

  test('create -f of a multi-document manifest', async () => {
    await ok(['create', 'namespace', 'second']);
    const text = exampleApp.replaceAll('namespace: example', 'namespace: second');
    const out = await ok(['create', '-f', file('second.yaml', text)]);
    assert.match(out, /deployment\.apps\/backend created/);
    assert.match(out, /endpoints\/db created/);
    assert.match(out, /endpointslice\.discovery\.k8s\.io\/db-manual created/);
    const again = await c.kubectl(['create', '-f', join(dir, 'second.yaml')]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /AlreadyExists/);
  });

  test('get pods -o wide has the wide columns', async () => {
    await ok(['run', 'solo', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    const out = await ok(['get', 'pods', '-o', 'wide']);
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    // No node has run it yet: Pending, no IP, no node (as on Kubernetes before scheduling).
    assert.match(out, /^solo\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>$/m);
  });

  test('NodePort and headless services print as Kubernetes prints them', async () => {
    await ok(['create', '-f', file('np.yaml', nodePortService)]);
    await ok(['create', '-f', file('headless.yaml', headlessService)]);
    const out = await ok(['get', 'svc', '-o', 'wide']);
    assert.match(out, /^nodeport-service\s+NodePort\s+10\.\S+\s+<none>\s+8080:30120\/TCP\s+\d+s\s+app=nginx$/m);
    assert.match(out, /^nginx-headless\s+ClusterIP\s+None\s+<none>\s+80\/TCP/m);
  });

  test('patch with strategic merge, json patch, label and annotate', async () => {
    await ok(['patch', 'svc', 'backend-service', '-n', 'example', '-p', '{"spec":{"selector":{"app":"new-label"}}}']);
    let svc = JSON.parse(await ok(['get', 'svc', 'backend-service', '-n', 'example', '-o', 'json']));
    assert.deepEqual(svc.spec.selector, { app: 'new-label' });
    await ok(['patch', 'svc', 'backend-service', '-n', 'example', '--type=json', '-p', '[{"op":"replace","path":"/spec/selector/app","value":"backend"}]']);
    await ok(['label', 'svc', 'backend-service', '-n', 'example', 'tier=api']);
    await ok(['annotate', 'svc', 'backend-service', '-n', 'example', 'owner=team-a']);
    svc = JSON.parse(await ok(['get', 'svc', 'backend-service', '-n', 'example', '-o', 'json']));
    assert.equal(svc.spec.selector.app, 'backend');
    assert.equal(svc.metadata.labels.tier, 'api');
    assert.equal(svc.metadata.annotations.owner, 'team-a');
  });

  test('edit with a scripted EDITOR', async () => {
    const editor = file('editor.sh', `#!/bin/sh\nsed -i 's/sessionAffinity: None/sessionAffinity: ClientIP/' "$1"\n`);
    await ok(['--request-timeout=20s', 'version', '--client']);
    const r = await c.kubectl(['edit', 'svc', 'backend-service', '-n', 'example'], { env: { EDITOR: `sh ${editor}`, KUBE_EDITOR: `sh ${editor}` } });
    assert.equal(r.code, 0, r.stderr);
    const svc = JSON.parse(await ok(['get', 'svc', 'backend-service', '-n', 'example', '-o', 'json']));
    assert.equal(svc.spec.sessionAffinity, 'ClientIP');
    assert.equal(svc.spec.sessionAffinityConfig.clientIP.timeoutSeconds, 10800);
  });

  test('explain service.spec', async () => {
    const out = await ok(['explain', 'service.spec']);
    assert.match(out, /KIND:\s+Service/);
    assert.match(out, /clusterIP\s+<string>/);
  });

  test('get svc -w sees an update', async () => {
    const { spawn } = await import('node:child_process');
    const w = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'svc', 'pg-service', '-n', 'example', '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    w.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      await ok(['label', 'svc', 'pg-service', '-n', 'example', 'watched=yes']);
      const deadline = Date.now() + 10_000;
      while (!/MODIFIED/.test(seen) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(seen, /^MODIFIED\s+pg-service\s+ClusterIP\s/m);
    } finally {
      w.kill('SIGTERM');
    }
  });

  test('create deployment, expose, and scale', async () => {
    await ok(['create', 'deployment', 'my-app', '--image=nginx:latest', '--replicas=2']);
    await ok(['expose', 'deployment', 'my-app', '--port=6666', '--target-port=80']);
    const svc = JSON.parse(await ok(['get', 'svc', 'my-app', '-o', 'json']));
    assert.deepEqual(svc.spec.selector, { app: 'my-app' });
    assert.equal(svc.spec.ports[0].port, 6666);
    assert.equal(svc.spec.ports[0].targetPort, 80);
    await ok(['scale', 'deployment', 'my-app', '--replicas=4']);
    const d = JSON.parse(await ok(['get', 'deployment', 'my-app', '-o', 'json']));
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.metadata.generation, 2);
  });

  test('apply --server-side', async () => {
    await ok(['apply', '--server-side', '-f', file('nginx.yaml', nginxDeployment)]);
    const d = JSON.parse(await ok(['get', 'deployment', 'nginx', '-o', 'json', '--show-managed-fields']));
    assert.equal(d.spec.replicas, 3);
    assert.ok(d.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply'));
  });

  test('delete -f and delete -l', async () => {
    await ok(['delete', '-f', join(dir, 'headless.yaml')]);
    await ok(['label', 'svc', 'nodeport-service', 'app=x']);
    await ok(['delete', 'svc', '-l', 'app=x']);
    const out = await ok(['get', 'svc', '-o', 'name']);
    assert.doesNotMatch(out, /nginx-headless|nodeport-service/);
  });
});
