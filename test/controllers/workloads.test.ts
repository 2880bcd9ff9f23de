/**
 * Issue 3 acceptance, workloads half: every workload kind backs a Service (S5.8), a rolling
 * update never drops below replicas - maxUnavailable ready endpoints, and `kubectl rollout
 * status` finishes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { skipUnless, startCluster, type Cluster } from '../harness.js';
import { endpointsOf, eventually, kok, podsOf } from './kube.js';

const skip = skipUnless('kubectl');

const template = (app: string, restartPolicy = 'Always') => `  template:
    metadata:
      labels:
        app: ${app}
    spec:
      restartPolicy: ${restartPolicy}
      containers:
      - name: main
        image: busybox
        ports:
        - containerPort: 80
`;

const workloads: Record<string, string> = {
  Deployment: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: w-deploy
spec:
  replicas: 2
  selector:
    matchLabels:
      app: w-deploy
${template('w-deploy')}`,
  ReplicaSet: `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: w-rs
spec:
  replicas: 2
  selector:
    matchLabels:
      app: w-rs
${template('w-rs')}`,
  StatefulSet: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: w-sts
spec:
  serviceName: w-sts
  replicas: 2
  selector:
    matchLabels:
      app: w-sts
${template('w-sts')}`,
  DaemonSet: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: w-ds
spec:
  selector:
    matchLabels:
      app: w-ds
${template('w-ds')}`,
  Job: `apiVersion: batch/v1
kind: Job
metadata:
  name: w-job
spec:
  parallelism: 2
  completions: 2
${template('w-job', 'Never')}`,
  Pod: `apiVersion: v1
kind: Pod
metadata:
  name: w-pod
  labels:
    app: w-pod
spec:
  containers:
  - name: main
    image: busybox
    ports:
    - containerPort: 80
`,
};

const expectedReady: Record<string, number> = { Deployment: 2, ReplicaSet: 2, StatefulSet: 2, DaemonSet: 3, Job: 2, Pod: 1 };

describe('workloads back services (simulated nodes)', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--simulated-nodes', '3']);
  });
  after(async () => c?.stop());

  for (const [kind, manifest] of Object.entries(workloads)) {
    test(`S5.8: a ${kind}'s pods back a Service by their labels`, async () => {
      const app = /app: (\S+)/.exec(manifest)![1]!;
      await kok(c, ['apply', '-f', '-'], manifest);
      await kok(c, ['create', 'service', 'clusterip', app, '--tcp=80:80']);
      await kok(c, ['patch', 'svc', app, '-p', JSON.stringify({ spec: { selector: { app } } })]);
      const want = expectedReady[kind]!;
      await eventually(`${want} ready endpoints for the ${kind}`, async () => ((await endpointsOf(c, 'default', app)).ready.length === want ? true : undefined), 30_000);
    });
  }

  test('a rolling update keeps replicas - maxUnavailable ready endpoints, and rollout status finishes', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata:
  name: roll
spec:
  replicas: 3
  strategy:
    rollingUpdate:
      maxUnavailable: 1
      maxSurge: 1
  selector:
    matchLabels:
      app: roll
${template('roll')}`);
    await kok(c, ['expose', 'deployment', 'roll', '--port=80']);
    await eventually('3 ready endpoints', async () => ((await endpointsOf(c, 'default', 'roll')).ready.length === 3 ? true : undefined), 30_000);
    const before = (await podsOf(c, 'default', 'app=roll')).map((p) => p.name);
    let minReady = 3;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const e = await endpointsOf(c, 'default', 'roll');
        minReady = Math.min(minReady, e.ready.length);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await kok(c, ['set', 'image', 'deployment/roll', 'main=busybox:1.36']);
    const status = await new Promise<{ code: number; out: string }>((resolve) => {
      const p = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'rollout', 'status', 'deployment/roll', '--timeout=60s'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      p.on('close', (code) => resolve({ code: code ?? 1, out }));
    });
    watching = false;
    await watcher;
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /successfully rolled out/);
    const after = await podsOf(c, 'default', 'app=roll');
    const live = after.filter((p) => !p.deleting);
    assert.equal(live.length, 3);
    assert.ok(live.every((p) => !before.includes(p.name)), 'all pods replaced');
    assert.ok(minReady >= 2, `ready endpoints fell to ${minReady} during the rollout`);
  });

  test('LoadBalancer Services get an EXTERNAL-IP from the pool, or the loadBalancerIP asked for', async () => {
    await kok(c, ['create', 'service', 'loadbalancer', 'lb-any', '--tcp=80:80']);
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata:
  name: lb-fixed
  annotations:
    example.com/kept: "yes"
spec:
  type: LoadBalancer
  loadBalancerIP: 127.245.0.77
  selector:
    app: w-deploy
  ports:
  - port: 80
`);
    const out = await eventually('external IPs assigned', async () => {
      const o = await kok(c, ['get', 'svc', 'lb-any', 'lb-fixed']);
      return /lb-any\s+LoadBalancer\s+\S+\s+127\.245\.0\.\d+\s/.test(o) && /lb-fixed\s+LoadBalancer\s+\S+\s+127\.245\.0\.77\s+80:3\d{4}\/TCP/.test(o) ? o : undefined;
    });
    assert.doesNotMatch(out, /<pending>/);
    assert.match(await kok(c, ['get', 'svc', 'lb-fixed', '-o', 'jsonpath={.metadata.annotations}']), /example.com\/kept/);
  });
});
