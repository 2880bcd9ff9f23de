/**
 * Events about pods on a real node (`up --nodes 1`), read as users read them: `kubectl describe
 * pod` and `kubectl get events`. The scheduler's Scheduled, then the agent's (source `kubelet`)
 * Pulled, Created, Started; Failed with the waiting message for an image the catalogue lacks;
 * Unhealthy for a failing probe, aggregated into one Event whose count grows; Killing on deletion.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliPath, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

interface EventJson {
  metadata: { name: string };
  reason: string;
  type: string;
  message: string;
  count: number;
  source: { component?: string; host?: string };
  involvedObject: { name: string; fieldPath?: string };
}

/** A one-container pod; `extra` is YAML for the container (indented four spaces). */
function pod(name: string, image: string, command: string[] | undefined, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${image}
${command ? `    command: ${JSON.stringify(command)}\n` : ''}${extra}`;
}

describe('pod events on a real node', { skip }, () => {
  let c: Cluster;
  let dataDir = '';

  const eventsOf = async (name: string, reason?: string): Promise<EventJson[]> => {
    const selector = `involvedObject.name=${name}${reason ? `,reason=${reason}` : ''}`;
    return (await kjson<{ items: EventJson[] }>(c, ['get', 'events', '--field-selector', selector])).items;
  };
  const describePod = (name: string): Promise<string> => kok(c, ['describe', 'pod', name]);

  before(async () => {
    c = await startCluster(['--nodes', '1']);
    dataDir = c.dataDir;
    // All at once, so that their waits overlap.
    const sleeper = ['sh', '-c', 'sleep 3600'];
    const readiness = '    readinessProbe:\n      exec: {command: ["sh", "-c", "echo not ready; exit 1"]}\n      periodSeconds: 1\n';
    const pods = [pod('ghost', 'example.com/no-such-image:1', undefined), pod('good', 'busybox', sleeper), pod('unready', 'busybox', sleeper, readiness)];
    await kok(c, ['apply', '-f', '-'], pods.join('---\n'));
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    await c.stop();
  });

  test('an image not in the catalogue: describe shows a Failed warning with the waiting message', async () => {
    const out = await eventually('Failed in describe', async () => {
      const text = await describePod('ghost');
      return /Warning\s+Failed\s/.test(text) ? text : undefined;
    });
    assert.match(out, /Warning\s+Failed\s+\S+\s+kubelet\s+image "example\.com\/no-such-image:1" is not in Switchboard's image catalogue: /);
    assert.match(out, /Reason:\s+ErrImagePull/);
  });

  test('a pod that starts: Scheduled, Pulled, Created, Started, in that order', async () => {
    const out = await eventually('Started in describe', async () => {
      const text = await describePod('good');
      return /Normal\s+Started\s/.test(text) ? text : undefined;
    });
    const events = out.slice(out.indexOf('Events:'));
    const lines = ['Scheduled', 'Pulled', 'Created', 'Started'].map((reason) => events.split('\n').findIndex((l) => new RegExp(`^\\s+Normal\\s+${reason}\\s`).test(l)));
    assert.ok(lines.every((l, i) => l > 0 && (i === 0 || l > (lines[i - 1] ?? 0))), events);
    assert.match(events, /Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/good to node-0/);
    assert.match(events, /Pulled\s+\S+\s+kubelet\s+Container image "busybox" maps to the host program sh/);
    assert.match(events, /Created\s+\S+\s+kubelet\s+Created container main/);
    assert.match(events, /Started\s+\S+\s+kubelet\s+Started container main/);
    const [started] = await eventsOf('good', 'Started');
    assert.deepEqual(started?.source, { component: 'kubelet', host: 'node-0' });
    assert.equal(started?.involvedObject.fieldPath, 'spec.containers{main}');
  });

  test('a failing readiness probe: one Unhealthy Event whose count grows', async () => {
    const unhealthy = await eventually('Unhealthy counted twice', async () => {
      const list = await eventsOf('unready', 'Unhealthy');
      return list.some((e) => e.count >= 2) ? list : undefined;
    }, 20_000);
    assert.equal(unhealthy.length, 1, JSON.stringify(unhealthy));
    assert.equal(unhealthy[0]?.type, 'Warning');
    assert.equal(unhealthy[0]?.message, 'Readiness probe failed: not ready');
    assert.match(await describePod('unready'), /Warning\s+Unhealthy\s+\S+ \(x\d+ over \S+\)\s+kubelet\s+Readiness probe failed: not ready/);
  });

  test('deleting a pod records Killing', async () => {
    await kok(c, ['delete', 'pod', 'good']);
    const killing = await eventually('Killing', async () => (await eventsOf('good', 'Killing'))[0]);
    assert.equal(killing.type, 'Normal');
    assert.equal(killing.message, 'Stopping container main');
    assert.equal(killing.involvedObject.fieldPath, 'spec.containers{main}');
  });
});
