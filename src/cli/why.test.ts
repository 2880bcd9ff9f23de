import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../controllers/endpointslice/types.js';
import { compareAddresses, explain, render } from './why.js';
import { plannedChecks } from './why-checks.js';
import { parseListeners, parseLoopback, parseNftTable } from './why-dataplane.js';
import { closestPods, describeMismatch, labelDiff, ownerOf, podCauses, similarNames } from './why-pods.js';
import { checkKey, type Check, type CheckResult, type NodeDataplane, type WhyContainer, type WhyFacts, type WhyPod, type WhyService } from './why-types.js';

interface PodOptions {
  labels?: Record<string, string>;
  ip?: string;
  ready?: boolean;
  node?: string;
  phase?: string;
  ports?: { name?: string; containerPort: number }[];
  container?: Partial<WhyContainer>;
  status?: NonNullable<NonNullable<WhyPod['status']>['containerStatuses']>[number];
  owner?: { kind: string; name: string };
}

function newPod(name: string, o: PodOptions = {}): WhyPod {
  const ready = o.ready ?? true;
  return {
    metadata: {
      name,
      namespace: 'example',
      labels: o.labels ?? { app: 'backend' },
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: 'u', controller: true }] } : {}),
    },
    spec: { nodeName: o.node ?? 'node-0', containers: [{ name: 'main', ports: o.ports ?? [{ name: 'http', containerPort: 5000 }], ...o.container }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.244.0.2', podIPs: [{ ip: o.ip ?? '10.244.0.2' }] }),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [o.status ?? { name: 'main', ready, state: { running: {} } }],
    },
  };
}

function newService(spec: NonNullable<WhyService['spec']> = {}): WhyService {
  return { metadata: { name: 'backend', namespace: 'example' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 5000, protocol: 'TCP' }], ...spec } };
}

function newSlice(ready: string[], notReady: string[] = [], port = 5000): EndpointSlice {
  return {
    metadata: { name: 'backend-abcde', namespace: 'example', labels: { 'kubernetes.io/service-name': 'backend' } },
    addressType: 'IPv4',
    ports: [{ name: '', port, protocol: 'TCP' }],
    endpoints: [...ready.map((ip) => ({ addresses: [ip], conditions: { ready: true } })), ...notReady.map((ip) => ({ addresses: [ip], conditions: { ready: false } }))],
  };
}

function newFacts(o: Partial<WhyFacts> & { root?: boolean; dataplane?: Map<string, NodeDataplane> } = {}): WhyFacts {
  const { root, ...rest } = o;
  return {
    namespace: 'example',
    name: 'backend',
    cluster: { dataDir: '/d', domain: 'cluster.local', dnsAddress: '127.0.0.1:5353', clusterDnsIP: '10.96.0.10', root: root ?? true },
    service: newService(),
    allServices: [],
    pods: [newPod('backend-1')],
    podsElsewhere: [],
    replicaSets: [],
    slices: [newSlice(['10.244.0.2'])],
    events: [],
    nodes: [{ name: 'node-0', address: '10.243.0.2', ready: true, netns: 'sbx-n0' }],
    dataplane: new Map([['node-0', nftWith({ '10.96.0.20 tcp 80': ['10.244.0.2:5000'] })]]),
    ...rest,
  };
}

function nftWith(ips: Record<string, string[]>, nodePorts: Record<string, string[]> = {}): NodeDataplane {
  const targets = (r: Record<string, string[]>) => new Map(Object.entries(r).map(([k, endpoints]) => [k, { chain: `svc-${k}`, endpoints }]));
  return { mode: 'nftables', serviceIps: targets(ips), nodePorts: targets(nodePorts), rejectedIps: new Set(), rejectedNodePorts: new Set() };
}

/** Every planned check answered: DNS with the cluster IP, connections and probes as `outcome`. */
function answers(f: WhyFacts, overrides: (c: Check) => CheckResult | undefined = () => undefined): Map<string, CheckResult> {
  return new Map(
    plannedChecks(f).map((c) => {
      const fallback: CheckResult = c.kind === 'dns' ? { outcome: 'ok', rcode: 'NOERROR', answers: ['A 10.96.0.20'] } : c.kind === 'http' ? { outcome: 'ok', status: 200 } : { outcome: 'ok' };
      return [checkKey(c), overrides(c) ?? fallback];
    }),
  );
}

