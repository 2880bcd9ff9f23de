/**
 * The `nginx*` images on a real node (S4, S5): each pod runs the host's nginx with a
 * configuration, pid file and temp paths of its own, serves the welcome page on port 80, and
 * its access log is what `kubectl logs` shows; with a command of their own, the images run it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';
import { isRunning } from '../../src/sandbox/network.js';

const skip = sandboxSkipReason() || skipUnless('kubectl') || skipUnless('nginx') || skipUnless('curl');

interface PodJson {
  metadata: { name: string; uid: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean }[] };
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx, labels: {app: nginx}}
spec:
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      imagePullSecrets: [{name: regcred}]
      containers:
      - name: nginx
        image: nginx:latest
        ports: [{containerPort: 80}]
        resources:
          limits: {cpu: 200m, memory: 128Mi}
          requests: {cpu: 100m, memory: 64Mi}
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  selector: {app: nginx}
  ports: [{name: service0, port: 8080, targetPort: 80, protocol: TCP}]
`;

const WELCOME = '<h1>Welcome to nginx!</h1>';

describe('nginx images on a real node', { skip }, () => {
  let c: Cluster;
  let dataDir = '';
  /** The nginx master of each pod, by pod name. */
  const masters = new Map<string, number>();

  const readyPods = async (count: number, without = ''): Promise<PodJson[]> =>
    eventually(`${count} ready nginx pods`, async () => {
      const list = await kjson<{ items: PodJson[] }>(c, ['get', 'pods', '-l', 'app=nginx']);
      const ready = list.items.filter((p) => p.metadata.name !== without && p.status.containerStatuses?.[0]?.ready);
      return ready.length === count && list.items.length === count ? ready : undefined;
    }, 30_000);
  const nginxDir = (p: PodJson): string => join(dataDir, 'pods', p.metadata.uid, 'nginx', 'nginx');

  before(async () => {
    c = await startCluster(['--nodes', '1']);
    dataDir = c.dataDir;
    await kok(c, ['apply', '-f', '-'], deployment);
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    await c.stop();
    // The cluster stops its pods; a master still running would be a leak of this test's.
    for (const pid of masters.values()) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  });

  test('S4.1: three pods Ready, each with its own nginx master, pid file and configuration', async () => {
    const pods = await readyPods(3);
    for (const p of pods) {
      const dir = nginxDir(p);
      const pid = Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim());
      assert.ok(isRunning(pid), `${p.metadata.name}: master ${pid} runs`);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      assert.match(cmdline, /^nginx: master process /, cmdline);
      assert.ok(cmdline.includes(join(dir, 'nginx.conf')), cmdline);
      const conf = readFileSync(join(dir, 'nginx.conf'), 'utf8');
      assert.match(conf, /^\s*listen 80;$/m);
      assert.doesNotMatch(conf, /\[::\]/, 'the pod has no IPv6 address');
      assert.match(conf, /^\s*access_log \/dev\/stdout /m);
      masters.set(p.metadata.name, pid);
    }
    assert.equal(new Set(masters.values()).size, 3);
  });

  test('S4.3: curl from another pod reaches each pod and the cluster IP; kubectl logs shows each access line', async () => {
    const pods = await readyPods(3);
    const clusterIP = (await kok(c, ['get', 'svc', 'nginx', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const urls = [...pods.map((p) => `http://${p.status.podIP}/`), `http://${clusterIP}:8080/`];
    await kok(c, ['run', 'client', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', urls.map((u) => `curl -s -m 5 ${u}`).join('; ')]);
    const client = await eventually('client done', async () => {
      const p = await kjson<PodJson>(c, ['get', 'pod', 'client']);
      return p.status.phase === 'Succeeded' || p.status.phase === 'Failed' ? p : undefined;
    }, 30_000);
    const out = await kok(c, ['logs', 'client']);
    assert.equal(out.split(WELCOME).length - 1, 4, out);
    assert.match(out, /<title>Welcome to nginx!<\/title>/);
    const line = new RegExp(`^${(client.status.podIP ?? '').replaceAll('.', '\\.')} - - \\[[^\\]]+\\] "GET / HTTP/1\\.1" 200 \\d+ "-" "curl/[^"]+" "-"$`, 'm');
    for (const p of pods) {
      await eventually(`access line in ${p.metadata.name}'s log`, async () => (line.test(await kok(c, ['logs', p.metadata.name])) ? true : undefined), 5_000);
    }
  });

  test('S5.10: kubectl exec -i deployment/nginx -- /bin/sh runs a shell in one of the pods', async () => {
    const r = await c.kubectl(['exec', '-i', 'deployment/nginx', '--', '/bin/sh'], { input: 'curl -s -m 5 http://nginx:8080/; hostname\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(WELCOME), r.stdout);
    assert.ok([...masters.keys()].includes(r.stdout.trim().split('\n').at(-1) ?? ''), r.stdout);
  });

  test('deleting one pod stops its nginx only: the other two keep their masters and serve', async () => {
    const [gone, ...kept] = await readyPods(3);
    assert.ok(gone && kept.length === 2);
    await kok(c, ['delete', 'pod', gone.metadata.name]);
    const oldMaster = masters.get(gone.metadata.name) ?? 0;
    await eventually('the deleted pod\'s nginx is gone', async () => (isRunning(oldMaster) ? undefined : true), 20_000);
    for (const p of kept) assert.ok(isRunning(masters.get(p.metadata.name) ?? 0), `${p.metadata.name}'s master still runs`);
    const [a, b] = kept;
    const r = await kok(c, ['exec', a?.metadata.name ?? '', '--', 'sh', '-c', `curl -s -m 5 http://${b?.status.podIP}/; curl -s -m 5 http://127.0.0.1/`]);
    assert.equal(r.split(WELCOME).length - 1, 2, r);
    const replaced = await readyPods(3, gone.metadata.name);
    const fresh = replaced.find((p) => !masters.has(p.metadata.name));
    assert.ok(fresh, 'a replacement pod');
    const pid = Number(readFileSync(join(nginxDir(fresh), 'nginx.pid'), 'utf8').trim());
    assert.ok(isRunning(pid) && ![...masters.values()].includes(pid));
    masters.set(fresh.metadata.name, pid);
  });

  test('S4.3: kubectl run --rm -i --image nginx:alpine with a command runs that command', async () => {
    const r = await c.kubectl(['run', '--rm', '-i', '--image', 'nginx:alpine', 't', '--restart=Never', '--', '/bin/sh', '-c', 'echo hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^hi$/m);
  });

  test('deleting the Deployment stops every nginx it started', async () => {
    await kok(c, ['delete', 'deployment', 'nginx']);
    await eventually('every nginx master gone', async () => ([...masters.values()].some(isRunning) ? undefined : true), 30_000);
  });
});
