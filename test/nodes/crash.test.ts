/**
 * The node agent killed with SIGKILL (it runs inside `up`): the restarted cluster cleans up the
 * pods the dead agent left (their processes and namespaces), runs them again with the same
 * IPs, and `switchboard down` then leaves nothing behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { cliPath, run, skipUnless, startCluster, stopPid, type Cluster } from '../harness.js';
import { eventually, kjson, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';
import { isRunning, listNamespaces, pidsIn, sandboxNames } from '../../src/sandbox/network.js';
import { sandboxIdFor } from '../../src/cli/up.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

interface PodList {
  items: { metadata: { name: string }; status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean }[] } }[];
}

/** The host's own interfaces (the sandbox never adds one there). */
async function hostLinks(): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show']);
  return r.stdout.split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '').filter(Boolean).sort();
}

/** Mount points in the host's mount namespace that name the sandbox (its /run/netns entries). */
function sandboxMounts(prefix: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`/run/netns/${prefix}`));
}

/** Processes whose command line names the data directory (up, the agent's helpers, the pods' files). */
function processesNaming(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (state !== 'Z' && cmdline.includes(dir)) found.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

describe('a node agent killed with SIGKILL', { skip }, () => {
  let c: Cluster;
  let dataDir = '';
  let linksBefore: string[] = [];

  before(async () => {
    linksBefore = await hostLinks();
    c = await startCluster(['--nodes', '1']);
    dataDir = c.dataDir;
  });
  after(async () => {
    await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    await c?.stop();
  });

  const readyPods = async (cluster: Cluster): Promise<PodList['items']> =>
    eventually('2 ready pods', async () => {
      const list = await kjson<PodList>(cluster, ['get', 'pods', '-l', 'app=backend', '-o', 'json']);
      const ready = list.items.filter((p) => p.status.containerStatuses?.[0]?.ready);
      return ready.length === 2 ? ready : undefined;
    }, 30_000);

  test('its pods come back with their IPs, the old processes are gone, and down leaves nothing', async () => {
    await kok(c, ['create', 'deployment', 'backend', '--image=switchboard/testserver', '--replicas=2', '--port=5000']);
    const before = await readyPods(c);
    const names = sandboxNames(sandboxIdFor(dataDir));
    const podNamespaces = (await listNamespaces()).filter((n) => n.startsWith(`${names.prefix}p`));
    assert.equal(podNamespaces.length, 2);
    const oldPids = (await Promise.all(podNamespaces.map((n) => pidsIn(n)))).flat();
    assert.ok(oldPids.length >= 2);

    await stopPid(c.pid, 'SIGKILL');
    assert.ok(oldPids.every(isRunning), 'the pods outlive the agent');
    c = await c.restart();
    const after = await readyPods(c);
    assert.deepEqual(after.map((p) => `${p.metadata.name} ${p.status.podIP}`).sort(), before.map((p) => `${p.metadata.name} ${p.status.podIP}`).sort());
    await eventually('old processes gone', async () => (oldPids.some(isRunning) ? undefined : true), 10_000);
    assert.equal((await listNamespaces()).filter((n) => n.startsWith(`${names.prefix}p`)).length, 2);

    assert.ok(sandboxMounts(names.prefix).length >= 3, 'the cluster, node and pod namespaces are mounted under /run/netns');
    const podPids = (await Promise.all((await listNamespaces()).filter((n) => n.startsWith(`${names.prefix}p`)).map((n) => pidsIn(n)))).flat();
    assert.ok(podPids.length >= 2);
    const down = await run(process.execPath, [cliPath, 'down', '--data-dir', dataDir]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(names.prefix)), []);
    // Nothing is left: no namespace mount, no host interface (veths and bridges live inside the
    // removed namespaces), and no process of the cluster or its pods.
    assert.deepEqual(sandboxMounts(names.prefix), []);
    assert.deepEqual(await hostLinks(), linksBefore);
    await eventually('no process left', async () => (processesNaming(dataDir).length === 0 && !podPids.some(isRunning) ? true : undefined), 10_000);
    assert.ok(after.length === 2 && oldPids.every((p) => !isRunning(p)));
  });
});
