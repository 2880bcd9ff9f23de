/**
 * The rootless sandbox: `switchboard up --nodes 1` run by a user without root (a test user of
 * our own) makes its sandbox in a user namespace. Pods get their IPs and hostnames, a Service's
 * cluster IP answers from another pod, LoadBalancer ports of 1024 and above are published on
 * host loopback (port 80 is refused with one warning), nothing of the sandbox appears in the
 * host's /run/netns, and `down` by that user stops everything, also after `up` was killed.
 * The test itself runs as root (to create the user), like the other node tests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, ownLoopback, run, skipUnless, type Cluster, type Result } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';
import { sandboxNames } from '../../src/sandbox/network.js';
import { sandboxIdFor } from '../../src/cli/up.js';
import { isAlive } from '../../src/cli/datadir.js';

const USER = 'sb-rootless-test';
/** A user's PATH on Debian (no sbin): `up` finds ip, nft and conntrack itself. */
const USER_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * Why a user without root cannot run the cluster here: the checkout must be readable to
 * others (the test changes no permissions) and the kernel must give users namespaces. Tried
 * as `nobody`, which has no more rights than the test user.
 */
function rootlessSkipReason(): string | false {
  const asNobody = (args: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...args], { encoding: 'utf8', env: { PATH: USER_PATH, HOME: '/' } });
  const help = asNobody([process.execPath, cliPath, 'help']);
  if (help.error) return `setpriv: ${help.error.message}`;
  if (help.status !== 0) return `the checkout is not readable to other users (${cliPath} as nobody: ${help.stderr.trim().split('\n')[0] ?? ''}); not changing its permissions`;
  const probe = asNobody(['unshare', '--user', '--map-root-user', '--mount', '--', 'true']);
  if (probe.status !== 0) return `unprivileged user namespaces do not work here: ${probe.stderr.trim() || probe.error?.message || 'unshare failed'}`;
  return false;
}

const skip = sandboxSkipReason() || skipUnless('kubectl') || skipUnless('setpriv') || skipUnless('useradd') || rootlessSkipReason();

interface PodJson {
  metadata: { name: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean }[] };
}

