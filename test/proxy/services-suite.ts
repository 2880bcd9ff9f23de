/**
 * Services carry real traffic on real nodes (`up --nodes 2`): cluster IPs, DNS names,
 * ExternalName, selectorless Services, session affinity, NodePorts, LoadBalancer IPs, one port
 * number over TCP and UDP, and immediate refusal without endpoints; driven by kubectl, the
 * traffic sent from pods with wget and agnhost's /dial. The same suite runs once per service
 * proxy backend (services.test.ts, services-userspace.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, ownLoopback, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';
import { sandboxNames } from '../../src/sandbox/network.js';
import { sandboxIdFor } from '../../src/cli/up.js';
import { backendApp } from '../nodes/fixtures.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

const backend = `${backendApp}---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: example}
spec:
  containers:
  - {name: main, image: busybox, command: ["sh", "-c", "sleep 3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default}
spec:
  containers:
  - {name: main, image: busybox, command: ["sh", "-c", "sleep 3600"]}
`;

interface PodJson {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean }[] };
}

export function servicesSuite(mode: 'nftables' | 'userspace'): void {
describe(`Services carry traffic on real nodes (${mode} proxy)`, { skip }, () => {
  let c: Cluster;
  let backends: string[] = [];
  /** Host loopback addresses of this run's own for LoadBalancers and NodePorts (runs may overlap). */
  const { lbPool, nodePortAddress } = ownLoopback();

  /** Runs a shell script in a pod; returns stdout. */
  const sh = async (pod: string, ns: string, script: string): Promise<string> => (await c.kubectl(['exec', pod, '-n', ns, '--', 'sh', '-c', script])).stdout;
  /** `count` requests to `url` from `pod`, one answer per line (empty when one failed). */
  const hits = async (pod: string, ns: string, url: string, count: number): Promise<string[]> =>
    (await sh(pod, ns, `i=0; while [ $i -lt ${count} ]; do wget -qO- -T 2 ${url}; echo; i=$((i+1)); done`)).split('\n').slice(0, count);
  const hostNames = (lines: string[]): string[] => lines.map((l) => /"host_name":"([^"]+)"/.exec(l)?.[1] ?? `(${l})`);
  const clusterIP = async (name: string, ns: string): Promise<string> => (await kjson<{ spec: { clusterIP: string } }>(c, ['get', 'svc', name, '-n', ns, '-o', 'json'])).spec.clusterIP;
  const readyPod = (name: string, ns: string): Promise<PodJson> =>
    eventually(`${name} ready`, async () => {
      const p = await kjson<PodJson>(c, ['get', 'pod', name, '-n', ns, '-o', 'json']);
      return p.status.containerStatuses?.every((s) => s.ready) && p.status.podIP ? p : undefined;
    }, 30_000);

  before(async () => {
    c = await startCluster(['--nodes', '2', '--proxy-mode', mode, '--node-port-address', nodePortAddress, '--lb-pool', lbPool]);
    await kok(c, ['create', 'namespace', 'example']);
    await kok(c, ['apply', '-f', '-'], backend);
    backends = await eventually('two ready backends on two nodes', async () => {
      const list = await kjson<{ items: PodJson[] }>(c, ['get', 'pods', '-n', 'example', '-l', 'app=backend', '-o', 'json']);
      const ready = list.items.filter((p) => p.status.containerStatuses?.[0]?.ready);
      return ready.length === 2 && new Set(ready.map((p) => p.spec.nodeName)).size === 2 ? ready.map((p) => p.metadata.name).sort() : undefined;
    }, 30_000);
    await readyPod('frontend', 'example');
    await readyPod('client', 'default');
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', c.dataDir]);
    await c.stop();
  });

  test('S1.7: requests to the cluster IP are spread over both backend pods', async () => {
    const ip = await clusterIP('backend-service', 'example');
    const seen = hostNames(await hits('frontend', 'example', `http://${ip}:5000/host_name`, 20));
    assert.deepEqual([...new Set(seen)].sort(), backends, seen.join(' '));
  });

  test(`the ${mode} backend carries it`, async () => {
    const metrics = await kok(c, ['get', '--raw', '/metrics']);
    assert.match(metrics, new RegExp(`switchboard_proxy_mode\\{mode="${mode}"\\} 1`));
    const ip = await clusterIP('backend-service', 'example');
    const netns = sandboxNames(sandboxIdFor(c.dataDir)).node(0);
    const inNode = (cmd: string[]): string => execFileSync('nsenter', [`--net=/run/netns/${netns}`, '--', ...cmd], { encoding: 'utf8' });
    const tables = inNode(['nft', 'list', 'tables']);
    const loopback = inNode(['ip', '-4', 'address', 'show', 'dev', 'lo']);
    if (mode === 'nftables') {
      assert.match(tables, /table ip switchboard/);
      assert.doesNotMatch(loopback, new RegExp(`${ip.replace(/\./g, '\\.')}/32`));
    } else {
      assert.doesNotMatch(tables, /switchboard/);
      assert.match(loopback, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/32`));
    }
  });

  test('S1.8: the DNS names reach the same pods', async () => {
    for (const name of ['backend-service.example.svc.cluster.local', 'backend-service.example', 'backend-service']) {
      const seen = hostNames(await hits('frontend', 'example', `http://${name}:5000/host_name`, 12));
      assert.ok(seen.every((n) => backends.includes(n)), `${name}: ${seen.join(' ')}`);
    }
  });

  test('S1.9: an ExternalName Service in default reaches the backend pods in example', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: backend-service, namespace: default}
spec: {type: ExternalName, externalName: backend-service.example.svc.cluster.local}
`);
    const seen = await eventually('answers through the ExternalName', async () => {
      const got = hostNames(await hits('client', 'default', 'http://backend-service:5000/host_name', 6));
      return got.every((n) => backends.includes(n)) ? got : undefined;
    });
    assert.equal(seen.length, 6);
  });

  test('S1.10: a selectorless Service with hand-written Endpoints reaches those addresses', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: dbhost, namespace: example}
spec:
  containers:
  - {name: main, image: ${AGNHOST}, args: ["netexec", "--http-port=3306", "--udp-port=-1"]}
`);
    const db = await readyPod('dbhost', 'example');
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: db, namespace: example}
spec:
  ports: [{port: 3306, targetPort: 3306}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: db, namespace: example}
