/**
 * Scenario S5, "Day-to-day operations", step by step (the nginx Deployment of examples/s4, the
 * files of examples/s5).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../harness.js';
import {
  eventually, examples, headerOf, kjson, kok, readyPods, rowOf, sh, skip, startScenarioCluster, stopScenarioCluster, terminal, type Cluster,
} from './scenario.js';

const WELCOME = /Welcome to nginx!/;

describe('S5: day-to-day operations', { skip }, () => {
  let c: Cluster;
  const endpointsOf = async (name: string): Promise<string[]> => {
    const row = rowOf(await kok(c, ['get', 'endpoints', name]), name);
    return (row?.[1] ?? '').split(',').filter((e) => e && e !== '<none>').sort();
  };

  before(async () => {
    c = await startScenarioCluster();
    await kok(c, ['apply', '-f', examples('s4', 'nginx-deployment.yaml')]);
    await readyPods(c, 'default', 'app=nginx', 3, 90_000);
  });
  after(() => stopScenarioCluster(c));

  test('S5.2: expose deploy nginx as nginx-svc, and with --type=NodePort', async () => {
    assert.match(await kok(c, ['expose', 'deploy', 'nginx', '--name=nginx-svc', '--port=80', '--target-port=80']), /service\/nginx-svc exposed/);
    assert.match(await kok(c, ['expose', 'deploy', 'nginx', '--name=nginx-np', '--port=80', '--target-port=80', '--type=NodePort']), /service\/nginx-np exposed/);
  });

  test('S5.1: get endpointslices shows each Service\'s slice, labelled with its name, with ready endpoints', async () => {
    const table = await kok(c, ['get', 'endpointslices']);
    assert.deepEqual(headerOf(table), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    const slice = await eventually('nginx-svc slice with 3 endpoints', async () => {
      const list = await kjson<{ items: { metadata: { name: string }; endpoints?: { addresses: string[]; conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } }[] }[] }>(c, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx-svc', '-o', 'json']);
      const s = list.items[0];
      return s?.endpoints?.length === 3 ? s : undefined;
    });
    assert.match(slice.metadata.name, /^nginx-svc-/);
    for (const e of slice.endpoints ?? []) assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(rowOf(table, slice.metadata.name)?.[1], 'IPv4');
  });

  test('S5.3: get svc, get svc -o wide, describe svc nginx-svc, get endpoints nginx-svc', async () => {
    assert.equal(rowOf(await kok(c, ['get', 'svc']), 'nginx-svc')?.[4], '80/TCP');
    assert.match(rowOf(await kok(c, ['get', 'svc']), 'nginx-np')?.[4] ?? '', /^80:3\d{4}\/TCP$/);
    assert.equal(rowOf(await kok(c, ['get', 'svc', '-o', 'wide']), 'nginx-svc')?.[6], 'app=nginx');
    const d = await kok(c, ['describe', 'svc', 'nginx-svc']);
    for (const field of [/^Name:\s+nginx-svc$/m, /^Selector:\s+app=nginx$/m, /^Type:\s+ClusterIP$/m, /^TargetPort:\s+80\/TCP$/m, /^Endpoints:\s+\S+:80,\S+:80,\S+:80$/m]) assert.match(d, field);
    const pods = await readyPods(c, 'default', 'app=nginx', 3);
    assert.deepEqual(await endpointsOf('nginx-svc'), pods.map((p) => `${p.status.podIP}:80`).sort());
  });

  test('S5.4: kubectl run tmp-$RANDOM --rm -it --image=curlimages/curl -- curl http://nginx-svc', async () => {
    const name = `tmp-${Math.floor(Math.random() * 32768)}`;
    const session = await terminal(c, `run ${name} --rm -it --image=curlimages/curl -- curl http://nginx-svc`, [], { startDelayS: 1, tailS: 8 });
    assert.match(session.stdout, WELCOME, session.stdout + session.stderr);
    assert.match(session.stdout, new RegExp(`pod "${name}" deleted`));
  });

  test('S5.5: port-forward svc/nginx-svc, then curl on the host', async () => {
    const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'port-forward', 'svc/nginx-svc', ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
    try {
      const port = await eventually('port-forward listening', async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out)?.[1]) || undefined);
      const r = await run('curl', ['-s', '-m', '5', `http://localhost:${port}`]);
      assert.match(r.stdout, WELCOME);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('S5.6: kubectl edit (with an EDITOR) and kubectl patch of the selector: the endpoints follow at once', async () => {
    await kok(c, ['run', 'newcomer', '--image=nginx:latest', '--labels=app=new-label']);
    const [newcomer] = await readyPods(c, 'default', 'app=new-label', 1);
    // An editor that changes the selector in the file kubectl gives it.
    const editor = join(c.dataDir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/^    app: nginx$/    app: new-label/" "$1"\n');
    chmodSync(editor, 0o755);
    const edited = await run('kubectl', ['--kubeconfig', c.kubeconfig, 'edit', 'svc', 'nginx-svc'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.match(edited.stdout, /service\/nginx-svc edited/, edited.stdout + edited.stderr);
    const moved = await eventually('endpoints on the newcomer', async () => {
      const eps = await endpointsOf('nginx-svc');
      return eps.join(',') === `${newcomer?.status.podIP}:80` ? eps : undefined;
    }, 5_000);
    assert.equal(moved.length, 1);
    await kok(c, ['patch', 'svc', 'nginx-svc', '-p', '{"spec":{"selector":{"app":"nginx"}}}']);
    const back = await eventually('endpoints on the nginx pods again', async () => {
      const eps = await endpointsOf('nginx-svc');
      return eps.length === 3 ? eps : undefined;
    }, 5_000);
    assert.ok(!back.includes(`${newcomer?.status.podIP}:80`));
  });

  test('S5.7: apply -f, delete svc, delete -f', async () => {
    assert.match(await kok(c, ['delete', 'svc', 'nginx-svc']), /service "nginx-svc" deleted/);
    assert.match(await kok(c, ['apply', '-f', examples('s5', 'nginx-svc.yaml')]), /service\/nginx-svc created/);
    await eventually('endpoints again', async () => ((await endpointsOf('nginx-svc')).length === 3 ? true : undefined));
    assert.match(await kok(c, ['delete', '-f', examples('s5', 'nginx-svc.yaml')]), /service "nginx-svc" deleted/);
    assert.notEqual((await c.kubectl(['get', 'endpoints', 'nginx-svc'])).code, 0, 'the Endpoints go with the Service');
  });

  test('S5.8: ReplicaSet, StatefulSet, DaemonSet, Job and a bare Pod all back one Service by their labels', async () => {
    await kok(c, ['apply', '-f', examples('s5', 'workloads.yaml')]);
    // The DaemonSet runs one pod per node (2 nodes): 6 pods.
    const pods = await readyPods(c, 'default', 'app=any', 6, 90_000);
    const kinds = new Set(pods.map((p) => p.metadata.labels?.kind));
    assert.deepEqual([...kinds].sort(), ['daemonset', 'job', 'pod', 'replicaset', 'statefulset']);
    // (kubectl's ENDPOINTS column shows three and "+ 3 more...": read the object.)
    const eps = await eventually('all six behind any-workload', async () => {
      const ep = await kjson<{ subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[] }>(c, ['get', 'endpoints', 'any-workload', '-o', 'json']);
      const e = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => `${a.ip}:${s.ports?.[0]?.port ?? 0}`)).sort();
      return e.length === 6 ? e : undefined;
    });
    assert.match(rowOf(await kok(c, ['get', 'endpoints', 'any-workload']), 'any-workload')?.[1] ?? '', /\+ 3 more\.\.\./);
    assert.deepEqual(eps, pods.map((p) => `${p.status.podIP}:5000`).sort());
  });

  test('S5.9: a selectorless Service with Endpoints to a static address, and an ExternalName to an outside domain', async () => {
    // The "external" database: a server of the test's own, in a pod.
    await kok(c, ['run', 'dbhost', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--', 'netexec', '--http-port=3306', '--udp-port=-1']);
    const [db] = await readyPods(c, 'default', 'run=dbhost', 1);
    const manifest = join(c.dataDir, 'external-db.yaml');
    writeFileSync(manifest, readFileSync(examples('s5', 'external-db.yaml'), 'utf8').replaceAll('203.0.113.10', db?.status.podIP ?? ''));
    await kok(c, ['apply', '-f', manifest, '-f', examples('s5', 'external-name.yaml')]);
    const [pod] = await readyPods(c, 'default', 'app=nginx', 3);
    const answer = await eventually('external-db answers', async () => {
      const out = await sh(c, pod?.metadata.name ?? '', 'default', 'curl -s -m 3 http://external-db:3306/hostname');
      return out.trim() === 'dbhost' ? out : undefined;
    });
    assert.equal(answer.trim(), 'dbhost');
    const cname = await sh(c, pod?.metadata.name ?? '', 'default', 'nslookup -type=CNAME my-api.default.svc.cluster.local');
    assert.match(cname, /my-api\.default\.svc\.cluster\.local\s+canonical name = api\.example\.com\.?/, cname);
  });

  test('S5.10: exec -it deployment/nginx -- /bin/sh, then curl http://nginx, its FQDN and its cluster IP', async () => {
    await kok(c, ['expose', 'deployment', 'nginx', '--port=80']);
    const ip = (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', 'nginx', '-o', 'json'])).spec.clusterIP;
    const session = await terminal(c, 'exec -it deployment/nginx -- /bin/sh', [
      'curl -s http://nginx | grep -o "Welcome to nginx!" | head -1',
      'curl -s http://nginx.default.svc.cluster.local | grep -o "Welcome to nginx!" | head -1',
      `curl -s http://${ip} | grep -o "Welcome to nginx!" | head -1`,
      'exit',
    ]);
    const seen = session.stdout.replace(/\r/g, '').split('\n').filter((l) => l === 'Welcome to nginx!');
    assert.equal(seen.length, 3, session.stdout);
  });
});
