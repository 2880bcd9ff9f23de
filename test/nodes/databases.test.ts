/**
 * The `postgres` and `mysql` images on a real node (S1's `pg` on 5432, S2's
 * `kubectl create deployment mysql --image=mysql:latest`): each pod runs the host's server on a
 * data directory of its own beside its logs, clients reach it through a Service with the
 * password from the pod's environment, a mysql pod without a password option crash-loops with
 * the official image's message, and deleting the pods stops every server process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';
import { isRunning, pidsIn, sandboxNames } from '../../src/sandbox/network.js';
import { sandboxIdFor } from '../../src/cli/up.js';
import { findProgram } from '../../src/agent/runtime/images.js';
import { postgresProgram } from '../../src/agent/runtime/postgres-entrypoint.js';

/** Skips without the servers, except in CI, where scripts/test.sh installs them. */
function serversSkipReason(): string | false {
  const missing = [
    ...(postgresProgram() === 'postgres' ? ['postgresql (the postgres server)'] : []),
    ...(findProgram('mariadbd', `${process.env.PATH ?? ''}:/usr/sbin`) ? [] : ['mariadb-server (mariadbd)']),
  ];
  if (missing.length === 0) return false;
  if (process.env.CI === 'true') throw new Error(`${missing.join(', ')} required in CI but not installed`);
  return `not installed: ${missing.join(', ')} (apt-get install postgresql mariadb-server)`;
}

const skip = sandboxSkipReason() || skipUnless('kubectl') || serversSkipReason() || skipUnless('psql') || skipUnless('mysql');

interface PodJson {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  status: { phase?: string; containerStatuses?: { ready: boolean; restartCount: number; state: Record<string, { reason?: string; message?: string } | undefined> }[] };
}

const pg = `apiVersion: v1
kind: Pod
metadata: {name: pg, namespace: example, labels: {app: pg}}
spec:
  containers:
  - name: pg
    image: postgres
    env: [{name: POSTGRES_PASSWORD, value: s3cret}]
    ports: [{containerPort: 5432}]
    readinessProbe: {tcpSocket: {port: 5432}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: pg-service, namespace: example}
spec:
  selector: {app: pg}
  ports: [{port: 5432, targetPort: 5432}]
`;

/** Host paths the packages own: the pods must leave them as they are. */
const hostPaths = ['/var/lib/postgresql', '/run/postgresql', '/var/lib/mysql', '/run/mysqld'];
const listing = (): string => hostPaths.map((p) => `${p}: ${existsSync(p) ? readdirSync(p).sort().join(' ') : '-'}`).join('\n');