/** Pids of live processes (not zombies) whose real, effective or saved uid is `uid`. */
function processesOf(uid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
      if (/^State:\s+Z/m.test(status) || !uids) continue;
      if (uids.slice(1).map(Number).includes(uid)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const manifests = `apiVersion: v1
kind: Pod
metadata: {name: server, labels: {app: server}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: switchboard/testserver
    ports: [{containerPort: 5000}]
    readinessProbe: {httpGet: {path: /healthy, port: 5000}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: busybox, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec:
  type: LoadBalancer
  selector: {app: server}
  ports: [{name: low, port: 80, targetPort: 5000}, {name: high, port: 8080, targetPort: 5000}]
`;

describe('the rootless sandbox: up, pods, Services and down as a user without root', { skip }, () => {
  let uid = -1;
  let gid = -1;
  let createdUser = false;
  let dataDir = '';
  let c: Cluster;
  const { lbPool } = ownLoopback();

  const asUser = (args: string[]): Promise<Result> =>
    run('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', process.execPath, cliPath, ...args], { env: { PATH: USER_PATH, HOME: dataDir } });
  const status = (): { pid: number; userNamespace?: string } => JSON.parse(readFileSync(join(dataDir, 'status.json'), 'utf8')) as { pid: number; userNamespace?: string };
  const hostNetns = (): string[] => (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(sandboxNames(sandboxIdFor(dataDir)).prefix));
  const hostMounts = (): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`/run/netns/${sandboxNames(sandboxIdFor(dataDir)).prefix}`));
  const readyPod = (name: string): Promise<PodJson> =>
    eventually(`${name} Ready`, async () => {
      const p = await kjson<PodJson>(c, ['get', 'pod', name]);
      return p.status.containerStatuses?.[0]?.ready ? p : undefined;
    }, 30_000);

  before(async () => {
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      const add = spawnSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
      assert.equal(add.status, 0, `useradd: ${add.stderr}`);
      createdUser = true;
    }
    uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout);
    gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout);
    dataDir = mkdtempSync(join(tmpdir(), 'sb-rootless-'));
    chownSync(dataDir, uid, gid);
    const up = await asUser(['up', '--detach', '--quiet', '--nodes', '1', '--data-dir', dataDir, '--api-port', '0', '--lb-pool', lbPool]);
    const log = existsSync(join(dataDir, 'switchboard.log.out')) ? readFileSync(join(dataDir, 'switchboard.log.out'), 'utf8') : '';
    assert.equal(up.code, 0, `up as ${USER}: ${up.stderr}\n${log}`);
    const kubeconfig = join(dataDir, 'kubeconfig');
    c = {
      dataDir,
      kubeconfig,
      api: '',
      pid: status().pid,
      kubectl: (args, options = {}) => run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dataDir, 'kubectl-cache'), ...args], options),
      stop: async () => undefined,
      restart: () => Promise.reject(new Error('not used')),
    };
  });

  after(async () => {
    if (uid >= 0 && dataDir) await asUser(['down', '--data-dir', dataDir]);
    // Whatever is left of our own test user's processes, by pid.
    for (const pid of uid >= 0 ? processesOf(uid) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (createdUser) {
      await eventually('the test user has no process', async () => (processesOf(uid).length === 0 ? true : undefined), 5000).catch(() => undefined);
      spawnSync('userdel', [USER]);
    }
  });

  test('up runs as the user in a user namespace of its own, and its namespaces are not on the host', () => {
    const s = status();
    assert.match(s.userNamespace ?? '', /^user:\[\d+\]$/);
    assert.notEqual(s.userNamespace, readlinkSync('/proc/self/ns/user'));
    assert.ok(processesOf(uid).includes(s.pid), 'up runs as the user');
    assert.deepEqual(hostNetns(), []);
    assert.deepEqual(hostMounts(), []);
  });

  test('a pod goes Ready with its own IP; kubectl exec shows its hostname', async () => {
    await kok(c, ['apply', '-f', '-'], manifests);
    const server = await readyPod('server');
    assert.match(server.status.podIP ?? '', /^10\.244\.\d+\.\d+$/);
    assert.equal((await kok(c, ['exec', 'server', '--', 'hostname'])).trim(), 'server');
  });

  test("a Service's cluster IP answers from another pod, through the node's dataplane", async () => {
    await readyPod('client');
    const clusterIP = (await kok(c, ['get', 'service', 'server', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const out = await eventually('the cluster IP answers', async () => {
      const r = await c.kubectl(['exec', 'client', '--', 'wget', '-qO-', '-T', '3', `http://${clusterIP}:8080/host_name`]);
      return r.code === 0 ? r.stdout : undefined;
    }, 15_000);
    assert.equal(out.trim(), '{"host_name":"server"}');
    // nftables inside the user namespace, or the userspace proxy where nft cannot run there.
    const metrics = await kok(c, ['get', '--raw', '/metrics']);
    assert.match(metrics, /^switchboard_proxy_mode\{mode="(nftables|userspace)"\} 1$/m);
  });

  test('LoadBalancer: port 8080 is published on host loopback; port 80 is not, with one warning', async () => {
    const ip = await eventually('an EXTERNAL-IP', async () => (await kok(c, ['get', 'service', 'server', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim() || undefined);
    const r = await eventually('the EXTERNAL-IP answers', async () => {
      const got = await run('curl', ['-s', '-m', '3', `http://${ip}:8080/host_name`]);
      return got.code === 0 && got.stdout ? got : undefined;
    }, 15_000);
    assert.equal(r.stdout.trim(), '{"host_name":"server"}');
    // Another change to the Services makes the publisher try again; it still warns only once.
    await kok(c, ['annotate', 'service', 'server', 'touched=yes']);
    await kok(c, ['create', 'service', 'clusterip', 'other', '--tcp=81:81']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const warnings = readFileSync(join(dataDir, 'switchboard.log'), 'utf8').split('\n').filter((l) => l.includes(`"address":"${ip}:80"`) && l.includes('"level":40'));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /port 80 is privileged on the host/);
  });

  test('after up is killed, down (as the user) stops the pods it left; nothing of the sandbox remains', async () => {
    const s = status();
    process.kill(s.pid, 'SIGKILL');
    await eventually('up gone', async () => (isAlive(s.pid) ? undefined : true), 5000);
    const left = processesOf(uid);
    assert.ok(left.length > 0, 'the pods outlive up');
    const down = await asUser(['down', '--data-dir', dataDir]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /stopped \d+ process\(es\) left in the sandbox/);
    await eventually('no process of the user', async () => (processesOf(uid).length === 0 ? true : undefined), 5000);
    assert.deepEqual(hostNetns(), []);
    assert.deepEqual(hostMounts(), []);
    const st = await asUser(['status', '--data-dir', dataDir]);
    assert.equal(st.code, 3, st.stdout);
  });

  test('up again runs the stored pods in a new sandbox; down then stops it cleanly', async () => {
    const before = status().pid;
    const up = await asUser(['up', '--detach', '--quiet', '--nodes', '1', '--data-dir', dataDir, '--api-port', '0', '--lb-pool', lbPool]);
    assert.equal(up.code, 0, up.stderr);
    // (The user namespace may well have the old one's number: the kernel reuses them.)
    assert.notEqual(status().pid, before);
    c = { ...c, pid: status().pid };
    assert.equal((await readyPod('server')).metadata.name, 'server');
    const down = await asUser(['down', '--data-dir', dataDir]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /stopped the cluster/);
    assert.ok(!existsSync(join(dataDir, 'status.json')), 'a clean stop removes status.json');
    await eventually('no process of the user', async () => (processesOf(uid).length === 0 ? true : undefined), 5000);
    assert.deepEqual(hostNetns(), []);
  });
});
