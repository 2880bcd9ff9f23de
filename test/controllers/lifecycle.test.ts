/**
 * Issue 3 acceptance, failure half: terminating endpoints, a node that goes silent, and
 * controllers that outlive an API server restart.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath, run, skipUnless, startCluster, stopPid, type Cluster } from '../harness.js';
import { endpointsOf, eventually, kok, podsOf, slicesOf, sortedIps } from './kube.js';

const skip = skipUnless('kubectl');

const deployment = (name: string, replicas: number, annotations = '', tolerations = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
${annotations}    spec:
${tolerations}      containers:
      - name: main
        image: x
        ports:
        - containerPort: 80
`;

describe('failures (simulated nodes)', { skip }, () => {
  const clusters: Cluster[] = [];
  after(async () => {
    for (const c of clusters) await c.stop();
  });

  test('a deleted pod shows terminating until it is gone', async () => {
    const c = await startCluster(['--simulated-nodes', '2']);
    clusters.push(c);
    await kok(c, ['apply', '-f', '-'], deployment('slow', 1, '      annotations:\n        switchboard.io/simulated-termination-delay-ms: "3000"\n'));
    await kok(c, ['expose', 'deployment', 'slow', '--port=80']);
    const [pod] = await eventually('pod ready', async () => {
      const ps = await podsOf(c, 'default', 'app=slow');
      return ps.length === 1 && ps[0]!.ready ? ps : undefined;
    });
    await kok(c, ['delete', 'pod', pod!.name, '--wait=false']);
    const terminating = await eventually('terminating endpoint', async () => {
      const eps = (await slicesOf(c, 'default', 'slow')).flatMap((s) => s.endpoints);
      return eps.find((e) => e.pod === pod!.name && e.terminating);
    });
    assert.equal(terminating.ready, false);
    await eventually('pod gone and its endpoint with it', async () => {
      const ps = await podsOf(c, 'default', 'app=slow');
      const eps = (await slicesOf(c, 'default', 'slow')).flatMap((s) => s.endpoints);
      return !ps.some((p) => p.name === pod!.name) && !eps.some((e) => e.pod === pod!.name) ? true : undefined;
    });
  });

  test('a node that stops renewing its Lease goes NotReady; its endpoints go not-ready; its pods are recreated elsewhere', async () => {
    const c = await startCluster(['--simulated-nodes', '2', '--node-monitor-grace-period', '2s']);
    clusters.push(c);
    const tolerations = `      tolerations:
      - key: node.kubernetes.io/unreachable
        operator: Exists
        effect: NoExecute
        tolerationSeconds: 3
      - key: node.kubernetes.io/not-ready
        operator: Exists
        effect: NoExecute
        tolerationSeconds: 3
`;
    await kok(c, ['apply', '-f', '-'], deployment('spread', 4, '', tolerations));
    await kok(c, ['expose', 'deployment', 'spread', '--port=80']);
    const pods = await eventually('4 ready pods on 2 nodes', async () => {
      const ps = await podsOf(c, 'default', 'app=spread');
      return ps.length === 4 && ps.every((p) => p.ready) && new Set(ps.map((p) => p.node)).size === 2 ? ps : undefined;
    }, 30_000);
    const lost = pods.filter((p) => p.node === 'sim-node-0');
    await kok(c, ['annotate', 'node', 'sim-node-0', 'switchboard.io/simulated-lease=paused']);
    await eventually('node NotReady', async () => {
      const out = await kok(c, ['get', 'node', 'sim-node-0']);
      return /sim-node-0\s+NotReady/.test(out) ? true : undefined;
    }, 30_000);
    await eventually('the lost node\'s endpoints are not ready', async () => {
      const e = await endpointsOf(c, 'default', 'spread');
      const notReady = sortedIps(e.notReady);
      return lost.every((p) => notReady.includes(p.ip ?? '')) ? true : undefined;
    }, 30_000);
    await eventually('replacements ready on the other node', async () => {
      const ps = (await podsOf(c, 'default', 'app=spread')).filter((p) => !p.deleting && p.ready);
      const e = await endpointsOf(c, 'default', 'spread');
      return ps.length === 4 && ps.every((p) => p.node === 'sim-node-1') && sortedIps(e.ready).join() === sortedIps(ps).join() ? true : undefined;
    }, 60_000);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('controllers survive an API server restart', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-restart-'));
  const children: ChildProcess[] = [];
  let apiPid = 0;
  after(async () => {
    for (const child of children) if (child.pid) await stopPid(child.pid);
    if (apiPid) await stopPid(apiPid);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a change made while the server was down is reflected exactly afterwards', async () => {
    const port = await freePort();
    const startApi = async (): Promise<number> => {
      // A small watch cache: after the restart, watchers that are behind get 410 and must relist.
      const r = await run(process.execPath, [cliPath, 'apiserver', '--detach', '-q', '--data-dir', dir, '--api-port', String(port), '--watch-cache-size', '20']);
      assert.equal(r.code, 0, r.stderr);
      const status = JSON.parse((await run(process.execPath, [cliPath, 'status', '-o', 'json', '--data-dir', dir])).stdout) as { pid: number };
      return status.pid;
    };
    apiPid = await startApi();
    const kubeconfig = join(dir, 'kubeconfig');
    let controllerLog = '';
    for (const args of [['controllers'], ['agent', '--simulated-nodes', '2']]) {
      const child = spawn(process.execPath, [cliPath, ...args, '--kubeconfig', kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (args[0] === 'controllers') child.stderr?.on('data', (d: Buffer) => (controllerLog += d.toString()));
      else child.stderr?.resume();
      children.push(child);
    }
    const c = { kubeconfig, kubectl: (args: string[], o: { input?: string } = {}) => run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], o) } as unknown as Cluster;
    await kok(c, ['apply', '-f', '-'], deployment('survivor', 2));
    await kok(c, ['expose', 'deployment', 'survivor', '--port=80']);
    await eventually('2 endpoints', async () => ((await endpointsOf(c, 'default', 'survivor')).ready.length === 2 ? true : undefined), 30_000);

    // Writes continue in a burst; the server is killed in the middle of them. Whether a
    // controller's watch then expires depends on how fast it reconnects: on a busy machine it
    // can beat the churn, so the cycle is repeated (at most 3 times) until one has.
    for (let round = 0; round < 3 && !/watch expired \(410\); relisting/.test(controllerLog); round++) {
      const scaling = (async () => {
        for (let n = 3; n <= 6; n++) await c.kubectl(['scale', 'deployment', 'survivor', `--replicas=${n}`]);
      })();
      await new Promise((r) => setTimeout(r, 150));
      process.kill(apiPid, 'SIGKILL');
      await scaling;
      await stopPid(apiPid);
      apiPid = await startApi();
      // More changes than the cache keeps, made before the controllers' watches reconnect.
      await Promise.all(Array.from({ length: 40 }, (_, i) => c.kubectl(['create', 'configmap', `churn-${round}-${i}`])));
      await kok(c, ['scale', 'deployment', 'survivor', '--replicas=5']);
      // The controllers relist (or not) within a few seconds of reconnecting.
      await eventually('the controllers reconnected', async () => (/watch expired \(410\)|relist|reconnect/.test(controllerLog) ? true : undefined), 5_000).catch(() => undefined);
    }
    const final = await eventually('5 ready pods and exactly their endpoints', async () => {
      const ps = (await podsOf(c, 'default', 'app=survivor')).filter((p) => !p.deleting);
      const e = await endpointsOf(c, 'default', 'survivor');
      const s = (await slicesOf(c, 'default', 'survivor')).flatMap((x) => x.endpoints).filter((x) => x.ready);
      const want = sortedIps(ps).join();
      return ps.length === 5 && ps.every((p) => p.ready) && sortedIps(e.ready).join() === want && sortedIps(s).join() === want && e.notReady.length === 0 ? ps : undefined;
    }, 60_000);
    assert.equal(final.length, 5);
    assert.match(controllerLog, /watch expired \(410\); relisting/, 'no controller watch expired: the test did not exercise a 410');
  });
});
