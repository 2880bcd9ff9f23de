/** The cluster DNS through real dig (UDP and TCP) on the loopback listener `up` reports. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kok } from '../controllers/kube.js';

const skip = skipUnless('kubectl') || skipUnless('dig');

describe('cluster DNS with dig', { skip }, () => {
  let c: Cluster;
  let host = '';
  let port = '';
  const dig = async (args: string[]): Promise<string> => {
    const r = await run('dig', [`@${host}`, '-p', port, '+time=2', '+tries=1', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  before(async () => {
    c = await startCluster(['--simulated-nodes', '1']);
    const status = JSON.parse(readFileSync(join(c.dataDir, 'status.json'), 'utf8')) as { dns: string };
    [host, port] = status.dns.split(':') as [string, string];
    await kok(c, ['create', 'namespace', 'example']);
    await kok(c, ['create', 'deployment', 'backend', '--image=x', '--replicas=2', '-n', 'example']);
    await kok(c, ['expose', 'deployment', 'backend', '--port=5000', '--name=backend-service', '-n', 'example']);
    await kok(c, ['expose', 'deployment', 'backend', '--port=5000', '--cluster-ip=None', '--name=backend-headless', '-n', 'example']);
  });
  after(async () => c?.stop());

  for (const transport of ['+notcp', '+tcp']) {
    test(`kubernetes and a Service resolve to their cluster IPs (${transport})`, async () => {
      assert.equal((await dig([transport, '+short', 'kubernetes.default.svc.cluster.local'])).trim(), '10.96.0.1');
      const ip = (await kok(c, ['get', 'svc', 'backend-service', '-n', 'example', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      await eventually('service answer', async () => ((await dig([transport, '+short', 'backend-service.example.svc.cluster.local'])).trim() === ip ? true : undefined));
    });
  }

  test('a headless Service answers every ready pod; names that do not exist are NXDOMAIN with the SOA', async () => {
    const ips = (await kok(c, ['get', 'pods', '-n', 'example', '-l', 'app=backend', '-o', 'jsonpath={.items[*].status.podIP}'])).trim().split(/\s+/).sort();
    await eventually('headless answer', async () => {
      const got = (await dig(['+short', 'backend-headless.example.svc.cluster.local'])).trim().split('\n').sort();
      return got.join() === ips.join() && ips.length === 2 ? true : undefined;
    });
    const miss = await dig(['nothing.example.svc.cluster.local']);
    assert.match(miss, /status: NXDOMAIN/);
    assert.match(miss, /AUTHORITY SECTION:\ncluster\.local\.\s+\d+\s+IN\s+SOA/);
    const nodata = await dig(['example.svc.cluster.local']);
    assert.match(nodata, /status: NOERROR/);
    assert.match(nodata, /ANSWER: 0/);
  });

  test('deleting a Service gives NXDOMAIN; the loopback listener resolves nothing outside the cluster', async () => {
    await kok(c, ['delete', 'svc', 'backend-service', '-n', 'example']);
    await eventually('NXDOMAIN after delete', async () => (/status: NXDOMAIN/.test(await dig(['backend-service.example.svc.cluster.local'])) ? true : undefined));
    assert.match(await dig(['example.com']), /status: REFUSED/);
  });
});
