/**
 * Scenario S2, "Discovery through environment variables and DNS", step by step.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { run } from '../harness.js';
import { eventually, examples, kjson, kok, readyPods, rowOf, skip, startScenarioCluster, stopScenarioCluster, type Cluster, type PodJson } from './scenario.js';

describe('S2: discovery through environment variables and DNS', { skip }, () => {
  let c: Cluster;

  before(async () => {
    c = await startScenarioCluster();
  });
  after(() => stopScenarioCluster(c));

  test('S2.1: kubectl proxy gives plain HTTP to the API; straight to the API server without credentials is refused', async () => {
    const proxy = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'proxy', '--port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proxy.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
    try {
      const port = await eventually('kubectl proxy serving', async () => Number(/Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out)?.[1]) || undefined);
      const r = await run('curl', ['-s', `http://127.0.0.1:${port}/api/v1/namespaces/default/services/kubernetes`]);
      assert.equal((JSON.parse(r.stdout) as { metadata: { name: string } }).metadata.name, 'kubernetes');
    } finally {
      proxy.kill('SIGTERM');
    }
    const direct = await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${c.api}/api/v1/namespaces/default/services`]);
    assert.ok(direct.stdout === '401' || direct.stdout === '403', direct.stdout);
  });

  test('S2.2: a Service names its own clusterIP', async () => {
    await kok(c, ['apply', '-f', examples('s2', 'my-service.yaml')]);
    const row = rowOf(await kok(c, ['get', 'svc', 'my-service']), 'my-service');
    assert.equal(row?.[2], '10.104.102.51');
  });

  let firstPod = '';
  test('S2.3: create deployment my-app (nginx) and mysql, then expose them', async () => {
    await kok(c, ['create', 'deployment', 'my-app', '--image=nginx:latest', '--replicas=1']);
    await kok(c, ['create', 'deployment', 'mysql', '--image=mysql:latest', '--replicas=1']);
    firstPod = (await readyPods(c, 'default', 'app=my-app', 1))[0]?.metadata.name ?? '';
    assert.match(await kok(c, ['expose', 'deployment', 'my-app', '--port=6666', '--target-port=80']), /service\/my-app exposed/);
    assert.match(await kok(c, ['expose', 'deployment', 'mysql', '--port=3306', '--target-port=3306']), /service\/mysql exposed/);
    // mysql:latest runs a MySQL server only where one is mapped; otherwise the pod says why.
    const mysql = await eventually('mysql running or waiting with a reason', async () => {
      const list = await kjson<{ items: PodJson[] }>(c, ['get', 'pods', '-l', 'app=mysql', '-o', 'json']);
      const state = list.items[0]?.status.containerStatuses?.[0]?.state;
      return state?.running ? 'running' : state?.waiting?.message ? `${state.waiting.reason}: ${state.waiting.message}` : undefined;
    });
    assert.ok(mysql === 'running' || /mysql/i.test(mysql), mysql);
  });

  test('S2.4: the pod made before the Services has no variables for them; its replacement has them all', async () => {
    const env = (await kok(c, ['exec', firstPod, '--', 'env'])).split('\n');
    assert.ok(!env.some((l) => l.startsWith('MY_APP_SERVICE_HOST=')), 'no MY_APP_ variables yet');
    assert.ok(env.some((l) => l.startsWith('KUBERNETES_SERVICE_HOST=')), 'the kubernetes Service is older than the pod');
    await kok(c, ['delete', 'pod', firstPod]);
    const replacement = await eventually('a replacement pod', async () => {
      const pods = await readyPods(c, 'default', 'app=my-app', 1);
      return pods[0] && pods[0].metadata.name !== firstPod ? pods[0].metadata.name : undefined;
    }, 60_000);
    const after = (await kok(c, ['exec', replacement, '--', 'env'])).split('\n');
    const myApp = (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', 'my-app', '-o', 'json'])).spec.clusterIP;
    const mysql = (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', 'mysql', '-o', 'json'])).spec.clusterIP;
    for (const line of [`MY_APP_SERVICE_HOST=${myApp}`, 'MY_APP_SERVICE_PORT=6666', `MYSQL_SERVICE_HOST=${mysql}`, 'MYSQL_SERVICE_PORT=3306', `MY_APP_PORT=tcp://${myApp}:6666`]) {
      assert.ok(after.includes(line), `${line} in:\n${after.join('\n')}`);
    }
  });

  test('S2.5: resolv.conf names the cluster DNS and the search list; nslookup my-app.default and mysql.default answer', async () => {
    const [pod] = await readyPods(c, 'default', 'app=my-app', 1);
    const resolv = await kok(c, ['exec', pod?.metadata.name ?? '', '--', 'cat', '/etc/resolv.conf']);
    assert.match(resolv, /^nameserver 10\.96\.0\.10$/m);
    assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    assert.match(resolv, /^options ndots:5$/m);
    for (const name of ['my-app', 'mysql']) {
      const ip = (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', name, '-o', 'json'])).spec.clusterIP;
      const out = await kok(c, ['exec', pod?.metadata.name ?? '', '--', 'nslookup', `${name}.default`]);
      assert.match(out, new RegExp(`Name:\\s+${name}\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${ip.replace(/\./g, '\\.')}`), out);
    }
    // The nginx pod serves its welcome page through my-app's port 6666.
    const page = await kok(c, ['exec', pod?.metadata.name ?? '', '--', 'sh', '-c', 'wget -q -O- -t 1 -T 3 http://my-app:6666/']);
    assert.match(page, /Welcome to nginx!/);
  });
});