describe('labels', () => {
  const cases: { name: string; selector: Record<string, string>; labels?: Record<string, string>; want: string }[] = [
    { name: 'a value differs', selector: { app: 'backend' }, labels: { app: 'backend-v2' }, want: 'pod p: app=backend-v2, the Service wants app=backend' },
    { name: 'a key is missing', selector: { app: 'web', tier: 'front' }, labels: { app: 'web' }, want: 'pod p: no label tier, the Service wants tier=front' },
    { name: 'both', selector: { app: 'web', tier: 'front' }, labels: { app: 'api' }, want: 'pod p: app=api, the Service wants app=web; no label tier, the Service wants tier=front' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(describeMismatch('p', labelDiff(c.selector, c.labels), c.selector), c.want));

  test('closest pods: most pairs matched first, matching pods left out', () => {
    const selector = { app: 'web', tier: 'front' };
    const pods = [newPod('far', { labels: { x: 'y' } }), newPod('near', { labels: { app: 'web', tier: 'back' } }), newPod('same', { labels: { app: 'web', tier: 'front' } })];
    assert.deepEqual(closestPods(selector, pods).map((c) => c.pod.metadata.name), ['near', 'far']);
  });

  test('similar names', () => {
    assert.deepEqual(similarNames('backend', ['backend-service', 'frontend', 'db', 'backnd']), ['backnd', 'backend-service']);
    assert.deepEqual(similarNames('db', ['cache', 'queue']), []);
  });

  test('the owner to fix: Deployment through its ReplicaSet, else the controller, else the pod', () => {
    const rs = [{ name: 'web-7d9c', owner: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd', controller: true } }];
    assert.equal(ownerOf(newPod('web-7d9c-x', { owner: { kind: 'ReplicaSet', name: 'web-7d9c' } }), rs), 'Deployment example/web (pod template)');
    assert.equal(ownerOf(newPod('db-0', { owner: { kind: 'StatefulSet', name: 'db' } }), rs), 'StatefulSet example/db (pod template)');
    assert.equal(ownerOf(newPod('solo'), rs), 'Pod example/solo');
  });
});

describe('why a pod is not ready', () => {
  const ctx = { owner: 'Deployment example/web (pod template)', events: [] };
  test('unknown image', () => {
    const pod = newPod('p', { ready: false, status: { name: 'main', ready: false, state: { waiting: { reason: 'ErrImagePull', message: 'image "nope" is not in the catalogue' } } } });
    const [cause] = podCauses(pod, ctx);
    assert.match(cause?.text ?? '', /waiting: ErrImagePull: image "nope"/);
    assert.match(cause?.fix ?? '', /^Deployment example\/web/);
  });
  test('crash loop with the last exit code', () => {
    const pod = newPod('p', { ready: false, status: { name: 'main', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 3, reason: 'Error' } } } });
    assert.match(podCauses(pod, ctx)[0]?.text ?? '', /crash-looping: last exit code 3 \(Error\), 4 restart/);
  });
  test('a failing readiness probe: the event and our own try', () => {
    const pod = newPod('p', { ready: false, container: { readinessProbe: { httpGet: { path: '/nothere', port: 'http' } } } });
    const events = [{ metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 404' }];
    const [cause] = podCauses(pod, { ...ctx, events, probeTry: () => ({ where: 'node-0', result: { outcome: 'ok', status: 404 } }) });
    assert.match(cause?.text ?? '', /readiness probe fails: httpGet http:\/\/:5000\/nothere \(port http\)/);
    assert.match(cause?.text ?? '', /Readiness probe failed: HTTP probe failed with statuscode: 404/);
    assert.match(cause?.fix ?? '', /path \/nothere answers 404/);
  });
  test('not scheduled', () => {
    const pod = newPod('p', { ready: false, phase: 'Pending', ip: '' });
    delete pod.spec?.nodeName;
    assert.match(podCauses(pod, ctx)[0]?.text ?? '', /Pending, not scheduled/);
  });
});

describe('reading a node dataplane', () => {
  test('nft -j list table: map entries and the DNATs their chains reach', () => {
    const json = {
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { map: { name: 'service-ips', elem: [[{ concat: ['10.96.0.20', 'tcp', 80] }, { goto: { target: 'svc-A' } }]] } },
        { map: { name: 'service-nodeports', elem: [[{ concat: ['tcp', 30080] }, { goto: { target: 'ext-A' } }]] } },
        { set: { name: 'no-endpoint-services', elem: [{ concat: ['10.96.0.30', 'tcp', 80] }] } },
        { set: { name: 'no-endpoint-nodeports' } },
        { rule: { chain: 'svc-A', expr: [{ match: {} }, { dnat: { addr: '10.244.0.2', port: 5000 } }] } },
        { rule: { chain: 'svc-A', expr: [{ dnat: { addr: '10.244.0.3', port: 5000 } }] } },
        { rule: { chain: 'ext-A', expr: [{ goto: { target: 'svc-A' } }] } },
      ],
    };
    const dp = parseNftTable(json);
    assert.deepEqual(dp.serviceIps.get('10.96.0.20 tcp 80'), { chain: 'svc-A', endpoints: ['10.244.0.2:5000', '10.244.0.3:5000'] });
    assert.deepEqual(dp.nodePorts.get('tcp 30080')?.endpoints, ['10.244.0.2:5000', '10.244.0.3:5000']);
    assert.ok(dp.rejectedIps.has('10.96.0.30 tcp 80'));
  });
  test('userspace: loopback addresses and listeners', () => {
    assert.deepEqual([...parseLoopback([{ addr_info: [{ family: 'inet', local: '127.0.0.1' }, { family: 'inet', local: '10.96.0.20' }, { family: 'inet6', local: '::1' }] }])], ['127.0.0.1', '10.96.0.20']);
    const ss = 'tcp   LISTEN 0  511  10.96.0.20:80  0.0.0.0:*\nudp   UNCONN 0  0  0.0.0.0:53 0.0.0.0:*\ntcp LISTEN 0 4096 [::]:22 [::]:*\n';
    assert.deepEqual([...parseListeners(ss)], ['tcp 10.96.0.20:80', 'udp *:53', 'tcp *:22']);
  });
});

describe('explain', () => {
  test('a healthy Service: every step ok, exit 0', () => {
    const f = newFacts();
    const r = explain(f, answers(f));
    assert.equal(r.exitCode, 0, render(r));
    assert.deepEqual(r.findings.filter((x) => x.mark === 'problem'), []);
    assert.match(r.verdict, /reaches 1 ready pod/);
  });

  test('wrong selector: the closest pod and the label that differs', () => {
    const f = newFacts({ pods: [newPod('backend-7d9c', { labels: { app: 'backend-v2' } })], slices: [newSlice([])] });
    const r = explain(f, answers(f));
    assert.equal(r.exitCode, 1);
    const text = render(r);
    assert.match(text, /selector app=backend matches no pod in namespace example/);
    assert.match(text, /pod backend-7d9c: app=backend-v2, the Service wants app=backend/);
    assert.match(text, /fix: Service example\/backend: set spec.selector to app=backend-v2/);
  });

  test('no pods here, but matching pods in another namespace', () => {
    const f = newFacts({ pods: [], slices: [newSlice([])], podsElsewhere: [{ ...newPod('b'), metadata: { name: 'b', namespace: 'other', labels: { app: 'backend' } } }] });
    const text = render(explain(f, answers(f)));
    assert.match(text, /the namespace has no pods/);
    assert.match(text, /other\/b/);
  });

  test('named targetPort that no pod has: which names they do have', () => {
    const f = newFacts({ service: newService({ ports: [{ port: 80, targetPort: 'web' }] }) });
    const r = explain(f, answers(f));
    assert.equal(r.exitCode, 1);
    assert.match(render(r), /targetPort "web" is no containerPort name on any matching pod \(backend-1 has http 5000\)/);
  });

  test('numeric targetPort where nothing listens', () => {
    const f = newFacts({ service: newService({ ports: [{ port: 80, targetPort: 5001 }] }) });
    const r = explain(f, answers(f, (c) => (c.kind === 'tcp' ? { outcome: 'refused' } : undefined)));
    assert.equal(r.exitCode, 1);
    assert.match(render(r), /nothing answers on 10.244.0.2:5001 \(backend-1\) connection refused \(the pods declare: http 5000\)/);
  });

  test('slices that differ from the ready pods are named', () => {
    assert.deepEqual(compareAddresses(['10.0.0.1', '10.0.0.9'], ['10.0.0.1', '10.0.0.2']), { missing: ['10.0.0.2'], extra: ['10.0.0.9'] });
    const f = newFacts({ slices: [newSlice(['10.244.0.9'])] });
    assert.match(render(explain(f, answers(f))), /ready pods missing from them: 10.244.0.2; ready on them but no ready matching pod: 10.244.0.9/);
  });

  test('DNS that answers another address is a problem', () => {
    const f = newFacts();
    const r = explain(f, answers(f, (c) => (c.kind === 'dns' ? { outcome: 'ok', rcode: 'NOERROR', answers: ['A 10.96.0.99'] } : undefined)));
    assert.equal(r.exitCode, 1);
    assert.match(render(r), /A answers 10.96.0.99, but the cluster IP is 10.96.0.20/);
  });

  test('a node that has not programmed the Service', () => {
    const f = newFacts({ dataplane: new Map([['node-0', nftWith({})]]) });
    const r = explain(f, answers(f));
    assert.equal(r.exitCode, 1);
    assert.match(render(r), /node-0 \(nftables\): 10.96.0.20:80\/TCP not programmed/);
  });

  test('without root: namespace steps are skipped with a note, no tests into the sandbox', () => {
    const f = newFacts({ root: false });
    assert.ok(plannedChecks(f).every((c) => c.where === 'host'));
    const r = explain(f, answers(f));
    assert.equal(r.exitCode, 0);
    assert.match(render(r), /needs root/);
  });

  test('a NodePort: where it answers, and the way in from the host', () => {
    const f = newFacts({
      service: newService({ type: 'NodePort', ports: [{ port: 80, targetPort: 5000, nodePort: 30120 }] }),
      dataplane: new Map([['node-0', nftWith({ '10.96.0.20 tcp 80': ['10.244.0.2:5000'] }, { 'tcp 30120': ['10.244.0.2:5000'] })]]),
    });
    const checks = plannedChecks(f);
    assert.ok(checks.some((c) => c.where === 'host' && c.host === '127.0.0.1' && c.port === 30120));
    assert.ok(checks.every((c) => c.where !== 'host' || c.host.startsWith('127.')), 'the host only tries loopback');
    const r = explain(f, answers(f, (c) => (c.where === 'host' && c.kind === 'tcp' ? { outcome: 'refused' } : undefined)));
    assert.equal(r.exitCode, 0, render(r));
    const text = render(r);
    assert.match(text, /NodePort 30120\/TCP answers on the node addresses inside the sandbox: 10.243.0.2:30120 \(node-0\); not on the host's 127.0.0.1:30120/);
    assert.match(text, /kubectl port-forward -n example svc\/backend 8080:80/);
  });

  test('NotFound: similar names here and the same name elsewhere', () => {
    const f = newFacts({ service: undefined, allServices: ['example/backend-svc', 'example/db', 'prod/backend'] });
    const r = explain(f, new Map());
    assert.equal(r.exitCode, 1);
    const text = render(r);
    assert.match(text, /NotFound/);
    assert.match(text, /similar names in namespace example: backend-svc/);
    assert.match(text, /a Service backend exists in: prod\/backend/);
  });

  test('ExternalName: the CNAME and whether its target resolves', () => {
    const f = newFacts({ service: newService({ type: 'ExternalName', externalName: 'db.other.svc.cluster.local', selector: null }) });
    const ok = explain(f, answers(f, (c) => (c.kind === 'dns' && c.name === 'db.other.svc.cluster.local' ? { outcome: 'ok', rcode: 'NOERROR', answers: ['A 10.96.0.40'] } : { outcome: 'ok', rcode: 'NOERROR', answers: ['CNAME db.other.svc.cluster.local'] })));
    assert.equal(ok.exitCode, 0, render(ok));
    assert.match(ok.verdict, /resolves to 10.96.0.40/);
    const bad = explain(f, answers(f, (c) => (c.kind === 'dns' && c.name === 'db.other.svc.cluster.local' ? { outcome: 'ok', rcode: 'NXDOMAIN', answers: [] } : undefined)));
    assert.equal(bad.exitCode, 1);
  });

  test('selectorless without Endpoints', () => {
    const f = newFacts({ service: newService({ selector: null }), slices: [] });
    const r = explain(f, answers(f));
    assert.equal(r.exitCode, 1);
    assert.match(render(r), /no Endpoints or EndpointSlice with addresses/);
  });
});
