/**
 * Scenario S1, "Why Services: pod IPs are not stable", step by step with the manifests in
 * examples/s1 and kubectl as the tutorial uses it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  eventually, examples, headerOf, hostNames, kjson, kok, readyPods, rowOf, sh, skip, startScenarioCluster, stopScenarioCluster, terminal,
  type Cluster, type PodJson,
} from './scenario.js';

describe('S1: why Services (namespace example)', { skip }, () => {
  let c: Cluster;
  let frontend = '';
  let backendIPs: string[] = [];

  before(async () => {
    c = await startScenarioCluster();
  });
  after(() => stopScenarioCluster(c));

  test('S1.1: backend (2 replicas), frontend and pg from examples/s1; the backend answers /healthy and /host_name', async () => {
    const out = await kok(c, ['apply', '-f', examples('s1')]);
    assert.match(out, /namespace\/example created/);
    assert.match(out, /deployment\.apps\/backend created/);
    const backends = await readyPods(c, 'example', 'app=backend', 2);
    backendIPs = backends.map((p) => p.status.podIP ?? '');
    frontend = (await readyPods(c, 'example', 'app=frontend', 1))[0]?.metadata.name ?? '';
    // pg needs a PostgreSQL server mapped to its image; without one it waits and says why.
    const pg = await eventually('pg waiting or running', async () => {
      const list = await kjson<{ items: PodJson[] }>(c, ['get', 'pods', '-n', 'example', '-l', 'app=pg', '-o', 'json']);
      const state = list.items[0]?.status.containerStatuses?.[0]?.state;
      return state?.running ? 'running' : state?.waiting?.message ? `${state.waiting.reason}: ${state.waiting.message}` : undefined;
    });
    assert.ok(pg === 'running' || /postgres/i.test(pg), pg);
  });

  test('S1.2: get pods --selector=app=backend -o wide shows NAME READY STATUS RESTARTS AGE IP NODE', async () => {
    const table = await kok(c, ['get', 'pods', '--selector=app=backend', '-n', 'example', '-o', 'wide']);
    assert.deepEqual(headerOf(table).slice(0, 7), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    const rows = table.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.equal(r[1], '1/1');
      assert.equal(r[2], 'Running');
      assert.match(r[5] ?? '', /^10\.244\.\d+\.\d+$/);
      assert.match(r[6] ?? '', /^node-[01]$/);
    }
  });

  test('S1.3: exec -it into the frontend, then wget a backend pod IP: {"healthy":true}', async () => {
    const session = await terminal(c, `exec -it ${frontend} -n example -- sh`, [`wget -O - http://${backendIPs[0]}:5000/healthy; echo`, 'exit']);
    assert.match(session.stdout, /\{"healthy":true\}/, session.stdout + session.stderr);
    assert.equal(session.code, 0);
  });

  test('S1.4: deleting a backend pod brings a new pod with a new name and a new IP', async () => {
    const before = await readyPods(c, 'example', 'app=backend', 2);
    const victim = before[0];
    assert.ok(victim);
    await kok(c, ['delete', 'pods', victim.metadata.name, '-n', 'example']);
    const after = await eventually('a replacement', async () => {
      const now = await readyPods(c, 'example', 'app=backend', 2);
      return now.some((p) => p.metadata.name === victim.metadata.name) ? undefined : now;
    }, 60_000);
    const fresh = after.find((p) => !before.some((b) => b.metadata.name === p.metadata.name));
    assert.ok(fresh, 'a pod with a new name');
    assert.notEqual(fresh.status.podIP, victim.status.podIP, 'a new IP');
    backendIPs = after.map((p) => p.status.podIP ?? '');
  });

  test('S1.5: get endpoints shows backend-service with both pod IPs on 5000; addresses point at the pods', async () => {
    const table = await eventually('endpoints follow the pods', async () => {
      const t = await kok(c, ['get', 'endpoints', '-n', 'example']);
      const row = rowOf(t, 'backend-service');
      const eps = (row?.[1] ?? '').split(',').sort();
      return eps.join(',') === backendIPs.map((ip) => `${ip}:5000`).sort().join(',') ? t : undefined;
    });
    assert.ok(rowOf(table, 'frontend-service')?.[1]?.endsWith(':3000'), table);
    const ep = await kjson<{ subsets: { addresses: { ip: string; targetRef?: { kind: string; name: string } }[] }[] }>(c, ['get', 'endpoints', 'backend-service', '-n', 'example', '-o', 'json']);
    for (const a of ep.subsets[0]?.addresses ?? []) {
      assert.equal(a.targetRef?.kind, 'Pod');
      assert.match(a.targetRef?.name ?? '', /^backend-/);
    }
  });

  test('S1.6: get service shows NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE', async () => {
    const table = await kok(c, ['get', 'service', '-n', 'example']);
    assert.deepEqual(headerOf(table), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const row = rowOf(table, 'backend-service');
    assert.equal(row?.[1], 'ClusterIP');
    assert.match(row?.[2] ?? '', /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    assert.equal(row?.[3], '<none>');
    assert.equal(row?.[4], '5000/TCP');
  });

  test('S1.7: a wget loop from the frontend to the cluster IP alternates between the backend pods', async () => {
    const ip = (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', 'backend-service', '-n', 'example', '-o', 'json'])).spec.clusterIP;
    const out = await sh(c, frontend, 'example', `i=0; while [ $i -lt 10 ]; do wget -q -O- http://${ip}:5000/host_name; echo; sleep 0.2; i=$((i+1)); done`);
    const seen = hostNames(out.trim().split('\n'));
    const pods = (await readyPods(c, 'example', 'app=backend', 2)).map((p) => p.metadata.name);
    assert.equal(seen.length, 10);
    assert.deepEqual([...new Set(seen)].sort(), pods, seen.join(' '));
  });

  test('S1.8: the three DNS names reach the backend, and the frontend finds it by name', async () => {
    const pods = (await readyPods(c, 'example', 'app=backend', 2)).map((p) => p.metadata.name);
    for (const name of ['backend-service.example.svc.cluster.local', 'backend-service.example', 'backend-service']) {
      const seen = hostNames((await sh(c, frontend, 'example', `wget -q -O- http://${name}:5000/host_name`)).split('\n').slice(0, 1));
      assert.ok(pods.includes(seen[0] ?? ''), `${name}: ${seen.join(' ')}`);
    }
    // The frontend reaching the backend, through its own Service (a connection that can come
    // back to the pod that opened it: the node's bridge sends it back, "hairpin").
    const viaFrontend = await sh(c, frontend, 'example', 'wget -q -O- -t 1 -T 5 http://frontend-service:3000/');
    assert.match(viaFrontend, /frontend -> backend \{"host_name":"backend-/);
  });

  test('S1.9: the ExternalName backend-service in default reaches the pods in example', async () => {
    await kok(c, ['run', 'client', '-n', 'default', '--image=busybox', '--', 'sleep', '3600']);
    await readyPods(c, 'default', 'run=client', 1);
    const pods = (await readyPods(c, 'example', 'app=backend', 2)).map((p) => p.metadata.name);
    const seen = await eventually('answers through the ExternalName', async () => {
      const got = hostNames((await sh(c, 'client', 'default', 'wget -q -O- -t 1 -T 3 http://backend-service:5000/host_name')).split('\n').slice(0, 1));
      return pods.includes(got[0] ?? '') ? got : undefined;
    });
    assert.equal(seen.length, 1);
  });

  test('S1.10: db (no selector) with its Endpoints reaches the address given there', async () => {
    // The "external" database: a server of the test's own, in a pod; the Endpoints name its IP.
    await kok(c, ['run', 'dbhost', '-n', 'example', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--', 'netexec', '--http-port=3306', '--udp-port=-1']);
    const [db] = await readyPods(c, 'example', 'run=dbhost', 1);
    const manifest = join(c.dataDir, 'db.yaml');
    writeFileSync(manifest, readFileSync(examples('s1', 'db.yaml'), 'utf8').replaceAll('10.244.0.250', db?.status.podIP ?? ''));
    await kok(c, ['apply', '-f', manifest]);
    const answer = await eventually('db answers', async () => {
      const out = await sh(c, frontend, 'example', 'wget -q -O- -t 1 -T 3 http://db.example.svc.cluster.local:3306/hostname');
      return out.trim() === 'dbhost' ? out : undefined;
    });
    assert.equal(answer.trim(), 'dbhost');
  });

  test('S1.11: sessionAffinity ClientIP makes the frontend stick to one pod', async () => {
    await kok(c, ['patch', 'svc', 'backend-service', '-n', 'example', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    const sticky = await eventually('15 answers from one pod', async () => {
      const out = await sh(c, frontend, 'example', 'i=0; while [ $i -lt 15 ]; do wget -q -O- http://backend-service:5000/host_name; echo; i=$((i+1)); done');
      const seen = hostNames(out.trim().split('\n'));
      return seen.length === 15 && new Set(seen).size === 1 ? seen : undefined;
    });
    assert.match(sticky[0] ?? '', /^backend-/);
  });
});
