/**
 * Container lifecycle hooks and pod termination on a real node (`up --nodes 1`), driven by
 * kubectl: preStop runs before SIGTERM, postStart before the container counts as running (a
 * failed one kills it), and the grace period bounds preStop plus SIGTERM, with the kubelet's
 * 2 s floor after a preStop that used it up. Containers mark what happened in files under the
 * test's data directory (pods see the host's files).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

interface ContainerStatus {
  ready: boolean;
  restartCount: number;
  state: Record<string, { reason?: string; exitCode?: number }>;
}
interface PodJson {
  metadata: { name: string; uid: string };
  status: { phase?: string; containerStatuses?: ContainerStatus[] };
}

/** A one-container busybox pod; `extra` is YAML for the container (indented four spaces). */
function shellPod(name: string, script: string, extra: string, grace?: number): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
${grace === undefined ? '' : `  terminationGracePeriodSeconds: ${grace}\n`}  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
${extra}`;
}

describe('lifecycle hooks and termination on a real node', { skip }, () => {
  let c: Cluster;
  let dataDir = '';

  const pod = (name: string): Promise<PodJson> => kjson<PodJson>(c, ['get', 'pod', name, '-o', 'json']);
  const running = (name: string): Promise<PodJson> =>
    eventually(`${name} running and ready`, async () => {
      const p = await pod(name);
      return p.status.containerStatuses?.[0]?.ready ? p : undefined;
    }, 20_000);
  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  /** Deletes a pod as `kubectl delete pod` does (waiting until it is gone); resolves with the seconds it took. */
  const timedDelete = async (name: string): Promise<number> => {
    const started = Date.now();
    await kok(c, ['delete', 'pod', name]);
    return (Date.now() - started) / 1000;
  };

  before(async () => {
    c = await startCluster(['--nodes', '1']);
    dataDir = c.dataDir;
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    await c.stop();
  });

  test('preStop exec runs to its end before the container gets SIGTERM', async () => {
    const marker = join(dataDir, 'prestop.marker');
    const script = `trap 'echo term >> ${marker}; exit 0' TERM; while true; do sleep 0.1; done`;
    const hook = `echo prestop >> ${marker}; sleep 1; echo prestop-done >> ${marker}`;
    await kok(c, ['apply', '-f', '-'], shellPod('prestop', script, `    lifecycle:\n      preStop:\n        exec: {command: ["sh", "-c", ${JSON.stringify(hook)}]}\n`));
    await running('prestop');
    assert.equal(read(marker), '', 'no hook ran while the pod ran');
    const took = await timedDelete('prestop');
    assert.equal(read(marker), 'prestop\nprestop-done\nterm\n');
    assert.ok(took >= 1 && took < 10, `deleted in ${took} s`);
  });

  test('postStart exec runs with the container environment and ends before the container counts as running', async () => {
    const file = join(dataDir, 'poststart.out');
    const script = `while [ ! -f ${file} ]; do sleep 0.1; done; echo saw $(cat ${file}); sleep 3600`;
    const hook = `sleep 1; echo from-postStart-$GREETING > ${file}`;
    const extra = `    env: [{name: GREETING, value: hello}]\n    lifecycle:\n      postStart:\n        exec: {command: ["sh", "-c", ${JSON.stringify(hook)}]}\n`;
    await kok(c, ['apply', '-f', '-'], shellPod('poststart', script, extra, 1));
    // Whenever the container shows running, the hook has written its file.
    const seen = await eventually('poststart running', async () => {
      const p = await pod('poststart');
      const state = p.status.containerStatuses?.[0]?.state ?? {};
      if (!state.running) return undefined;
      return { p, fileThere: existsSync(file) };
    }, 20_000);
    assert.ok(seen.fileThere, 'the container was reported running before its postStart hook ended');
    assert.equal(seen.p.status.phase, 'Running');
    await eventually('the container saw the hook', async () => ((await c.kubectl(['logs', 'poststart'])).stdout === 'saw from-postStart-hello\n' ? true : undefined));
    await kok(c, ['delete', 'pod', 'poststart', '--wait=false']);
  });

  test('a failing postStart hook kills the container, which restarts per restartPolicy (FailedPostStartHook)', async () => {
    const extra = `    lifecycle:\n      postStart:\n        exec: {command: ["sh", "-c", "echo no way; exit 7"]}\n`;
    await kok(c, ['apply', '-f', '-'], shellPod('badstart', 'sleep 3600', extra, 1));
    const restarted = await eventually('badstart restarted', async () => {
      const s = (await pod('badstart')).status.containerStatuses?.[0];
      return s && s.restartCount >= 1 ? s : undefined;
    }, 20_000);
    assert.equal(restarted.ready, false);
    const log = read(join(dataDir, 'switchboard.log'));
    assert.match(log, /FailedPostStartHook/);
    assert.match(log, /exit code 7, output: \\"no way\\"/);
    await kok(c, ['delete', 'pod', 'badstart', '--wait=false']);
  });

  test('terminationGracePeriodSeconds: 2 and SIGTERM ignored: SIGKILL after 2 s', async () => {
    await kok(c, ['apply', '-f', '-'], shellPod('stubborn', "trap '' TERM; while true; do sleep 0.1; done", '', 2));
    await running('stubborn');
    const took = await timedDelete('stubborn');
    assert.ok(took >= 1.9 && took < 4.5, `deleted in ${took} s`);
  });

  test('a preStop hook longer than the grace period: SIGTERM when the grace period ends, SIGKILL 2 s later', async () => {
    const marker = join(dataDir, 'longstop.marker');
    const script = `trap 'echo term $(date +%s.%N) >> ${marker}' TERM; while true; do sleep 0.1; done`;
    await kok(c, ['apply', '-f', '-'], shellPod('longstop', script, '    lifecycle:\n      preStop:\n        sleep: {seconds: 60}\n', 2));
    await running('longstop');
    const started = Date.now() / 1000;
    const took = await timedDelete('longstop');
    const [, at = ''] = read(marker).trim().split(' ');
    const termAfter = Number(at) - started;
    assert.ok(termAfter >= 1.9 && termAfter < 3.5, `SIGTERM ${termAfter} s after the delete`);
    assert.ok(took >= 3.9 && took < 6.5, `deleted in ${took} s`);
  });
});
