/**
 * Killing the API server with SIGKILL during a stream of writes loses no acknowledged write,
 * and a watcher resumes from its last resourceVersion after the restart without gaps.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../harness.js';
import { credentialsFromKubeconfig, request, type Credentials } from './client.js';
import { openWatch } from './watch-stream.js';

const configMap = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } });

describe('durability (sqlite)', () => {
  let c: Cluster | undefined;
  after(async () => c?.stop());

  test('acknowledged writes survive SIGKILL; watchers resume', async () => {
    c = await startCluster();
    let creds: Credentials = credentialsFromKubeconfig(c.kubeconfig);
    const watch = openWatch(creds, '/api/v1/namespaces/default/configmaps?watch=true');
    const acked = new Map<string, number>();
    let stop = false;
    const writer = (async () => {
      for (let i = 0; i < 5000 && !stop; i++) {
        const name = `cm-${i}`;
        try {
          const r = await request(creds, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap(name), contentType: 'application/json' });
          if (r.status === 201) acked.set(name, Number(r.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion));
        } catch {
          return; // the server died mid-request: that write was never acknowledged
        }
      }
    })();
    while (acked.size < 150) await new Promise((r) => setTimeout(r, 10));
    process.kill(c.pid, 'SIGKILL');
    stop = true;
    await writer;
    watch.stop();
    await new Promise((r) => setTimeout(r, 200));
    const lastSeen = Math.max(0, ...watch.events.map((e) => Number(e.object.metadata.resourceVersion)));
    assert.ok(acked.size >= 150);

    c = await c.restart();
    creds = credentialsFromKubeconfig(c.kubeconfig);
    const list = await request(creds, 'GET', '/api/v1/namespaces/default/configmaps');
    const names = new Set(list.json<{ items: { metadata: { name: string } }[] }>().items.map((i) => i.metadata.name));
    const lost = [...acked.keys()].filter((n) => !names.has(n));
    assert.deepEqual(lost, [], `acknowledged writes lost after SIGKILL: ${lost.length}`);

    // Resume the watch from the last version it saw: every acknowledged write after it arrives once.
    const resumed = openWatch(creds, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${lastSeen}`);
    const expected = [...acked].filter(([, rv]) => rv > lastSeen).map(([n]) => n);
    await request(creds, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('after-restart'), contentType: 'application/json' });
    await resumed.waitFor((events) => events.some((e) => e.object.metadata.name === 'after-restart'));
    resumed.stop();
    const seen = resumed.events.map((e) => e.object.metadata.name);
    for (const name of expected) assert.ok(seen.includes(name), `resumed watch missed ${name}`);
    assert.equal(new Set(seen).size, seen.length, 'a resumed watch delivered an event twice');
    assert.ok(resumed.events.every((e) => Number(e.object.metadata.resourceVersion) > lastSeen));
  });
});