subsets:
- addresses: [{ip: ${db.status.podIP}}]
  ports: [{port: 3306}]
`);
    const answer = await eventually('db answers', async () => {
      const out = await sh('frontend', 'example', 'wget -qO- -T 2 http://db.example.svc.cluster.local:3306/hostname');
      return out.trim() === 'dbhost' ? out : undefined;
    });
    assert.equal(answer.trim(), 'dbhost');
  });

  test('S1.11: sessionAffinity ClientIP sticks to one pod; switching it off spreads again', async () => {
    const ip = await clusterIP('backend-service', 'example');
    await kok(c, ['patch', 'svc', 'backend-service', '-n', 'example', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    const sticky = await eventually('15 hits on one pod', async () => {
      const seen = hostNames(await hits('frontend', 'example', `http://${ip}:5000/host_name`, 15));
      return new Set(seen).size === 1 && backends.includes(seen[0] ?? '') ? seen : undefined;
    });
    assert.equal(sticky.length, 15);
    await kok(c, ['patch', 'svc', 'backend-service', '-n', 'example', '-p', '{"spec":{"sessionAffinity":"None","sessionAffinityConfig":null}}']);
    const spread = await eventually('both pods again', async () => {
      const seen = hostNames(await hits('frontend', 'example', `http://${ip}:5000/host_name`, 20));
      return new Set(seen).size === 2 ? seen : undefined;
    });
    assert.deepEqual([...new Set(spread)].sort(), backends);
  });

  test('a pod reaches itself through its own Service (hairpin)', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: selfie, namespace: example, labels: {app: selfie}}
spec:
  containers:
  - {name: main, image: ${AGNHOST}, args: ["netexec", "--http-port=8080", "--udp-port=-1"]}