describe('database images on a real node', { skip }, () => {
  let c: Cluster;
  let dataDir = '';
  let hostBefore = '';
  /** Every process of the database pods, by pod uid. */
  const processes = new Map<string, number[]>();

  const pod = (name: string, ns: string): Promise<PodJson> => kjson<PodJson>(c, ['get', 'pod', name, '-n', ns]);
  const finished = (name: string, ns: string): Promise<PodJson> =>
    eventually(`${name} finished`, async () => {
      const p = await pod(name, ns);
      return p.status.phase === 'Succeeded' || p.status.phase === 'Failed' ? p : undefined;
    }, 30_000);
  const mysqlPods = async (): Promise<PodJson[]> => (await kjson<{ items: PodJson[] }>(c, ['get', 'pods', '-l', 'app=mysql'])).items.filter((p) => !p.metadata.deletionTimestamp);
  /** The processes in a pod's network namespace, with their command names. */
  const podProcesses = async (uid: string): Promise<{ pid: number; comm: string }[]> => {
    const pids = await pidsIn(sandboxNames(sandboxIdFor(dataDir)).pod(uid));
    return pids.map((pid) => ({ pid, comm: existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '' }));
  };

  before(async () => {
    hostBefore = listing();
    c = await startCluster(['--nodes', '1']);
    dataDir = c.dataDir;
    await kok(c, ['create', 'namespace', 'example']);
    await kok(c, ['apply', '-f', '-'], pg);
    // S2 as the tutorial types it: no password option, so the server refuses to initialise.
    await kok(c, ['create', 'deployment', 'mysql', '--image=mysql:latest', '--replicas=1']);
    await kok(c, ['expose', 'deployment', 'mysql', '--port=3306', '--target-port=3306']);
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    await c.stop();
    // The cluster stops its pods; a server process still running would be a leak of this test's.
    for (const pid of [...processes.values()].flat()) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  });

  test('S1: postgres with POSTGRES_PASSWORD goes Ready on 5432; psql reaches it through pg-service with that password only', async () => {
    const ready = await eventually('pg Ready', async () => {
      const p = await pod('pg', 'example');
      return p.status.containerStatuses?.[0]?.ready ? p : undefined;
    }, 45_000);
    const own = join(dataDir, 'pods', ready.metadata.uid, 'pg', 'postgres');
    assert.ok(existsSync(join(own, 'data', 'PG_VERSION')), 'the cluster is in the container\'s directory');
    const procs = await podProcesses(ready.metadata.uid);
    assert.ok(procs.some((p) => p.comm === 'postgres'), JSON.stringify(procs));
    processes.set(ready.metadata.uid, procs.map((p) => p.pid));

    const client = (name: string, password: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: example}
spec:
  restartPolicy: Never
  containers:
  - name: psql
    image: postgres:16
    command: [psql, -h, pg-service, -U, postgres, -Atc, "select 1"]
    env: [{name: PGPASSWORD, value: ${password}}]
`;
    await kok(c, ['apply', '-f', '-'], `${client('psql', 's3cret')}---\n${client('psql-wrong', 'wrong')}`);
    const [ok, wrong] = await Promise.all([finished('psql', 'example'), finished('psql-wrong', 'example')]);
    const okLog = await kok(c, ['logs', 'psql', '-n', 'example']);
    assert.equal(ok.status.phase, 'Succeeded', okLog);
    assert.equal(okLog, '1\n');
    assert.equal(wrong.status.phase, 'Failed');
    assert.match(await kok(c, ['logs', 'psql-wrong', '-n', 'example']), /password authentication failed for user "postgres"/);
    // Inside the pod psql finds the server's socket where it looks by default (trusted locally).
    assert.equal(await kok(c, ['exec', 'pg', '-n', 'example', '--', 'psql', '-U', 'postgres', '-Atc', 'select 2']), '2\n');
  });

  test('S2: mysql:latest without a password option crash-loops with the official image\'s message in kubectl logs', async () => {
    const crashing = await eventually('mysql in CrashLoopBackOff', async () => {
      const [p] = await mysqlPods();
      return p?.status.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, 30_000);
    const logs = await kok(c, ['logs', crashing.metadata.name]);
    assert.match(logs, /database is uninitialized and password option is not specified/);
    assert.match(logs, /MYSQL_ROOT_PASSWORD/);
  });

  test('S2: with MYSQL_ROOT_PASSWORD the mysql pod goes Ready on 3306; the mysql client reaches it through the Service', async () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'mysql', env: [{ name: 'MYSQL_ROOT_PASSWORD', value: 's3cret' }], readinessProbe: { tcpSocket: { port: 3306 }, periodSeconds: 1 } }] } } } };
    await kok(c, ['patch', 'deployment', 'mysql', '-p', JSON.stringify(patch)]);
    const ready = await eventually('one Ready mysql pod', async () => {
      const pods = await mysqlPods();
      return pods.length === 1 && pods[0]?.status.containerStatuses?.[0]?.ready ? pods[0] : undefined;
    }, 60_000);
    const procs = await podProcesses(ready.metadata.uid);
    assert.ok(procs.some((p) => p.comm === 'mysqld' || p.comm === 'mariadbd'), JSON.stringify(procs));
    processes.set(ready.metadata.uid, procs.map((p) => p.pid));

    await kok(c, ['run', 'mysql-client', '--image=mysql:latest', '--restart=Never', '--command', '--', 'mysql', '-h', 'mysql', '-uroot', '-ps3cret', '-Ne', 'select 1']);
    const done = await finished('mysql-client', 'default');
    const out = await kok(c, ['logs', 'mysql-client']);
    assert.equal(done.status.phase, 'Succeeded', out);
    assert.equal(out, '1\n');
    // Inside the pod the client finds the server's socket where it looks by default.
    assert.equal(await kok(c, ['exec', ready.metadata.name, '--', 'mysql', '-uroot', '-ps3cret', '-Ne', 'select 2']), '2\n');
  });

  test('deleting the pods stops every server process; the host\'s database directories are untouched', async () => {
    assert.equal(processes.size, 2, 'both servers were seen running');
    await kok(c, ['delete', 'pod', 'pg', '-n', 'example', '--wait=false']);
    await kok(c, ['delete', 'deployment', 'mysql', '--wait=false']);
    const pids = [...processes.values()].flat();
    await eventually('every server process gone', async () => (pids.some(isRunning) ? undefined : true), 30_000);
    assert.equal(listing(), hostBefore);
  });
});
