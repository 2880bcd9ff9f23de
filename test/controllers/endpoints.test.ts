/**
 * Issue 3 acceptance, endpoints half: on simulated nodes, Endpoints and EndpointSlices follow
 * pods exactly as the scenarios describe, driven with real kubectl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless, startCluster, type Cluster } from '../harness.js';
import { endpointsOf, eventually, kjson, kok, podsOf, slicesOf, sortedIps } from './kube.js';
import { nginxStatefulSet } from '../kubectl/manifests.js';

const skip = skipUnless('kubectl');

const podWithPort = (name: string, app: string, port: number, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${app}
${extra}spec:
  containers:
  - name: web
    image: x
    ports:
    - name: http
      containerPort: ${port}
`;

describe('endpoints follow pods (simulated nodes)', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--simulated-nodes', '3']);
    await kok(c, ['create', 'namespace', 'example']);
  });
  after(async () => c?.stop());

  test('S1.4-S1.5: deployment + expose; a deleted pod is replaced with a new IP and both objects follow', async () => {
    await kok(c, ['create', 'deployment', 'backend', '--image=x', '--replicas=2', '-n', 'example']);
    await kok(c, ['expose', 'deployment', 'backend', '--port=5000', '-n', 'example']);
    const pods = await eventually('two ready backend pods', async () => {
      const ps = await podsOf(c, 'example', 'app=backend');
      return ps.length === 2 && ps.every((p) => p.ready && p.ip) ? ps : undefined;
    });
    const ep = await eventually('endpoints with both pods', async () => {
      const e = await endpointsOf(c, 'example', 'backend');
      return e.ready.length === 2 ? e : undefined;
    });
    assert.deepEqual(sortedIps(ep.ready), sortedIps(pods));
    assert.deepEqual(ep.ports, [5000]);
    const out = await kok(c, ['get', 'endpoints', '-n', 'example']);
    assert.match(out, new RegExp(`^backend\\s+${sortedIps(pods).map((ip) => `${ip.replaceAll('.', '\\.')}:5000`).join('|')}`, 'm'));
    const slices = await slicesOf(c, 'example', 'backend');
    assert.deepEqual(sortedIps(slices.flatMap((s) => s.endpoints)), sortedIps(pods));

    const victim = pods[0]!;
    const started = Date.now();
    await kok(c, ['delete', 'pod', victim.name, '-n', 'example']);
    const replaced = await eventually('replacement pod ready', async () => {
      const ps = await podsOf(c, 'example', 'app=backend');
      return ps.length === 2 && ps.every((p) => p.ready && !p.deleting) && !ps.some((p) => p.name === victim.name) ? ps : undefined;
    });
    const fresh = replaced.find((p) => p.name !== pods[1]!.name)!;
    assert.notEqual(fresh.name, victim.name);
    assert.notEqual(fresh.ip, victim.ip);
    await eventually('endpoints and slices follow the replacement', async () => {
      const e = await endpointsOf(c, 'example', 'backend');
      const s = await slicesOf(c, 'example', 'backend');
      const want = sortedIps(replaced).join();
      return sortedIps(e.ready).join() === want && sortedIps(s.flatMap((x) => x.endpoints).filter((x) => x.ready)).join() === want ? true : undefined;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `endpoints followed only after ${elapsed} ms`);
  });

  test('an unready pod drops out of ready; publishNotReadyAddresses keeps it ready', async () => {
    await kok(c, ['create', '-f', '-'], podWithPort('unready', 'held', 8080, '  annotations:\n    switchboard.io/simulated-ready: "false"\n'));
    await kok(c, ['create', 'service', 'clusterip', 'held', '--tcp=80:8080', '-n', 'default']);
    await kok(c, ['patch', 'svc', 'held', '-p', '{"spec":{"selector":{"app":"held"}}}']);
    const e = await eventually('not-ready address listed', async () => {
      const v = await endpointsOf(c, 'default', 'held');
      return v.notReady.length === 1 ? v : undefined;
    });
    assert.equal(e.ready.length, 0);
    const slice = await eventually('slice with a not-ready endpoint', async () => {
      const s = (await slicesOf(c, 'default', 'held')).flatMap((x) => x.endpoints);
      return s.length === 1 ? s[0] : undefined;
    });
    assert.equal(slice.ready, false);
    assert.equal(slice.serving, false);
    await kok(c, ['patch', 'svc', 'held', '-p', '{"spec":{"publishNotReadyAddresses":true}}']);
    await eventually('published as ready', async () => {
      const v = await endpointsOf(c, 'default', 'held');
      const s = (await slicesOf(c, 'default', 'held')).flatMap((x) => x.endpoints);
      return v.ready.length === 1 && s[0]?.ready === true ? true : undefined;
    });
  });

  test('S5.6: patching the selector moves the endpoints at once', async () => {
    await kok(c, ['create', '-f', '-'], podWithPort('blue-1', 'blue', 80));
    await kok(c, ['create', '-f', '-'], podWithPort('green-1', 'green', 80));
    await kok(c, ['create', 'service', 'clusterip', 'colour', '--tcp=80:80']);
    await kok(c, ['patch', 'svc', 'colour', '-p', '{"spec":{"selector":{"app":"blue"}}}']);
    await eventually('blue behind the service', async () => ((await endpointsOf(c, 'default', 'colour')).ready[0]?.targetRef?.name === 'blue-1' ? true : undefined));
    await kok(c, ['patch', 'svc', 'colour', '-p', '{"spec":{"selector":{"app":"green"}}}']);
    await eventually('green behind the service', async () => {
      const e = await endpointsOf(c, 'default', 'colour');
      return e.ready.length === 1 && e.ready[0]?.targetRef?.name === 'green-1' ? true : undefined;
    });
  });

  test('a named targetPort with different numbers gives two slices; 250 pods give three', async () => {
    await kok(c, ['create', '-f', '-'], podWithPort('named-a', 'named', 8080));
    await kok(c, ['create', '-f', '-'], podWithPort('named-b', 'named', 9090));
    await kok(c, ['create', '-f', '-'], `apiVersion: v1
kind: Service
metadata:
  name: named
spec:
  selector:
    app: named
  ports:
  - port: 80
    targetPort: http
`);
    const slices = await eventually('two slices', async () => {
      const s = await slicesOf(c, 'default', 'named');
      return s.length === 2 && s.every((x) => x.endpoints.length === 1) ? s : undefined;
    });
    assert.deepEqual(slices.flatMap((s) => s.ports).sort(), [8080, 9090]);

    await kok(c, ['create', 'deployment', 'many', '--image=x', '--replicas=250', '--port=80']);
    await kok(c, ['expose', 'deployment', 'many', '--port=80']);
    const many = await eventually(
      'three slices for 250 pods',
      async () => {
        const s = await slicesOf(c, 'default', 'many');
        return s.flatMap((x) => x.endpoints).length === 250 ? s : undefined;
      },
      60_000,
    );
    assert.equal(many.length, 3);
    assert.ok(many.every((s) => s.endpoints.length <= 100));
  });

  test('a StatefulSet with a headless service gives endpoints with hostnames', async () => {
    await kok(c, ['create', '-f', '-'], nginxStatefulSet());
    const slices = await eventually(
      'three endpoints with hostnames',
      async () => {
        const eps = (await slicesOf(c, 'default', 'nginx')).flatMap((s) => s.endpoints);
        return eps.length === 3 && eps.every((e) => e.ready) ? eps : undefined;
      },
      30_000,
    );
    assert.deepEqual(slices.map((e) => e.hostname).sort(), ['nginx-0', 'nginx-1', 'nginx-2']);
    const ep = await endpointsOf(c, 'default', 'nginx');
    assert.deepEqual(ep.ready.map((a) => a.hostname).sort(), ['nginx-0', 'nginx-1', 'nginx-2']);
  });

  test('deleting a Service removes its slices; deleting a Deployment removes its ReplicaSets and pods', async () => {
    await kok(c, ['delete', 'svc', 'many']);
    await eventually('slices gone', async () => ((await slicesOf(c, 'default', 'many')).length === 0 ? true : undefined));
    await kok(c, ['delete', 'deployment', 'many']);
    await eventually('replicasets and pods gone', async () => {
      const rs = await kjson<{ items: unknown[] }>(c, ['get', 'rs', '-l', 'app=many']);
      const pods = await podsOf(c, 'default', 'app=many');
      return rs.items.length === 0 && pods.length === 0 ? true : undefined;
    }, 60_000);
  });

  test('deleting a namespace removes everything in it', async () => {
    await kok(c, ['create', 'namespace', 'doomed']);
    await kok(c, ['create', 'deployment', 'd', '--image=x', '--replicas=2', '-n', 'doomed']);
    await kok(c, ['expose', 'deployment', 'd', '--port=80', '-n', 'doomed']);
    await eventually('pods up', async () => ((await podsOf(c, 'doomed', 'app=d')).length === 2 ? true : undefined));
    await kok(c, ['delete', 'namespace', 'doomed', '--wait=false']);
    await eventually('namespace gone', async () => {
      const r = await c.kubectl(['get', 'namespace', 'doomed']);
      return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
    }, 30_000);
  });
});