---
apiVersion: v1
kind: Service
metadata: {name: mirror, namespace: example}
spec:
  selector: {app: selfie}
  ports: [{port: 80, targetPort: 8080}]
`);
    await readyPod('selfie', 'example');
    const answer = await eventually('selfie answers itself', async () => {
      const out = await sh('selfie', 'example', 'wget -qO- -t 1 -T 3 http://mirror/hostname');
      return out.trim() === 'selfie' ? out : undefined;
    });
    assert.equal(answer.trim(), 'selfie');
  });

  test('a Service with no endpoints refuses connections at once', async () => {
    await kok(c, ['create', 'service', 'clusterip', 'nobody', '-n', 'example', '--tcp=80:80']);
    const ip = await clusterIP('nobody', 'example');
    const out = await eventually('refused', async () => {
      const r = await sh('frontend', 'example', `start=$(date +%s%N); wget -O- -t 1 -T 5 http://${ip}/ 2>&1; echo "rc=$? ms=$(( ($(date +%s%N) - start) / 1000000 ))"`);
      return /refused/i.test(r) ? r : undefined;
    });
    const ms = Number(/ms=(\d+)/.exec(out)?.[1]);
    assert.ok(ms < 2000, `refused within 2 s, not a time-out: ${out}`);
  });

  test('one port number over TCP and UDP ("should serve endpoints on same port and different protocols")', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: dual, namespace: example, labels: {app: dual}}
spec:
  containers:
  - {name: main, image: ${AGNHOST}, args: ["netexec", "--http-port=80", "--udp-port=80"]}
---
apiVersion: v1
kind: Pod
metadata: {name: prober, namespace: example}
spec:
  containers:
  - {name: main, image: ${AGNHOST}, args: ["netexec", "--http-port=8080", "--udp-port=-1"]}
---
apiVersion: v1
kind: Service
metadata: {name: dual, namespace: example}
spec:
  selector: {app: dual}
  ports:
  - {name: tcp, port: 80, protocol: TCP}
  - {name: udp, port: 80, protocol: UDP}
