/**
 * Scenario S4, "Service types, end to end", step by step with the manifests in examples/s4.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ownLoopback, run } from '../harness.js';
import {
  eventually, examples, headerOf, kjson, kok, readyPods, rowOf, sh, skip, startScenarioCluster, stopScenarioCluster, terminal, type Cluster,
} from './scenario.js';

const WELCOME = /Welcome to nginx!/;

describe('S4: Service types, end to end (namespace default)', { skip }, () => {
  let c: Cluster;
  let clusterIP = '';
  /** Host loopback addresses of this run's own: the LoadBalancer pool, and where NodePorts are published too. */
  const { lbPool, nodePortAddress } = ownLoopback();
  const lbFixed = lbPool.replace(/0\/24$/, '77');

  before(async () => {
    c = await startScenarioCluster(['--node-port-address', nodePortAddress, '--lb-pool', lbPool]);
  });
  after(() => stopScenarioCluster(c));

  test('S4.1: the nginx Deployment (3 replicas, resources, imagePullSecrets) runs', async () => {
    await kok(c, ['apply', '-f', examples('s4', 'nginx-deployment.yaml')]);
    const pods = await readyPods(c, 'default', 'app=nginx', 3, 90_000);
    assert.equal(new Set(pods.map((p) => p.status.podIP)).size, 3);
  });

  test('S4.2: kubectl create -f nginx-svc.yaml; get svc lists it and kubernetes (443/TCP, the first service IP)', async () => {
    assert.match(await kok(c, ['create', '-f', examples('s4', 'nginx-svc.yaml')]), /service\/nginx created/);
    const table = await kok(c, ['get', 'svc']);
    assert.deepEqual(rowOf(table, 'kubernetes')?.slice(1, 5), ['ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
    const row = rowOf(table, 'nginx');
    assert.equal(row?.[4], '8080/TCP');
    clusterIP = row?.[2] ?? '';
  });

  test('S4.3: kubectl run -i --tty --image nginx:alpine test --rm /bin/sh, then curl <cluster IP>:8080: the welcome page; the pod is gone after', async () => {
    const session = await terminal(c, 'run -i --tty --image nginx:alpine test --rm /bin/sh', [`curl -s ${clusterIP}:8080`, 'exit'], { startDelayS: 4, gapS: 2, tailS: 3 });
    assert.match(session.stdout, WELCOME, session.stdout);
    assert.match(session.stdout, /pod "test" deleted/, session.stdout);
    await eventually('test pod gone', async () => ((await c.kubectl(['get', 'pod', 'test'])).code !== 0 ? true : undefined));
  });

  test('S4.4: kubectl run ... tutum/dnsutils: nslookup nginx answers its cluster IP from the cluster DNS; curl nginx:8080 works', async () => {
    const session = await terminal(c, 'run -i --tty --image tutum/dnsutils dnsutils --restart=Never --rm /bin/sh', ['nslookup nginx', 'curl -s nginx:8080', 'exit'], { startDelayS: 4, gapS: 2, tailS: 3 });
    const out = session.stdout.replace(/\r/g, '');
    assert.match(out, /Server:\s+10\.96\.0\.10/, out);
    assert.match(out, new RegExp(`Name:\\s+nginx\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${clusterIP.replace(/\./g, '\\.')}`), out);
    assert.match(out, WELCOME, out);
  });

  test('S4.5: describe svc nginx shows Endpoints ip:80 x3; deleting a pod changes the list', async () => {
    const endpointsLine = async (): Promise<string[]> => {
      const d = await kok(c, ['describe', 'svc', 'nginx']);
      return (/^Endpoints:\s+(.*)$/m.exec(d)?.[1] ?? '').split(',').filter(Boolean).sort();
    };
    const pods = await readyPods(c, 'default', 'app=nginx', 3);
    const first = await eventually('three endpoints', async () => {
      const eps = await endpointsLine();
      return eps.join(',') === pods.map((p) => `${p.status.podIP}:80`).sort().join(',') ? eps : undefined;
    });
    await kok(c, ['delete', 'pod', pods[0]?.metadata.name ?? '']);
    const changed = await eventually('a new endpoint list', async () => {
      const eps = await endpointsLine();
      return eps.length === 3 && eps.join(',') !== first.join(',') ? eps : undefined;
    }, 60_000);
    assert.ok(!changed.includes(`${pods[0]?.status.podIP}:80`));
  });

  test('S4.6: NodePort 30120: get svc -o wide shows 8080:30120/TCP and the selector; <node IP>:30120 reaches the pods', async () => {
    await kok(c, ['apply', '-f', examples('s4', 'nodeport-service.yaml')]);
    const table = await kok(c, ['get', 'svc', '-o', 'wide']);
    assert.ok(headerOf(table).includes('SELECTOR'));
    const row = rowOf(table, 'nodeport-service');
    assert.equal(row?.[1], 'NodePort');
    assert.equal(row?.[4], '8080:30120/TCP');
    assert.equal(row?.[6], 'app=nginx');
    const nodes = await kjson<{ items: { status: { addresses: { type: string; address: string }[] } }[] }>(c, ['get', 'nodes', '-o', 'json']);
    const [pod] = await readyPods(c, 'default', 'app=nginx', 3);
    for (const n of nodes.items) {
      const ip = n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
      const page = await sh(c, pod?.metadata.name ?? '', 'default', `curl -s -m 3 http://${ip}:30120/`);
      assert.match(page, WELCOME, `node ${ip}`);
    }
    // Published on the host address the cluster was started with (--node-port-address).
    const fromHost = await eventually('the NodePort on the host address', async () => {
      const r = await run('curl', ['-s', '-m', '3', `http://${nodePortAddress}:30120/`]);
      return WELCOME.test(r.stdout) ? r.stdout : undefined;
    });
    assert.match(fromHost, WELCOME);
    // A nodePort left out is allocated from the range.
    await kok(c, ['create', 'service', 'nodeport', 'auto-port', '--tcp=8080:80']);
    const auto = (await kjson<{ spec: { ports: { nodePort: number }[] } }>(c, ['get', 'svc', 'auto-port', '-o', 'json'])).spec.ports[0]?.nodePort ?? 0;
    assert.ok(auto >= 30000 && auto <= 32767, String(auto));
  });

  test('S4.7: a LoadBalancer gets an EXTERNAL-IP that reaches the pods from the host; annotations kept; loadBalancerIP honoured', async () => {
    await kok(c, ['apply', '-f', examples('s4', 'loadbalancer.yaml')]);
    const ip = await eventually('an EXTERNAL-IP', async () => rowOf(await kok(c, ['get', 'svc', 'nginx-lb']), 'nginx-lb')?.[3]?.match(/^127\.\d+\.\d+\.\d+$/)?.[0]);
    const page = await eventually('the EXTERNAL-IP answers on the host', async () => {
      const r = await run('curl', ['-s', '-m', '3', `http://${ip}/`]);
      return WELCOME.test(r.stdout) ? r.stdout : undefined;
    });
    assert.match(page, WELCOME);
    const svc = await kjson<{ metadata: { annotations?: Record<string, string> } }>(c, ['get', 'svc', 'nginx-lb', '-o', 'json']);
    assert.equal(svc.metadata.annotations?.['example.com/owner'], 'web-team');
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: nginx-lb-fixed}
spec:
  type: LoadBalancer
  loadBalancerIP: ${lbFixed}
  selector: {app: nginx}
  ports: [{port: 80, targetPort: 80}]
`);
    const fixed = await eventually('the asked-for IP', async () => {
      const ip = rowOf(await kok(c, ['get', 'svc', 'nginx-lb-fixed']), 'nginx-lb-fixed')?.[3];
      return ip === lbFixed ? ip : undefined;
    });
    assert.equal(fixed, lbFixed);
  });

  test('S4.8: headless nginx-headless: CLUSTER-IP None, DNS answers every ready pod; StatefulSet nginx-0.nginx answers pod 0', async () => {
    await kok(c, ['apply', '-f', examples('s4', 'nginx-headless.yaml')]);
    assert.equal(rowOf(await kok(c, ['get', 'svc', 'nginx-headless']), 'nginx-headless')?.[2], 'None');
    const pods = await readyPods(c, 'default', 'app=nginx', 3);
    const [client] = pods;
    const answer = await eventually('three A records', async () => {
      const out = await sh(c, client?.metadata.name ?? '', 'default', 'nslookup nginx-headless');
      const ips = [...out.matchAll(/Address:\s+(10\.244\.\d+\.\d+)/g)].map((m) => m[1]).sort();
      return ips.join(',') === pods.map((p) => p.status.podIP).sort().join(',') ? ips : undefined;
    });
    assert.equal(answer.length, 3);
    await kok(c, ['apply', '-f', examples('s4', 'statefulset.yaml')]);
    const web = await readyPods(c, 'web', 'app=nginx', 3, 90_000);
    const zero = web.find((p) => p.metadata.name === 'nginx-0');
    const out = await eventually('nginx-0.nginx', async () => {
      const o = await sh(c, 'nginx-1', 'web', 'nslookup nginx-0.nginx');
      return new RegExp(`Name:\\s+nginx-0\\.nginx\\.web\\.svc\\.cluster\\.local\\s+Address:\\s+${(zero?.status.podIP ?? '').replace(/\./g, '\\.')}`).test(o) ? o : undefined;
    });
    assert.ok(out);
  });
});
