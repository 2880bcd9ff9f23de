/**
 * `switchboard why` against a real cluster (`up --nodes 1`, as root): one healthy Service and
 * the usual ways a Service fails to reach its pods, each set up with kubectl; `why` must name
 * the cause (and exit 1), or say that it works (exit 0).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { cliPath, run, skipUnless, startCluster, type Cluster, type Result } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

const manifests = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: empty}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      containers:
      - name: web
        image: switchboard/testserver
        ports: [{name: http, containerPort: 5000}]
        readinessProbe: {httpGet: {path: /healthy, port: http}, periodSeconds: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: flaky, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: flaky}}
  template:
    metadata: {labels: {app: flaky}}
    spec:
      containers:
      - name: web
        image: switchboard/testserver
        ports: [{name: http, containerPort: 5000}]
        readinessProbe: {httpGet: {path: /not-here, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: shop}
spec:
  selector: {app: backend}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: wrong-selector, namespace: shop}
spec:
  selector: {app: backend-v2}
  ports: [{port: 80, targetPort: 5000}]
---
apiVersion: v1
kind: Service
metadata: {name: flaky, namespace: shop}
spec:
  selector: {app: flaky}
  ports: [{port: 80, targetPort: 5000}]
---
apiVersion: v1
kind: Service
metadata: {name: wrong-port-name, namespace: shop}
spec:
  selector: {app: backend}
  ports: [{port: 80, targetPort: web}]
---
apiVersion: v1
kind: Service
metadata: {name: lonely, namespace: empty}
spec:
  selector: {app: lonely}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: backend-np, namespace: shop}
spec:
  type: NodePort
  selector: {app: backend}
  ports: [{port: 80, targetPort: 5000}]
`;

/** A TCP connect from the host to host loopback: what `curl localhost:<nodePort>` would see. */
function connectLoopback(port: number): Promise<'connected' | 'refused' | 'other'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(2000, () => {
      s.destroy();
      resolve('other');
    });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'other'));
  });
}

describe('switchboard why names the cause', { skip }, () => {
  let c: Cluster;
  const why = (name: string, ns: string, dataDir = c.dataDir): Promise<Result> => run(process.execPath, [cliPath, 'why', name, '-n', ns, '--data-dir', dataDir]);
  /** `why` until its output matches (pods take a moment to start and fail their probes). */
  const whyUntil = (name: string, ns: string, pattern: RegExp): Promise<Result> =>
    eventually(`why ${name} says ${pattern}`, async () => {
      const r = await why(name, ns);
      return pattern.test(r.stdout) ? r : undefined;
    }, 20_000);

  before(async () => {
    c = await startCluster(['--nodes', '1']);
    await kok(c, ['apply', '-f', '-'], manifests);
    await eventually('the backend pod is ready', async () => {
      const list = await kjson<{ items: { status: { conditions?: { type: string; status: string }[] } }[] }>(c, ['get', 'pods', '-n', 'shop', '-l', 'app=backend']);
      return list.items.some((p) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')) ? true : undefined;
    }, 30_000);
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', c.dataDir]);
    await c.stop();
  });

  test('a healthy Service: it works, exit 0', async () => {
    const r = await whyUntil('backend', 'shop', /verdict: shop\/backend reaches 1 ready pod/);
    assert.equal(r.code, 0, r.stdout);
    assert.doesNotMatch(r.stdout, /^ {2}problem/m, r.stdout);
    assert.match(r.stdout, /DNS: backend\.shop\.svc\.cluster\.local A 10\./);
    assert.match(r.stdout, /node-0 \((nftables|userspace)\)/);
    assert.match(r.stdout, /node-0: TCP connection from inside the node to 10\.\S+:80 \(cluster IP\) connected/);
  });

  test('wrong selector: the labels that differ', async () => {
    const r = await why('wrong-selector', 'shop');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /selector app=backend-v2 matches no pod in namespace shop/);
    assert.match(r.stdout, /pod backend-\S+: app=backend, the Service wants app=backend-v2/);
    assert.match(r.stdout, /fix: Service shop\/wrong-selector: set spec.selector to app=backend, or give Deployment shop\/backend/);
  });

  test('unready pods: the readiness probe that fails', async () => {
    const r = await whyUntil('flaky', 'shop', /readiness probe fails/);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /container web of pod flaky-\S+ is running but its readiness probe fails: httpGet http:\/\/:5000\/not-here/);
    assert.match(r.stdout, /from node-0: HTTP 404/);
    assert.match(r.stdout, /fix: Deployment shop\/flaky \(pod template\): container web: readinessProbe/);
  });

  test('a named targetPort the pods do not have', async () => {
    const r = await why('wrong-port-name', 'shop');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /targetPort "web" is no containerPort name on any matching pod \(backend-\S+ has http 5000\)/);
    assert.match(r.stdout, /fix: Service shop\/wrong-port-name port 80: set targetPort to "http" or 5000/);
  });

  test('no pods at all', async () => {
    const r = await why('lonely', 'empty');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /selector app=lonely matches no pod in namespace empty \(the namespace has no pods\)/);
    assert.match(r.stdout, /fix: create pods labelled app=lonely in namespace empty/);
  });

  test('a NodePort tried on the host: where it answers instead', async () => {
    const svc = await kjson<{ spec: { ports: { nodePort: number }[] } }>(c, ['get', 'svc', 'backend-np', '-n', 'shop']);
    const nodePort = svc.spec.ports[0]?.nodePort ?? 0;
    assert.equal(await connectLoopback(nodePort), 'refused', 'the host\'s 127.0.0.1 does not carry NodePorts');
    const r = await whyUntil('backend-np', 'shop', /reaches 1 ready pod/);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`NodePort ${nodePort}/TCP answers on the node addresses inside the sandbox: 10\\.243\\.0\\.2:${nodePort} \\(node-0\\); not on the host's 127\\.0\\.0\\.1:${nodePort}`));
    assert.match(r.stdout, /kubectl port-forward -n shop svc\/backend-np 8080:80/);
    assert.match(r.stdout, new RegExp(`10\\.243\\.0\\.2:${nodePort} \\(NodePort\\) connected`));
  });

  test('errors are one line: a missing Service, no cluster, bad usage', async () => {
    const missing = await why('backnd', 'shop');
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /Service shop\/backnd: NotFound/);
    assert.match(missing.stdout, /did you mean backend/);
    const none = await why('backend', 'shop', `${c.dataDir}/nothing-here`);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^switchboard: why: no cluster is running from \S+/);
    assert.equal(none.stderr.trim().split('\n').length, 1, none.stderr);
    const usage = await run(process.execPath, [cliPath, 'why', '--data-dir', c.dataDir]);
    assert.equal(usage.code, 2);
  });
});