`);
    await readyPod('dual', 'example');
    await readyPod('prober', 'example');
    const ip = await clusterIP('dual', 'example');
    for (const protocol of ['http', 'udp']) {
      const answer = await eventually(`${protocol} through the cluster IP`, async () => {
        const raw = await kok(c, ['get', '--raw', `/api/v1/namespaces/example/pods/prober:8080/proxy/dial?request=hostname&protocol=${protocol}&host=${ip}&port=80&tries=1`]);
        const parsed = JSON.parse(raw) as { responses?: string[] };
        return parsed.responses?.[0] === 'dual' ? parsed : undefined;
      });
      assert.deepEqual(answer.responses, ['dual']);
    }
  });

  test('S4.6: NodePort 30120 reaches the pods on every node (and from the host on --node-port-address); S4.7: the EXTERNAL-IP of a LoadBalancer reaches them from the host', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: nodeport-service, namespace: example}
spec:
  type: NodePort
  selector: {app: backend}
  ports: [{port: 8080, targetPort: 5000, nodePort: 30120}]
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: example}
spec:
  type: LoadBalancer
  selector: {app: backend}
  ports: [{port: 80, targetPort: 5000}]
`);
    const nodes = await kjson<{ items: { status: { addresses: { type: string; address: string }[] } }[] }>(c, ['get', 'nodes', '-o', 'json']);
    const nodeIPs = nodes.items.map((n) => n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '');
    assert.equal(nodeIPs.length, 2);
    for (const nodeIP of nodeIPs) {
      const seen = await eventually(`NodePort on ${nodeIP}`, async () => {
        const got = hostNames(await hits('frontend', 'example', `http://${nodeIP}:30120/host_name`, 10));
        return new Set(got).size === 2 ? got : undefined;
      });
      assert.deepEqual([...new Set(seen)].sort(), backends);
    }
    const lbIP = await eventually('an EXTERNAL-IP', async () => {
      const s = await kjson<{ status: { loadBalancer?: { ingress?: { ip: string }[] } } }>(c, ['get', 'svc', 'lb', '-n', 'example', '-o', 'json']);
      return s.status.loadBalancer?.ingress?.[0]?.ip;
    });
    // The EXTERNAL-IP is a host loopback address the port publisher listens on: curl from the host.
    assert.match(lbIP, /^127\./);
    const seen = await eventually('the LoadBalancer IP answers on the host', async () => {
      const got: string[] = [];
      for (let i = 0; i < 12; i++) got.push(hostNames([(await run('curl', ['-s', '-m', '3', `http://${lbIP}/host_name`])).stdout])[0] ?? '');
      return new Set(got).size === 2 && got.every((n) => backends.includes(n)) ? got : undefined;
    });
    assert.deepEqual([...new Set(seen)].sort(), backends);
    // --node-port-address: the NodePort is published on the host too, as kind's port mappings do.
    const published = await eventually('the NodePort answers on the host address', async () => {
      const got: string[] = [];
      for (let i = 0; i < 10; i++) got.push(hostNames([(await run('curl', ['-s', '-m', '3', `http://${nodePortAddress}:30120/host_name`])).stdout])[0] ?? '');
      return new Set(got).size === 2 && got.every((n) => backends.includes(n)) ? got : undefined;
    });
    assert.deepEqual([...new Set(published)].sort(), backends);
    const svcLine = await kok(c, ['get', 'svc', 'lb', '-n', 'example']);
    assert.match(svcLine, new RegExp(`lb\\s+LoadBalancer\\s+\\S+\\s+${lbIP.replace(/\./g, '\\.')}\\s+80:3\\d{4}/TCP`));
  });

  test('a LoadBalancer address already in use on the host: a PublishFailed warning on the Service', async () => {
    const busy = lbPool.replace(/0\/24$/, '200');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(8089, busy, resolve));
    try {
      await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: busy-lb, namespace: example}
spec:
  type: LoadBalancer
  loadBalancerIP: ${busy}
  selector: {app: backend}
  ports: [{port: 8089, targetPort: 5000}]
`);
      const described = await eventually('the warning', async () => {
        const d = await kok(c, ['describe', 'svc', 'busy-lb', '-n', 'example']);
        return /Warning\s+PublishFailed\s+.*in use on the host/.test(d) ? d : undefined;
      });
      assert.match(described, new RegExp(`${busy.replace(/\./g, '\\.')}:8089 on the host: the address is in use`));
    } finally {
      blocker.close();
    }
  });

  test('S5.5: kubectl port-forward svc/... reaches a pod from host loopback', async () => {
    const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'port-forward', '-n', 'example', 'svc/backend-service', ':5000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
    try {
      const local = await eventually('port-forward listening', async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out)?.[1]) || undefined);
      const r = await run('curl', ['-s', '-m', '5', `http://127.0.0.1:${local}/host_name`]);
      assert.ok(backends.includes(hostNames([r.stdout])[0] ?? ''), r.stdout);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('type changes ClusterIP -> NodePort -> ExternalName -> ClusterIP keep the Service reachable by name', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: shifty, namespace: example}
spec:
  selector: {app: backend}
  ports: [{port: 5000, targetPort: 5000}]
`);
    const reachable = (what: string): Promise<string[]> =>
      eventually(`shifty reachable as ${what}`, async () => {
        const got = hostNames(await hits('frontend', 'example', 'http://shifty:5000/host_name', 4));
        return got.every((n) => backends.includes(n)) ? got : undefined;
      });
    await reachable('ClusterIP');
    await kok(c, ['patch', 'svc', 'shifty', '-n', 'example', '-p', '{"spec":{"type":"NodePort"}}']);
    await reachable('NodePort');
    await kok(c, ['patch', 'svc', 'shifty', '-n', 'example', '--type=merge', '-p', '{"spec":{"type":"ExternalName","externalName":"backend-service.example.svc.cluster.local","clusterIP":"","clusterIPs":null,"selector":null}}']);
    await reachable('ExternalName');
    await kok(c, ['patch', 'svc', 'shifty', '-n', 'example', '--type=merge', '-p', '{"spec":{"type":"ClusterIP","externalName":null,"selector":{"app":"backend"}}}']);
    await reachable('ClusterIP again');
  });

  test('a UDP client that keeps its source port follows the Service to a new pod (stale conntrack entries are removed)', async () => {
    const pod = (name: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: example, labels: {app: udp-echo}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: ${AGNHOST}, args: ["netexec", "--http-port=8080", "--udp-port=8081"]}
`;
    await kok(c, ['apply', '-f', '-'], `${pod('udp-one')}---
apiVersion: v1
kind: Service
metadata: {name: udp-echo, namespace: example}
spec:
  selector: {app: udp-echo}
  ports: [{port: 53, targetPort: 8081, protocol: UDP}]
`);
    await readyPod('udp-one', 'example');
    const ip = await clusterIP('udp-echo', 'example');
    // One socket, one source port, a datagram every 100 ms for 20 s; answers go to the log.
    const script = join(c.dataDir, 'udp-client.cjs');
    writeFileSync(script, `const s = require('node:dgram').createSocket('udp4');
s.on('message', (m) => console.log(String(m)));
s.bind(40053, () => { const t = setInterval(() => s.send('hostname', 53, '${ip}'), 100); setTimeout(() => { clearInterval(t); s.close(); }, 20000); });
`);
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: udp-client, namespace: example}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: "node:20", command: ["node", "${script}"]}
`);
    const log = async (): Promise<string> => (await c.kubectl(['logs', 'udp-client', '-n', 'example'])).stdout;
    await eventually('answers from udp-one', async () => ((await log()).includes('udp-one') ? true : undefined));
    await kok(c, ['apply', '-f', '-'], pod('udp-two'));
    await readyPod('udp-two', 'example');
    await kok(c, ['delete', 'pod', 'udp-one', '-n', 'example', '--wait=false']);
    const answers = await eventually('answers from udp-two on the same flow', async () => {
      const out = await log();
      return out.includes('udp-two') ? out : undefined;
    }, 15_000);
    assert.ok(answers.indexOf('udp-one') < answers.indexOf('udp-two'));
  });

  test("each node answers kube-proxy's health check on :10256/healthz", async () => {
    const nodes = await kjson<{ items: { status: { addresses: { type: string; address: string }[] } }[] }>(c, ['get', 'nodes', '-o', 'json']);
    for (const node of nodes.items) {
      const ip = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
      const out = await sh('frontend', 'example', `wget -S -qO- -T 3 http://${ip}:10256/healthz 2>&1`);
      assert.match(out, /HTTP\/1\.1 200/, out);
      const body = JSON.parse(out.slice(out.indexOf('{'))) as { lastUpdated: string; currentTime: string; nodeEligible: boolean };
      assert.equal(body.nodeEligible, true);
      assert.ok(Date.parse(body.lastUpdated) <= Date.parse(body.currentTime), out);
    }
  });

  test('S5.6: patching the selector moves the traffic at once', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: newcomer, namespace: example, labels: {app: new-label}}
spec:
  containers:
  - name: main
    image: switchboard/testserver
    readinessProbe: {httpGet: {path: /healthy, port: 5000}, periodSeconds: 1}
`);
    await readyPod('newcomer', 'example');
    const ip = await clusterIP('backend-service', 'example');
    await kok(c, ['patch', 'svc', 'backend-service', '-n', 'example', '-p', '{"spec":{"selector":{"app":"new-label"}}}']);
    const seen = await eventually('only the newcomer answers', async () => {
      const got = hostNames(await hits('frontend', 'example', `http://${ip}:5000/host_name`, 8));
      return got.every((n) => n === 'newcomer') ? got : undefined;
    }, 10_000);
    assert.equal(seen.length, 8);
    await kok(c, ['patch', 'svc', 'backend-service', '-n', 'example', '-p', '{"spec":{"selector":{"app":"backend"}}}']);
  });
});
}
