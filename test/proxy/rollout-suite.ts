/**
 * Zero-drop endpoint removal: a rolling update of a 3-replica Deployment, and pods deleted at
 * random, under a bounded load through the Service (at least 20,000 requests, a new connection
 * each, sent from a pod), complete with no failed request. A deleted pod stops getting new
 * connections on every node before its containers get SIGTERM. Runs once per service proxy
 * backend (rollout.serial.test.ts, rollout-userspace.serial.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

/** The load: `total` GETs, `concurrency` at a time, each on a new connection; prints a JSON summary. */
const LOAD = `
const http = require('node:http');
const [host, port, total, concurrency] = process.argv.slice(2);
let sent = 0, ok = 0, failed = 0;
const errors = {};
const backends = {};
function one() {
  if (sent >= Number(total)) return Promise.resolve();
  sent++;
  return new Promise((resolve) => {
    const req = http.get({ host, port: Number(port), path: '/hostname', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => {
        if (res.statusCode === 200) { ok++; backends[body] = (backends[body] || 0) + 1; }
        else { failed++; errors['HTTP ' + res.statusCode] = (errors['HTTP ' + res.statusCode] || 0) + 1; }
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => { failed++; errors[e.code || e.message] = (errors[e.code || e.message] || 0) + 1; resolve(); });
  }).then(one);
}
Promise.all(Array.from({ length: Number(concurrency) }, one)).then(() => console.log(JSON.stringify({ ok, failed, errors, backends: Object.keys(backends).length })));
`;

/** `delayShutdown`: seconds netexec keeps serving after SIGTERM (0: it exits at once). */
const deployment = (version: string, delayShutdown = 1): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: roll}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}, annotations: {version: "${version}"}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["netexec", "--http-port=8080", "--delay-shutdown=${delayShutdown}"]
        readinessProbe: {httpGet: {path: /readyz, port: 8080}, periodSeconds: 1}
`;

interface Summary {
  ok: number;
  failed: number;
  errors: Record<string, number>;
  backends: number;
}

export function rolloutSuite(mode: 'nftables' | 'userspace'): void {
describe(`rollouts under load drop no request (${mode} proxy)`, { skip }, () => {
  let c: Cluster;
  let script = '';
  let ip = '';

  before(async () => {
    c = await startCluster(['--nodes', '2', '--proxy-mode', mode]);
    script = join(c.dataDir, 'load.cjs');
    writeFileSync(script, LOAD);
    await kok(c, ['create', 'namespace', 'roll']);
    await kok(c, ['apply', '-f', '-'], `${deployment('1')}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: roll}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);
    await kok(c, ['rollout', 'status', 'deployment/web', '-n', 'roll', '--timeout=60s']);
    ip = (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', 'web', '-n', 'roll', '-o', 'json'])).spec.clusterIP;
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', c.dataDir]);
    await c.stop();
  });

  /** Starts the load in a new pod (the host's node, by the `node` image) and returns its summary when done. */
  const load = async (name: string, total: number, during: () => Promise<void>): Promise<Summary> => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: roll}
spec:
  restartPolicy: Never
  containers:
  - {name: load, image: "node:20", command: ["node", "${script}", "${ip}", "80", "${total}", "8"]}
`);
    await eventually(`${name} running`, async () => {
      const p = await kjson<{ status: { phase?: string } }>(c, ['get', 'pod', name, '-n', 'roll', '-o', 'json']);
      return p.status.phase === 'Running' || p.status.phase === 'Succeeded' ? true : undefined;
    }, 30_000);
    await during();
    const phase = (await kjson<{ status: { phase?: string } }>(c, ['get', 'pod', name, '-n', 'roll', '-o', 'json'])).status.phase;
    assert.equal(phase, 'Running', 'the load outlasts the disruption (raise the request count if not)');
    await eventually(`${name} done`, async () => {
      const p = await kjson<{ status: { phase?: string } }>(c, ['get', 'pod', name, '-n', 'roll', '-o', 'json']);
      return p.status.phase === 'Succeeded' || p.status.phase === 'Failed' ? true : undefined;
    }, 120_000);
    const out = await kok(c, ['logs', name, '-n', 'roll']);
    const summary = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Summary;
    if (summary.failed > 0) {
      // What the agent and the proxy said, for the failure message.
      const log = readFileSync(join(c.dataDir, 'switchboard.log'), 'utf8').split('\n');
      console.log(log.filter((l) => /routed|service-proxy|incremental/.test(l)).slice(-40).join('\n'));
    }
    return summary;
  };

  test('a rolling update of 3 replicas under 20,000 requests through the Service fails none', async () => {
    const summary = await load('load-rollout', 20_000, async () => {
      await kok(c, ['apply', '-f', '-'], deployment('2'));
      await kok(c, ['rollout', 'status', 'deployment/web', '-n', 'roll', '--timeout=90s']);
    });
    assert.deepEqual({ ok: summary.ok, failed: summary.failed, errors: summary.errors }, { ok: 20_000, failed: 0, errors: {} });
    assert.ok(summary.backends >= 4, `old and new pods both answered: ${summary.backends}`);
  });

  test('pods deleted at random under 20,000 requests through the Service: none fails, even with servers that exit at SIGTERM', async () => {
    await kok(c, ['apply', '-f', '-'], deployment('3', 0));
    await kok(c, ['rollout', 'status', 'deployment/web', '-n', 'roll', '--timeout=90s']);
    const summary = await load('load-delete', 20_000, async () => {
      for (let i = 0; i < 3; i++) {
        const pods = await kjson<{ items: { metadata: { name: string; deletionTimestamp?: string } }[] }>(c, ['get', 'pods', '-n', 'roll', '-l', 'app=web', '-o', 'json']);
        const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
        const victim = live[Math.floor(Math.random() * live.length)]?.metadata.name ?? '';
        await kok(c, ['delete', 'pod', victim, '-n', 'roll', '--wait=false']);
        await kok(c, ['rollout', 'status', 'deployment/web', '-n', 'roll', '--timeout=60s']);
        await eventually('3 ready again', async () => {
          const d = await kjson<{ status: { readyReplicas?: number } }>(c, ['get', 'deployment', 'web', '-n', 'roll', '-o', 'json']);
          return d.status.readyReplicas === 3 ? true : undefined;
        }, 30_000);
      }
    });
    assert.deepEqual({ ok: summary.ok, failed: summary.failed, errors: summary.errors }, { ok: 20_000, failed: 0, errors: {} });
  });
});
}
