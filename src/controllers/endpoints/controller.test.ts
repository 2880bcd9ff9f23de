import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/status.js';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import { createNamespace, createNode, createRunningPod, createService, eventually, info, setPodStatus } from '../endpointslice/testing-api.js';
import type { Endpoints, Pod } from '../endpointslice/types.js';
import type { Controller } from '../types.js';
import { startEndpointsController } from './controller.js';

const ns = 'legacy';

describe('Endpoints controller against the API server', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controller: Controller;

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    controller = startEndpointsController({}, { client: api.client, informers: factory, log: silentLogger(), clock: systemClock });
    await factory.start();
    await controller.ready;
    await createNamespace(api.client, ns);
    await createNode(api.client, 'node-1');
  });

  after(async () => {
    await controller.stop();
    await api.stop();
  });

  async function getEndpoints(name: string): Promise<Endpoints | undefined> {
    try {
      return await api.client.get<Endpoints>(info.endpoints, ns, name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  function summary(ep: Endpoints | undefined): string {
    return (ep?.subsets ?? [])
      .map((s) => `${(s.addresses ?? []).map((a) => a.ip).join(',')}|${(s.notReadyAddresses ?? []).map((a) => a.ip).join(',')}|${(s.ports ?? []).map((p) => p.port).join(',')}`)
      .join(' ');
  }

  function endpointsLike(name: string, want: string): Promise<Endpoints> {
    return eventually(`Endpoints ${name} = ${want}`, async () => {
      const ep = await getEndpoints(name);
      return ep && summary(ep) === want ? ep : undefined;
    });
  }

  test('follows pods, readiness and the selector; recreated if deleted; deleted with the Service', async () => {
    await createService(api.client, ns, { name: 'web', selector: { app: 'web' }, labels: { team: 'blue' } });
    await createRunningPod(api.client, ns, { name: 'a', ip: '10.1.0.1', labels: { app: 'web' } });
    await createRunningPod(api.client, ns, { name: 'b', ip: '10.1.0.2', labels: { app: 'web' } });
    const ep = await endpointsLike('web', '10.1.0.1,10.1.0.2||8080');
    assert.equal(ep.metadata.labels?.team, 'blue');
    assert.equal(ep.subsets?.[0]?.addresses?.[0]?.targetRef?.name, 'a');
    assert.equal(ep.subsets?.[0]?.addresses?.[0]?.nodeName, 'node-1');
    assert.ok(ep.metadata.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"], JSON.stringify(ep.metadata));

    await setPodStatus(api.client, await api.client.get<Pod>(info.pods, ns, 'b'), { ip: '10.1.0.2', ready: false });
    await endpointsLike('web', '10.1.0.1|10.1.0.2|8080');

    await createRunningPod(api.client, ns, { name: 'c', ip: '10.1.0.3', labels: { app: 'other' } });
    await api.client.patch(info.services, ns, 'web', 'merge', { spec: { selector: { app: 'other' } } });
    await endpointsLike('web', '10.1.0.3||8080');

    await api.client.delete(info.endpoints, ns, 'web');
    await endpointsLike('web', '10.1.0.3||8080');

    await api.client.delete(info.services, ns, 'web');
    await eventually('Endpoints gone', async () => ((await getEndpoints('web')) === undefined ? true : undefined));
  });

  test('user-made Endpoints of a selectorless Service are left alone', async () => {
    await createService(api.client, ns, { name: 'external' });
    await api.client.create(info.endpoints, ns, {
      metadata: { name: 'external' },
      subsets: [{ addresses: [{ ip: '192.168.9.9' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
    });
    // Give the controller a chance to (wrongly) act, then check nothing changed.
    await createRunningPod(api.client, ns, { name: 'x', ip: '10.1.0.9', labels: { app: 'x' } });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(summary(await getEndpoints('external')), '192.168.9.9||80');
  });
});
