/**
 * Scenario S3, "The model underneath": each statement checked with traffic.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, kjson, kok, readyPods, sh, skip, startScenarioCluster, stopScenarioCluster, type Cluster } from './scenario.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

/** Two agnhost servers (one per node), each ready while the file named by its pod name is absent. */
const servers = `apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: echo}}}
      containers:
      - name: echo
        image: ${AGNHOST}
        args: ["netexec", "--http-port=8080", "--udp-port=-1"]
        readinessProbe:
          exec: {command: ["sh", "-c", "test ! -e /tmp/s3-unready-$(hostname)"]}
          periodSeconds: 1
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
`;

describe('S3: the model underneath', { skip }, () => {
  let c: Cluster;

  before(async () => {
    c = await startScenarioCluster();
    await kok(c, ['apply', '-f', '-'], servers);
    await kok(c, ['run', 'client', '--image=busybox', '--', 'sleep', '3600']);
    await readyPods(c, 'default', 'app=echo', 2, 60_000);
    await readyPods(c, 'default', 'run=client', 1);
  });
  after(async () => {
    for (const p of await readyPods(c, 'default', 'app=echo', 2).catch(() => [])) await sh(c, 'client', 'default', `rm -f /tmp/s3-unready-${p.metadata.name}`).catch(() => '');
    await stopScenarioCluster(c);
  });

  test('every pod has its own IP on one flat network: a pod on the other node sees the client pod\'s own IP (no NAT)', async () => {
    const [client] = await readyPods(c, 'default', 'run=client', 1);
    const pods = await readyPods(c, 'default', 'app=echo', 2);
    const remote = pods.find((p) => p.spec.nodeName !== client?.spec.nodeName) ?? pods[0];
    const seen = await sh(c, 'client', 'default', `wget -q -O- -t 1 -T 3 http://${remote?.status.podIP}:8080/clientip`);
    assert.equal(seen.split(':')[0], client?.status.podIP, seen);
  });

  test('a Service has a stable front: creating it allocates a cluster IP and a DNS name, nobody registers anything', async () => {
    const ip = (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', 'echo', '-o', 'json'])).spec.clusterIP;
    const out = await sh(c, 'client', 'default', 'nslookup echo.default.svc.cluster.local');
    assert.match(out, new RegExp(`Address:\\s+${ip.replace(/\./g, '\\.')}`), out);
  });

  test('load balancing is per connection: requests on one connection stay on one pod, new connections spread', async () => {
    // curl reuses one connection for several URLs on one command line.
    const one = await sh(c, 'client', 'default', 'curl -s -w "\\n" http://echo/hostname http://echo/hostname http://echo/hostname http://echo/hostname');
    assert.equal(new Set(one.trim().split('\n')).size, 1, one);
    const many = await sh(c, 'client', 'default', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do curl -s http://echo/hostname; echo; done');
    assert.equal(new Set(many.trim().split('\n')).size, 2, many);
  });

  test('only ready pods receive traffic', async () => {
    const pods = await readyPods(c, 'default', 'app=echo', 2);
    const unready = pods[0]?.metadata.name ?? '';
    await sh(c, 'client', 'default', `touch /tmp/s3-unready-${unready}`);
    try {
      await eventually(`${unready} unready`, async () => {
        const list = await kjson<{ items: { metadata: { name: string }; status: { containerStatuses?: { ready: boolean }[] } }[] }>(c, ['get', 'pods', '-l', 'app=echo', '-o', 'json']);
        return list.items.find((p) => p.metadata.name === unready)?.status.containerStatuses?.[0]?.ready === false ? true : undefined;
      });
      const seen = await eventually('traffic only to the ready pod', async () => {
        const out = (await sh(c, 'client', 'default', 'for i in 1 2 3 4 5 6 7 8 9 10; do curl -s http://echo/hostname; echo; done')).trim().split('\n');
        return out.length === 10 && !out.includes(unready) ? out : undefined;
      }, 10_000);
      assert.deepEqual([...new Set(seen)], [pods[1]?.metadata.name]);
    } finally {
      await sh(c, 'client', 'default', `rm -f /tmp/s3-unready-${unready}`);
    }
  });
});
