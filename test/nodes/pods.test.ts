/**
 * Real nodes (`up --nodes 2`): pods run as processes in namespaces of their own, with real
 * IPs, hostnames, resolv.conf and /etc/hosts, reachable across nodes; driven by kubectl.
 * Until `kubectl logs` reaches the agent, container output is read from the agent's log files.
 */
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';
import { isRunning, listNamespaces, pidsIn, sandboxNames } from '../../src/sandbox/network.js';
import { sandboxIdFor } from '../../src/cli/up.js';
import { backendApp } from './fixtures.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

interface PodJson {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean; restartCount: number; state: Record<string, { reason?: string; message?: string }> }[] };
}


/** An agnhost netexec pod on 8080 with the given probe (YAML indented for the container). */
function probedPod(name: string, labels: string, probe: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: example${labels ? `, ${labels}` : ''}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: ["netexec", "--http-port=8080", "--udp-port=-1"]
    ${probe}
`;
}

function shellPod(name: string, script: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: example}
spec:
  restartPolicy: Never
${extra}  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
`;
}

describe('pods on real nodes', { skip }, () => {
  let c: Cluster;
  let dataDir = '';

  const pod = (name: string): Promise<PodJson> => kjson<PodJson>(c, ['get', 'pod', name, '-n', 'example', '-o', 'json']);
  const logOf = (uid: string, container = 'main'): string => {
    const dir = join(dataDir, 'pods', uid, container);
    return readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  };
  const finished = async (name: string): Promise<PodJson> =>
    eventually(`${name} finished`, async () => {
      const p = await pod(name);
      return p.status.phase === 'Succeeded' || p.status.phase === 'Failed' ? p : undefined;
    }, 30_000);

  before(async () => {
    c = await startCluster(['--nodes', '2']);
    dataDir = c.dataDir;
    await kok(c, ['create', 'namespace', 'example']);
    await kok(c, ['apply', '-f', '-'], backendApp);
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    await c.stop();
  });

  const backends = async (): Promise<PodJson[]> =>
    eventually('two Running backends', async () => {
      const list = await kjson<{ items: PodJson[] }>(c, ['get', 'pods', '-n', 'example', '-l', 'app=backend', '-o', 'json']);
      const running = list.items.filter((p) => p.status.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
      return running.length === 2 ? running : undefined;
    }, 30_000);

  test('S1.1-2: two backend pods run (Ready by their httpGet probe), each with its own IP, on the two nodes', async () => {
    const pods = await backends();
    const ips = pods.map((p) => p.status.podIP ?? '');
    for (const ip of ips) assert.match(ip, /^10\.244\.[01]\.\d+$/);
    assert.notEqual(ips[0], ips[1]);
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['node-0', 'node-1']);
    const wide = await kok(c, ['get', 'pods', '--selector=app=backend', '-n', 'example', '-o', 'wide']);
    for (const p of pods) assert.match(wide, new RegExp(`${p.metadata.name}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${p.status.podIP?.replaceAll('.', '\\.')}\\s+${p.spec.nodeName}`));
  });

  test('S1.3: another pod reaches each backend by IP over TCP, across nodes; /host_name is the pod name', async () => {
    const pods = await backends();
    const script = pods.map((p) => `wget -qO- http://${p.status.podIP}:5000/healthy; echo; wget -qO- http://${p.status.podIP}:5000/host_name; echo`).join('; ');
    await kok(c, ['apply', '-f', '-'], shellPod('client', script));
    const done = await finished('client');
    assert.equal(done.status.phase, 'Succeeded', logOf(done.metadata.uid));
    const out = logOf(done.metadata.uid);
    for (const p of pods) assert.ok(out.includes(`{"host_name":"${p.metadata.name}"}`), out);
    assert.equal(out.split('{"healthy":true}').length - 1, 2, out);
  });

  test('S2.4-5: service variables for Services created before the pod; resolv.conf as the kubelet writes it', async () => {
    await kok(c, ['apply', '-f', '-'], shellPod('env', 'env | sort; echo ---; cat /etc/resolv.conf; echo ---; hostname'));
    const done = await finished('env');
    const out = logOf(done.metadata.uid);
    const [env = '', resolv = '', hostname = ''] = out.split('---\n');
    assert.match(env, /^BACKEND_SERVICE_SERVICE_HOST=10\.\d+\.\d+\.\d+$/m);
    assert.match(env, /^BACKEND_SERVICE_SERVICE_PORT=5000$/m);
    assert.match(env, /^BACKEND_SERVICE_PORT=tcp:\/\/10\.\d+\.\d+\.\d+:5000$/m);
    assert.match(env, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    assert.equal(resolv, 'search example.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    assert.equal(hostname.trim(), 'env');
  });

  test('S2.5: inside a pod, nslookup and getent resolve Services through the cluster DNS', async () => {
    const ip = (await kok(c, ['get', 'svc', 'backend-service', '-n', 'example', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await kok(c, ['apply', '-f', '-'], shellPod('lookup', 'nslookup backend-service.example; echo ---; getent hosts backend-service; echo ---; nslookup kubernetes.default'));
    const done = await finished('lookup');
    const [nslookup = '', getent = '', kubernetes = ''] = logOf(done.metadata.uid).split('---\n');
    assert.match(nslookup, /Server:\s+10\.96\.0\.10/);
    assert.match(nslookup, new RegExp(`Name:\\s+backend-service\\.example\\.svc\\.cluster\\.local\\nAddress: ${ip.replaceAll('.', '\\.')}`));
    assert.match(getent, new RegExp(`^${ip.replaceAll('.', '\\.')}\\s+backend-service\\.example\\.svc\\.cluster\\.local`));
    assert.match(kubernetes, /Address: 10\.96\.0\.1\n/);
    assert.equal(done.status.phase, 'Succeeded');
  });

  test('a pod with hostname and subdomain finds its FQDN in /etc/hosts; dnsPolicy None gets exactly its dnsConfig', async () => {
    const extra = `  hostname: web-0
  subdomain: web
  dnsPolicy: None
  dnsConfig:
    nameservers: [192.0.2.53]
    searches: [resolv.conf.local]
    options: [{name: ndots, value: "2"}]
`;
    await kok(c, ['apply', '-f', '-'], shellPod('named', 'getent hosts web-0.web.example.svc.cluster.local; echo ---; cat /etc/resolv.conf; echo ---; hostname', extra));
    const done = await finished('named');
    const [hosts = '', resolv = '', hostname = ''] = logOf(done.metadata.uid).split('---\n');
    assert.match(hosts, /^10\.244\.\d+\.\d+\s+web-0\.web\.example\.svc\.cluster\.local\s+web-0$/m);
    assert.equal(resolv, 'search resolv.conf.local\nnameserver 192.0.2.53\noptions ndots:2\n');
    assert.equal(hostname.trim(), 'web-0');
  });

  test('the pods proxy: get --raw .../pods/<name>:5000/proxy/host_name reaches the pod', async () => {
    const [backend] = await backends();
    const name = backend?.metadata.name ?? '';
    const raw = await kok(c, ['get', '--raw', `/api/v1/namespaces/example/pods/${name}:5000/proxy/host_name`]);
    assert.equal(raw.trim(), `{"host_name":"${name}"}`);
    // Without a port: the first declared container port.
    assert.equal((await kok(c, ['get', '--raw', `/api/v1/namespaces/example/pods/${name}/proxy/healthy`])).trim(), '{"healthy":true}');
  });

  test('Networking granular checks: pod to pod over http and udp across the two nodes, and node to pod (agnhost netexec /dial)', async () => {
    const netexec = (name: string, node: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: example}
spec:
  nodeName: ${node}
  containers:
  - name: main
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: ["netexec", "--http-port=8083", "--udp-port=8081"]
    ports: [{containerPort: 8083}]
    readinessProbe: {tcpSocket: {port: 8083}, periodSeconds: 1}
`;
    await kok(c, ['apply', '-f', '-'], `${netexec('net-a', 'node-0')}---\n${netexec('net-b', 'node-1')}`);
    const ips = await eventually('both netexec pods ready', async () => {
      const [a, b] = await Promise.all([pod('net-a'), pod('net-b')]);
      return a.status.containerStatuses?.[0]?.ready && b.status.containerStatuses?.[0]?.ready ? { a: a.status.podIP ?? '', b: b.status.podIP ?? '' } : undefined;
    }, 30_000);
    for (const protocol of ['http', 'udp']) {
      const port = protocol === 'http' ? 8083 : 8081;
      const path = `/api/v1/namespaces/example/pods/net-b:8083/proxy/dial?request=hostname&protocol=${protocol}&host=${ips.a}&port=${port}&tries=1`;
      const answer = JSON.parse(await kok(c, ['get', '--raw', path])) as { responses?: string[]; errors?: string[] };
      assert.deepEqual(answer.responses, ['net-a'], `${protocol}: ${JSON.stringify(answer)}`);
    }
    // Node to pod: from node-1's namespace to the pod on node-0 (as the kubelet's probes go).
    const fromNode = await run('nsenter', [`--net=/run/netns/${sandboxNames(sandboxIdFor(dataDir)).node(1)}`, '--', 'curl', '-s', `http://${ips.a}:8083/hostname`]);
    assert.equal(fromNode.stdout.trim(), 'net-a', fromNode.stderr);
  });

  test('S1.4: a deleted backend pod is replaced by a pod with a new name and a new IP', async () => {
    const [first] = await backends();
    assert.ok(first);
    await kok(c, ['delete', 'pod', first.metadata.name, '-n', 'example']);
    const after = await eventually('replacement', async () => {
      const pods = await backends().catch(() => []);
      return pods.length === 2 && pods.every((p) => p.metadata.name !== first.metadata.name) ? pods : undefined;
    }, 30_000);
    assert.ok(after.every((p) => p.status.podIP !== first.status.podIP), 'the replacement has a new IP');
    assert.ok(!(await listNamespaces()).includes(sandboxNames(sandboxIdFor(dataDir)).pod(first.metadata.uid)), 'the old pod namespace is gone');
  });

  test('a crashing command reaches CrashLoopBackOff; an unknown image waits with its reason', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: crasher, namespace: example}
spec:
  containers:
  - {name: main, image: busybox, command: ["sh", "-c", "exit 3"]}
---
apiVersion: v1
kind: Pod
metadata: {name: unknown, namespace: example}
spec:
  containers:
  - {name: main, image: example.com/nothing:1.0}
`);
    const crashed = await eventually('CrashLoopBackOff', async () => {
      const p = await pod('crasher');
      const s = p.status.containerStatuses?.[0];
      return s?.state.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    }, 30_000);
    assert.ok(crashed.restartCount >= 1);
    const table = await kok(c, ['get', 'pod', 'crasher', '-n', 'example']);
    assert.match(table, /crasher\s+0\/1\s+CrashLoopBackOff\s+\d+/);
    const waiting = await eventually('ErrImagePull', async () => (await pod('unknown')).status.containerStatuses?.[0]?.state.waiting);
    assert.equal(waiting.reason, 'ErrImagePull');
    assert.match(waiting.message ?? '', /not in Switchboard's image catalogue/);
  });

  test('readiness flips the pod in its Service\'s endpoints; a failing liveness probe restarts the container', async () => {
    const flag = join(dataDir, `ready-${Date.now()}`);
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: flip, namespace: example}
spec:
  selector: {app: flip}
  ports: [{port: 8080}]
---
${probedPod('flip', 'labels: {app: flip}', `readinessProbe:
      exec: {command: ["cat", "${flag}"]}
      periodSeconds: 1
      failureThreshold: 1`)}---
${probedPod('unhealthy', '', `livenessProbe:
      httpGet: {path: /healthz, port: 9999}
      periodSeconds: 1
      failureThreshold: 2`)}`);
    const ready = async (want: string): Promise<void> => {
      await eventually(`endpoints ${want}`, async () => {
        const ep = await kjson<{ subsets?: { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[] }[] }>(c, ['get', 'endpoints', 'flip', '-n', 'example', '-o', 'json']);
        const state = ep.subsets?.[0]?.addresses?.length ? 'ready' : ep.subsets?.[0]?.notReadyAddresses?.length ? 'not ready' : 'none';
        return state === want ? true : undefined;
      }, 20_000);
    };
    await ready('not ready');
    writeFileSync(flag, 'ok');
    await ready('ready');
    const p = await pod('flip');
    assert.match(await kok(c, ['get', 'pod', 'flip', '-n', 'example']), /flip\s+1\/1\s+Running/);
    assert.ok(p.status.containerStatuses?.[0]?.ready);
    rmSync(flag);
    await ready('not ready');
    const restarted = await eventually('liveness restart', async () => {
      const s = (await pod('unhealthy')).status.containerStatuses?.[0];
      return s && s.restartCount >= 1 ? s : undefined;
    }, 30_000);
    assert.ok(restarted.restartCount >= 1);
  });

  test('kubectl logs: whole, --tail, -c, --previous, -f; a simulated node or a missing container says why', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: talker, namespace: example}
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3; do echo line $i; done; sleep 3600"]
  - name: second
    image: busybox
    command: ["sh", "-c", "echo from second; sleep 3600"]
`);
    await eventually('talker running', async () => ((await pod('talker')).status.phase === 'Running' ? true : undefined), 30_000);
    await eventually('three lines', async () => ((await c.kubectl(['logs', 'talker', '-c', 'main', '-n', 'example'])).stdout === 'line 1\nline 2\nline 3\n' ? true : undefined));
    assert.equal(await kok(c, ['logs', 'talker', '-n', 'example', '-c', 'main', '--tail=1']), 'line 3\n');
    assert.equal(await kok(c, ['logs', 'pod/talker', '-n', 'example', '-c', 'second']), 'from second\n');
    // kubectl picks the first container itself; the API asks for a name, in Kubernetes' words.
    const defaulted = await c.kubectl(['logs', 'talker', '-n', 'example']);
    assert.equal(defaulted.stdout, 'line 1\nline 2\nline 3\n');
    assert.match(defaulted.stderr, /Defaulted container "main" out of: main, second/);
    const noName = await c.kubectl(['get', '--raw', '/api/v1/namespaces/example/pods/talker/log']);
    assert.notEqual(noName.code, 0);
    assert.match(noName.stderr, /a container name must be specified for pod talker, choose one of: \[main second\]/);
    // A crashed container's earlier run is --previous.
    const crashed = await eventually('crasher restarted', async () => ((await pod('crasher')).status.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? true : undefined, 30_000);
    assert.ok(crashed);
    const previous = await c.kubectl(['logs', 'crasher', '-n', 'example', '--previous']);
    assert.equal(previous.code, 0, previous.stderr);
    // -f streams lines written after it started.
    await kok(c, ['apply', '-f', '-'], shellPod('ticker', 'i=0; while [ $i -lt 600 ]; do echo tick $i; i=$((i+1)); sleep 0.2; done').replace('restartPolicy: Never', 'restartPolicy: Always'));
    await eventually('ticker running', async () => ((await pod('ticker')).status.phase === 'Running' ? true : undefined), 30_000);
    const streamed = await new Promise<string>((resolve, reject) => {
      const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'logs', '-f', 'ticker', '-n', 'example', '--tail=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no streamed lines: ${out}`));
      }, 15_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.split('\n').length > 5) {
          clearTimeout(timer);
          child.kill('SIGTERM');
          resolve(out);
        }
      });
    });
    const ticks = streamed.trim().split('\n').map((l) => Number(l.replace('tick ', '')));
    assert.ok(ticks.every((n, i) => i === 0 || n === (ticks[i - 1] ?? 0) + 1), `consecutive lines: ${streamed}`);
    // -f on a finished container ends once everything is sent.
    const follow = await c.kubectl(['logs', '-f', 'client', '-n', 'example']);
    assert.match(follow.stdout, /\{"healthy":true\}/);
  });

  test('kubectl exec: output, stderr, exit code, stdin (WebSocket and SPDY); S1.3 with -it in a terminal', async () => {
    await kok(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: example, labels: {app: frontend}}
spec:
  containers:
  - {name: main, image: busybox, command: ["sh", "-c", "sleep 3600"]}
`);
    await eventually('frontend running', async () => ((await pod('frontend')).status.phase === 'Running' ? true : undefined), 30_000);
    const r = await c.kubectl(['exec', 'frontend', '-n', 'example', '--', 'sh', '-c', 'hostname; echo oops >&2; exit 3']);
    assert.equal(r.stdout, 'frontend\n');
    assert.match(r.stderr, /oops\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    assert.equal(r.code, 3);
    const cat = await c.kubectl(['exec', '-i', 'frontend', '-n', 'example', '--', 'cat'], { input: 'through stdin\n' });
    assert.equal(cat.stdout, 'through stdin\n');
    // The SPDY fallback (older clients, or WebSockets turned off): the same, stream per channel.
    const spdy = { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } };
    const overSpdy = await run('kubectl', ['--kubeconfig', c.kubeconfig, 'exec', 'frontend', '-n', 'example', '--', 'sh', '-c', 'hostname; echo oops >&2; exit 3'], spdy);
    assert.equal(overSpdy.stdout, 'frontend\n');
    assert.match(overSpdy.stderr, /oops\n/);
    assert.match(overSpdy.stderr, /command terminated with exit code 3/);
    assert.equal(overSpdy.code, 3);
    const catSpdy = await run('kubectl', ['--kubeconfig', c.kubeconfig, 'exec', '-i', 'frontend', '-n', 'example', '--', 'cat'], { ...spdy, input: 'over spdy\n' });
    assert.equal(catSpdy.stdout, 'over spdy\n');
    assert.equal(catSpdy.code, 0);
    // -it needs a terminal on kubectl's side: `script` gives it one, and types into it.
    const [backend] = await backends();
    const typed = `sleep 1.5; printf 'wget -qO- http://${backend?.status.podIP}:5000/healthy; echo\\n'; sleep 1.5; printf 'exit\\n'; sleep 0.5`;
    const session = await run('sh', ['-c', `(${typed}) | script -qfec "kubectl --kubeconfig ${c.kubeconfig} exec -it frontend -n example -- sh" /dev/null`]);
    assert.match(session.stdout, /\{"healthy":true\}/, session.stdout + session.stderr);
    assert.equal(session.code, 0, session.stdout);
  });

  test('kubectl run -i --tty --rm: a shell in a new pod, typed into through a terminal, then the pod is gone (S4.3)', async () => {
    const [backend] = await backends();
    const typed = `sleep 4; printf 'hostname; wget -qO- http://${backend?.status.podIP}:5000/healthy; echo\\n'; sleep 2; printf 'exit\\n'; sleep 3`;
    const kubectl = `kubectl --kubeconfig ${c.kubeconfig} run -i --tty --image nginx:alpine test -n example --rm --restart=Never -- /bin/sh`;
    const session = await run('sh', ['-c', `(${typed}) | script -qfec "${kubectl}" /dev/null`]);
    assert.match(session.stdout, /\btest\r?\n/, session.stdout);
    assert.match(session.stdout, /\{"healthy":true\}/, session.stdout);
    assert.match(session.stdout, /pod "test" deleted/, session.stdout);
    await eventually('test pod gone', async () => ((await c.kubectl(['get', 'pod', 'test', '-n', 'example'])).code !== 0 ? true : undefined));
  });

  test('kubectl port-forward pod/...: curl on host loopback reaches the pod, over the WebSocket tunnel and over SPDY; a closed port; the Python client; a loopback-only server', async () => {
    const [backend] = await backends();
    const name = backend?.metadata.name ?? '';
    /** Starts `kubectl port-forward` on a free local port, runs `use` with it, then stops kubectl by pid. */
    const forwarding = async <T>(target: string, port: number, env: Record<string, string>, use: (local: number, stderr: () => string) => Promise<T>): Promise<T> => {
      const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'port-forward', '-n', 'example', target, `:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => void (err += d));
      try {
        const local = await eventually(`port-forward ${target} listening`, async () => {
          const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out);
          return m ? Number(m[1]) : undefined;
        }, 30_000);
        return await use(local, () => err);
      } finally {
        child.kill('SIGTERM');
      }
    };
    const curl = (url: string): Promise<{ code: number; stdout: string }> => run('curl', ['-s', '-m', '10', url]);
    for (const env of [{}, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }] as Record<string, string>[]) {
      await forwarding(`pod/${name}`, 5000, env, async (local) => {
        for (let i = 0; i < 3; i++) {
          const r = await curl(`http://127.0.0.1:${local}/host_name`);
          assert.equal(r.stdout.trim(), `{"host_name":"${name}"}`, `${JSON.stringify(env)}: ${r.stdout}`);
        }
      });
    }
    // Nothing listens on 5999: the client is told why, in the kubelet's words.
    await forwarding(`pod/${name}`, 5999, {}, async (local, stderr) => {
      const r = await curl(`http://127.0.0.1:${local}/`);
      assert.notEqual(r.code, 0);
      await eventually('the error reaches kubectl', async () => (/error forwarding port 5999 to pod example\/\S+, uid [0-9a-f-]+: .*ECONNREFUSED/.test(stderr()) ? true : undefined), 5000);
    });
    // The official Python client forwards over WebSocket channels (v4.channel.k8s.io).
    const script = [
      'import sys',
      'from kubernetes import client, config',
      'from kubernetes.stream import portforward',
      'config.load_kube_config(sys.argv[1])',
      "pf = portforward(client.CoreV1Api().connect_get_namespaced_pod_portforward, sys.argv[2], 'example', ports='5000')",
      's = pf.socket(5000)',
      's.settimeout(20)',
      "s.sendall(b'GET /host_name HTTP/1.0\\r\\nHost: pod\\r\\n\\r\\n')",
      "data = b''",
      'while True:',
      '    chunk = s.recv(4096)',
      '    if not chunk: break',
      '    data += chunk',
      'print(data.decode())',
    ].join('\n');
    const python = await run('/usr/bin/python3', ['-c', script, c.kubeconfig, name], { timeoutMs: 40_000 });
    assert.match(python.stdout, new RegExp(`\\{"host_name":"${name}"\\}`), python.stdout + python.stderr);
    // Like the kubelet, port-forward reaches a server bound to the pod's own 127.0.0.1.
    await kok(c, ['apply', '-f', '-'], shellPod('loopback', 'exec python3 -m http.server --bind 127.0.0.1 9000').replace('image: busybox', 'image: python:3'));
    await eventually('loopback running', async () => ((await pod('loopback')).status.phase === 'Running' ? true : undefined), 30_000);
    // Running is not listening yet: a forward to a closed port ends kubectl's port-forward.
    await eventually('the server listens inside the pod', async () => ((await c.kubectl(['exec', 'loopback', '-n', 'example', '--', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9000/'])).code === 0 ? true : undefined), 30_000);
    await forwarding('pod/loopback', 9000, {}, async (local) => {
      const r = await eventually('the loopback server answers', async () => {
        const got = await curl(`http://127.0.0.1:${local}/`);
        return got.stdout.includes('Directory listing') ? got : undefined;
      }, 30_000);
      assert.match(r.stdout, /Directory listing/);
    });
  });

  test('switchboard down stops every pod process and removes every namespace', async () => {
    const names = sandboxNames(sandboxIdFor(dataDir));
    const ours = (await listNamespaces()).filter((n) => n.startsWith(names.prefix));
    assert.ok(ours.length >= 4, `cluster, 2 nodes and pods: ${ours.join(' ')}`);
    const pids = (await Promise.all(ours.map((n) => pidsIn(n)))).flat();
    assert.ok(pids.length >= 2, 'the backend processes run in the sandbox');
    const down = await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(names.prefix)), []);
    // A killed process may linger a moment as a zombie until init reaps it; it runs no more.
    await eventually('every pod process gone', async () => (pids.some(isRunning) ? undefined : true), 5000);
  });
});
