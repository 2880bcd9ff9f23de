/**
 * The cluster DNS through real dig (UDP and TCP) on the loopback listener `up` reports, with
 * the Services of scenarios S1, S4 and S5 created through kubectl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kok } from '../controllers/kube.js';
import { exampleApp, headlessService, nginxDeployment, nginxStatefulSet, nodePortService } from '../kubectl/manifests.js';
import { pollUntil, queryUdp } from './client.js';

const skip = skipUnless('kubectl') || skipUnless('dig');
const Z = 'cluster.local';

const nginxService = `apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  selector:
    app: nginx
  ports:
  - name: service0
    port: 8080
    targetPort: 80
    protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-lb
  annotations:
    example.com/kept: "yes"
spec:
  type: LoadBalancer
  selector:
    app: nginx
  ports:
  - port: 80
`;

/** S1.9: in `default`, `backend-service` is an ExternalName for the one in `example`. */
const externalBackend = `apiVersion: v1
kind: Service
metadata:
  name: backend-service
  namespace: default
spec:
  type: ExternalName
  externalName: backend-service.example.svc.cluster.local
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

describe('cluster DNS with dig', { skip }, () => {
  let c: Cluster;
  let host = '';
  let port = '';
  const dig = async (args: string[]): Promise<string> => {
    const r = await run('dig', [`@${host}`, '-p', port, '+time=2', '+tries=1', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const short = async (args: string[]): Promise<string[]> => (await dig(['+short', ...args])).trim().split('\n').filter(Boolean).sort();
  const ipOf = async (ns: string, name: string): Promise<string> => (await kok(c, ['get', 'svc', name, '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  const podIPs = async (ns: string, selector: string): Promise<string[]> =>
    (await kok(c, ['get', 'pods', '-n', ns, '-l', selector, '-o', 'jsonpath={.items[*].status.podIP}'])).trim().split(/\s+/).filter(Boolean).sort();
  const until = async (what: string, args: string[], want: string[]): Promise<void> => {
    await eventually(what, async () => ((await short(args)).join() === [...want].sort().join() ? true : undefined));
  };

  before(async () => {
    c = await startCluster(['--simulated-nodes', '1']);
    const status = JSON.parse(readFileSync(join(c.dataDir, 'status.json'), 'utf8')) as { dns: string };
    [host, port] = status.dns.split(':') as [string, string];
    await kok(c, ['create', 'namespace', 'example']);
    await kok(c, ['create', 'namespace', 'web']);
    for (const manifest of [exampleApp, nodePortService, headlessService, nginxDeployment, nginxService, externalBackend, nginxStatefulSet('web')]) {
      await kok(c, ['apply', '-f', '-'], manifest);
    }
    await kok(c, ['expose', 'deployment', 'backend', '--port=5000', '--cluster-ip=None', '--name=backend-headless', '-n', 'example']);
  });
  after(async () => c?.stop());

  for (const transport of ['+notcp', '+tcp']) {
    test(`kubernetes and a Service resolve to their cluster IPs (${transport})`, async () => {
      assert.equal((await dig([transport, '+short', `kubernetes.default.svc.${Z}`])).trim(), '10.96.0.1');
      const ip = await ipOf('example', 'backend-service');
      await until('service answer', [transport, `backend-service.example.svc.${Z}`], [ip]);
    });
  }

  test('kube-system/kube-dns is the cluster DNS Service on 10.96.0.10, and resolves', async () => {
    await eventually('kube-dns service', async () => ((await ipOf('kube-system', 'kube-dns').catch(() => '')) === '10.96.0.10' ? true : undefined));
    const ep = await kok(c, ['get', 'endpoints', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.subsets[0].addresses[0].ip}']);
    assert.equal(ep.trim(), '10.243.0.1');
    const slice = await kok(c, ['get', 'endpointslice', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.endpoints[0].addresses[0]} {.metadata.labels.kubernetes\\.io/service-name}']);
    assert.equal(slice.trim(), '10.243.0.1 kube-dns');
    await until('kube-dns answer', [`kube-dns.kube-system.svc.${Z}`], ['10.96.0.10']);
  });

  test('S1: the backend, pg and selectorless db Services; PTR back to the name', async () => {
    const backend = await ipOf('example', 'backend-service');
    await until('pg', [`pg-service.example.svc.${Z}`], [await ipOf('example', 'pg-service')]);
    await until('db', [`db.example.svc.${Z}`], [await ipOf('example', 'db')]);
    assert.deepEqual(await short(['-x', backend]), [`backend-service.example.svc.${Z}.`]);
    const headless = await podIPs('example', 'app=backend');
    assert.equal(headless.length, 2);
    await until('headless backend', [`backend-headless.example.svc.${Z}`], headless);
  });

  test('S1.8: what a pod in default asks first for backend-service.example is completed in one answer', async () => {
    const backend = await ipOf('example', 'backend-service');
    const out = await dig([`backend-service.example.default.svc.${Z}`]);
    assert.match(out, /status: NOERROR/);
    assert.match(out, new RegExp(`backend-service\\.example\\.default\\.svc\\.cluster\\.local\\.\\s+\\d+\\s+IN\\s+CNAME\\s+backend-service\\.example\\.svc\\.cluster\\.local\\.`));
    assert.match(out, new RegExp(`backend-service\\.example\\.svc\\.cluster\\.local\\.\\s+\\d+\\s+IN\\s+A\\s+${backend.replaceAll('.', '\\.')}`));
  });

  test('S1.9: the ExternalName in default answers a CNAME and the chased cluster IP', async () => {
    const backend = await ipOf('example', 'backend-service');
    const out = await dig([`backend-service.default.svc.${Z}`]);
    assert.match(out, /IN\s+CNAME\s+backend-service\.example\.svc\.cluster\.local\./);
    assert.match(out, new RegExp(`IN\\s+A\\s+${backend.replaceAll('.', '\\.')}`));
  });

  test('S4: named port SRV, NodePort and LoadBalancer names, the headless nginx pods', async () => {
    const nginx = await ipOf('default', 'nginx');
    const srv = await dig([`_service0._tcp.nginx.default.svc.${Z}`, 'SRV']);
    assert.match(srv, new RegExp(`IN\\s+SRV\\s+0 100 8080 nginx\\.default\\.svc\\.cluster\\.local\\.`));
    assert.match(srv, new RegExp(`ADDITIONAL SECTION:\\nnginx\\.default\\.svc\\.cluster\\.local\\.\\s+\\d+\\s+IN\\s+A\\s+${nginx.replaceAll('.', '\\.')}`));
    await until('nodeport', [`nodeport-service.default.svc.${Z}`], [await ipOf('default', 'nodeport-service')]);
    await until('loadbalancer', [`nginx-lb.default.svc.${Z}`], [await ipOf('default', 'nginx-lb')]);
    const pods = await podIPs('default', 'app=nginx');
    assert.equal(pods.length, 3);
    await until('headless nginx', [`nginx-headless.default.svc.${Z}`], pods);
  });

  test('S5.2-5.9: exposed Services (ClusterIP and NodePort), a selector change, ExternalName to an outside domain', async () => {
    await kok(c, ['expose', 'deploy', 'nginx', '--name=nginx-svc', '--port=80', '--target-port=80']);
    await kok(c, ['expose', 'deploy', 'nginx', '--name=nginx-np', '--port=80', '--target-port=80', '--type=NodePort']);
    for (const transport of ['+notcp', '+tcp']) {
      await until('nginx-svc', [transport, `nginx-svc.default.svc.${Z}`], [await ipOf('default', 'nginx-svc')]);
      await until('nginx-np', [transport, `nginx-np.default.svc.${Z}`], [await ipOf('default', 'nginx-np')]);
    }
    // A selector patched to match nothing keeps the cluster IP answer (it is not headless).
    await kok(c, ['patch', 'svc', 'nginx-svc', '-p', '{"spec":{"selector":{"app":"new-label"}}}']);
    await until('nginx-svc after patch', [`nginx-svc.default.svc.${Z}`], [await ipOf('default', 'nginx-svc')]);
    await kok(c, ['create', 'service', 'externalname', 'outside', '--external-name=db.example.net']);
    await until('outside', [`outside.default.svc.${Z}`, 'CNAME'], ['db.example.net.']);
  });

  test('S4.8: StatefulSet pods by name under their headless Service', async () => {
    await eventually('3 sts pods', async () => ((await podIPs('web', 'app=nginx-sts')).length === 3 ? true : undefined), 30_000);
    for (const ordinal of [0, 1, 2]) {
      const ip = (await kok(c, ['get', 'pod', `nginx-${ordinal}`, '-n', 'web', '-o', 'jsonpath={.status.podIP}'])).trim();
      await until(`nginx-${ordinal}`, [`nginx-${ordinal}.nginx.web.svc.${Z}`], [ip]);
    }
    const srv = await short([`_web._tcp.nginx.web.svc.${Z}`, 'SRV']);
    assert.deepEqual(srv.map((l) => l.split(' ').slice(2).join(' ')), [0, 1, 2].map((i) => `80 nginx-${i}.nginx.web.svc.${Z}.`));
  });

  test('a pod becoming unready leaves the headless answer, and comes back', async () => {
    const pods = JSON.parse(await kok(c, ['get', 'pods', '-l', 'app=nginx', '-o', 'json'])) as { items: { metadata: { name: string }; status: { podIP: string } }[] };
    const [first, ...rest] = pods.items;
    assert.ok(first);
    await kok(c, ['annotate', 'pod', first.metadata.name, 'switchboard.io/simulated-ready=false', '--overwrite']);
    await until('unready gone', [`nginx-headless.default.svc.${Z}`], rest.map((p) => p.status.podIP));
    await kok(c, ['annotate', 'pod', first.metadata.name, 'switchboard.io/simulated-ready=true', '--overwrite']);
    await until('ready again', [`nginx-headless.default.svc.${Z}`], pods.items.map((p) => p.status.podIP));
  });

  test('a Service created with kubectl resolves within 100 ms of the ack; deleted, NXDOMAIN within 100 ms', async () => {
    const created: number[] = [];
    const deleted: number[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `fast-${i}.default.svc.${Z}`;
      const ask = () => queryUdp(host, Number(port), name);
      const appeared = pollUntil(ask, (a) => a.rcode === 0 && a.answers.length === 1, { timeoutMs: 10_000 });
      await kok(c, ['create', 'service', 'clusterip', `fast-${i}`, '--tcp=80:80']);
      const acked = performance.now();
      created.push((await appeared) - acked);
      const gone = pollUntil(ask, (a) => a.rcode === 3, { timeoutMs: 10_000 });
      await kok(c, ['delete', 'service', `fast-${i}`]);
      const deletedAt = performance.now();
      deleted.push((await gone) - deletedAt);
    }
    // kubectl's own exit comes after the ack, so these are upper bounds of the DNS delay.
    process.stderr.write(`# kubectl ack -> answer (ms): created ${created.map((x) => x.toFixed(1)).join(', ')}; deleted ${deleted.map((x) => x.toFixed(1)).join(', ')}\n`);
    assert.ok(median(created) < 100, `created: ${created.join(', ')}`);
    assert.ok(median(deleted) < 100, `deleted: ${deleted.join(', ')}`);
    assert.ok(Math.max(...created, ...deleted) < 1000, 'no change takes a second');
  });

  test('conformance: changing an ExternalName target, then its type to ClusterIP, changes the answer', async () => {
    await kok(c, ['create', 'service', 'externalname', 'dns-test-service-3', '--external-name=foo.example.com']);
    await until('foo', [`dns-test-service-3.default.svc.${Z}`, 'CNAME'], ['foo.example.com.']);
    await kok(c, ['patch', 'service', 'dns-test-service-3', '-p', '{"spec":{"externalName":"bar.example.com"}}']);
    await until('bar', [`dns-test-service-3.default.svc.${Z}`, 'CNAME'], ['bar.example.com.']);
    await kok(c, ['patch', 'service', 'dns-test-service-3', '-p', '{"spec":{"type":"ClusterIP","externalName":null,"ports":[{"port":80,"name":"http","protocol":"TCP"}]}}']);
    const ip = await ipOf('default', 'dns-test-service-3');
    assert.match(ip, /^10\.9[6-9]|^10\.1[01]\d/);
    await until('cluster IP', [`dns-test-service-3.default.svc.${Z}`], [ip]);
  });

  test('metrics: queries by type and rcode on the API server\'s /metrics', async () => {
    const text = await kok(c, ['get', '--raw', '/metrics']);
    assert.match(text, /switchboard_dns_requests_total\{type="A"\} [1-9]/);
    assert.match(text, /switchboard_dns_responses_total\{rcode="NXDOMAIN",source="zone"\} [1-9]/);
    assert.match(text, /switchboard_dns_responses_total\{rcode="NOERROR",source="completed"\} [1-9]/);
    assert.match(text, /switchboard_dns_request_duration_seconds_count [1-9]/);
    assert.match(text, /switchboard_dns_programming_duration_seconds_count [1-9]/);
  });

  test('deleting a Service gives NXDOMAIN; the loopback listener resolves nothing outside the cluster', async () => {
    await kok(c, ['delete', 'svc', 'pg-service', '-n', 'example']);
    await eventually('NXDOMAIN after delete', async () => (/status: NXDOMAIN/.test(await dig([`pg-service.example.svc.${Z}`])) ? true : undefined));
    assert.match(await dig(['example.com']), /status: REFUSED/);
    const miss = await dig([`nothing.example.svc.${Z}`]);
    assert.match(miss, /status: NXDOMAIN/);
    assert.match(miss, /AUTHORITY SECTION:\ncluster\.local\.\s+\d+\s+IN\s+SOA/);
    const nodata = await dig([`example.svc.${Z}`]);
    assert.match(nodata, /status: NOERROR/);
    assert.match(nodata, /ANSWER: 0/);
  });
});
