import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Endpoint, NodePlan, ServicePortPlan } from './planner.js';
import { buildModel, renderDiff, renderFull, renderNodePlan } from './nft.js';
import { sandboxSkipReason } from '../sandbox/testing.js';
import { mustRun as must } from '../sandbox/run.js';

const skip = sandboxSkipReason();
const opts = { clusterCidr: '10.244.0.0/16' };

/** A Service port with Cluster policies (one endpoint list for every kind of traffic). */
function servicePort(name: string, endpoints: Endpoint[], o: Partial<ServicePortPlan> = {}): ServicePortPlan {
  const protocol = o.protocol ?? 'TCP';
  return {
    id: `default/${name}:http/${protocol}`,
    namespace: 'default',
    name,
    portName: 'http',
    protocol,
    clusterIPs: [],
    port: 80,
    nodePort: 0,
    externalIPs: [],
    internalEndpoints: endpoints,
    internalLocal: false,
    clusterEndpoints: endpoints,
    externalEndpoints: endpoints,
    externalLocal: false,
    affinitySeconds: 0,
    ...o,
  };
}

const two: Endpoint[] = [
  { ip: '10.244.0.2', port: 8080 },
  { ip: '10.244.1.2', port: 8080 },
];
const local: Endpoint[] = [{ ip: '10.244.0.2', port: 8080 }];

const fixture: NodePlan = {
  node: 'node-a',
  services: [
    servicePort('web', two, { clusterIPs: ['10.96.0.10'] }),
    servicePort('dns', [{ ip: '10.244.0.9', port: 1053 }], { id: 'default/dns:dns/UDP', portName: 'dns', protocol: 'UDP', port: 53, clusterIPs: ['10.96.0.53'] }),
    servicePort('np', two, { clusterIPs: ['10.96.0.20'], nodePort: 30080, externalEndpoints: local, externalLocal: true, affinitySeconds: 60 }),
    servicePort('lb', [], { clusterIPs: ['10.96.0.30'], externalIPs: ['198.51.100.5'], nodePort: 30090 }),
    servicePort('itp', two, { clusterIPs: ['10.96.0.40'], internalEndpoints: [], internalLocal: true }),
  ],
};

/** The elements of a set or map in a script or a listing (`nft list` may quote chain names). */
function elements(text: string, name: string): string[] {
  const m = new RegExp(`(?:map|set) ${name} \\{[^}]*?elements = \\{([^}]*)\\}`).exec(text);
  return m?.[1] ? m[1].split(',').map((e) => e.replace(/\s+/g, ' ').replace(/"/g, '').trim()) : [];
}

const keys = (list: string[]): string[] => list.map((e) => e.replace(/ : goto ([a-z]+)-.*$/, ' -> $1')).sort();

const wantServiceIps = ['10.96.0.10 . tcp . 80 -> svc', '10.96.0.20 . tcp . 80 -> svc', '10.96.0.40 . tcp . 80 -> svc', '10.96.0.53 . udp . 53 -> svc'];

describe('renderNodePlan', () => {
  test('maps each address to its entry chain; Services without endpoints go to the reject sets', () => {
    const script = renderNodePlan(fixture, opts);
    assert.deepEqual(keys(elements(script, 'service-ips')), wantServiceIps);
    assert.deepEqual(keys(elements(script, 'service-nodeports')), ['tcp . 30080 -> ext']);
    assert.deepEqual(elements(script, 'no-endpoint-services').sort(), ['10.96.0.30 . tcp . 80', '198.51.100.5 . tcp . 80']);
    assert.deepEqual(elements(script, 'no-endpoint-nodeports'), ['tcp . 30090']);
    assert.match(script, /timeout 60s/);
    assert.equal(renderNodePlan(fixture, opts), script, 'the same plan renders the same script');
  });

  test('an empty plan renders the table with empty maps', () => {
    const script = renderNodePlan({ node: 'node-a', services: [] }, opts);
    for (const name of ['service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports']) assert.deepEqual(elements(script, name), []);
    assert.match(script, /^add table ip switchboard\ndelete table ip switchboard\n/);
  });
});

/** 10,000 ClusterIP Services with 2 endpoints each. */
function bigPlan(): NodePlan {
  const ip = (base: number, n: number): string => [24, 16, 8, 0].map((shift) => ((base + n) >>> shift) & 255).join('.');
  const services: ServicePortPlan[] = [];
  for (let i = 0; i < 10_000; i++) {
    const eps = [1, 2].map((k) => ({ ip: ip(0x0af40000, 2 * i + k), port: 8080 }));
    services.push(servicePort(`svc-${i}`, eps, { clusterIPs: [ip(0x0a600000, i + 1)] }));
  }
  return { node: 'node-a', services };
}

describe('the rendered table in a network namespace', { skip }, () => {
  const ns = `sbt-nft-${process.pid}`;
  const inNs = ['--net=/run/netns/' + ns, '--'];
  const nft = (args: string[], input?: string): Promise<string> => must('nsenter', [...inNs, 'nft', ...args], input);

  before(async () => {
    await must('ip', ['netns', 'add', ns]);
  });

  after(async () => {
    if (existsSync(`/run/netns/${ns}`)) await must('ip', ['netns', 'delete', ns]);
  });

  test('applies, and applies again as a replacement', async () => {
    const script = renderNodePlan(fixture, opts);
    await nft(['-f', '-'], script);
    const first = await nft(['list', 'table', 'ip', 'switchboard']);
    await nft(['-f', '-'], script);
    const second = await nft(['list', 'table', 'ip', 'switchboard']);
    assert.equal(second, first);
    assert.deepEqual(keys(elements(second, 'service-ips')), wantServiceIps);
    assert.deepEqual(keys(elements(second, 'service-nodeports')), ['tcp . 30080 -> ext']);
    assert.deepEqual(elements(second, 'no-endpoint-services').sort(), ['10.96.0.30 . tcp . 80', '198.51.100.5 . tcp . 80']);
    assert.deepEqual(elements(second, 'no-endpoint-nodeports'), ['tcp . 30090']);
  });

  test('an empty plan applies and leaves empty maps', async () => {
    await nft(['-f', '-'], renderNodePlan({ node: 'node-a', services: [] }, opts));
    const listing = await nft(['list', 'table', 'ip', 'switchboard']);
    for (const name of ['service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports']) {
      assert.match(listing, new RegExp(`(map|set) ${name} \\{`));
      assert.deepEqual(elements(listing, name), []);
    }
  });

  test('10,000 Services render and apply in one transaction; one changed Service is one small transaction', async () => {
    const plan = bigPlan();
    let t = performance.now();
    const script = renderNodePlan(plan, opts);
    const renderMs = performance.now() - t;
    t = performance.now();
    await nft(['-f', '-'], script);
    const applyMs = performance.now() - t;
    console.log(`10000 Services, 20000 endpoints: ${script.split('\n').length} lines rendered in ${renderMs.toFixed(0)} ms, applied in ${applyMs.toFixed(0)} ms`);
    const map = await nft(['list', 'map', 'ip', 'switchboard', 'service-ips']);
    assert.equal(map.match(/: goto /g)?.length, 10_000);
    // One Service gets a third endpoint: only its chain changes.
    const changed: NodePlan = { ...plan, services: plan.services.map((sp, i) => (i === 5000 ? { ...sp, clusterEndpoints: [...sp.clusterEndpoints, { ip: '10.250.0.1', port: 8080 }], internalEndpoints: [...sp.clusterEndpoints, { ip: '10.250.0.1', port: 8080 }] } : sp)) };
    t = performance.now();
    const diff = renderDiff(buildModel(plan, opts), buildModel(changed, opts));
    const diffMs = performance.now() - t;
    t = performance.now();
    await nft(['-f', '-'], diff);
    const diffApplyMs = performance.now() - t;
    console.log(`one changed Service among 10000: ${diff.split('\n').length - 1} commands, found in ${diffMs.toFixed(0)} ms, applied in ${diffApplyMs.toFixed(0)} ms`);
    assert.ok(diff.split('\n').length < 8, diff);
    assert.match(await nft(['list', 'table', 'ip', 'switchboard']), /dnat to 10\.250\.0\.1:8080/);
  });

  test('an incremental update leaves the same table as a whole replacement', async () => {
    const after: NodePlan = {
      node: 'node-a',
      services: [
        // web: one endpoint fewer; dns: gone; np: affinity off; lb: now has an endpoint; new: added.
        servicePort('web', [two[0] as Endpoint], { clusterIPs: ['10.96.0.10'] }),
        servicePort('np', two, { clusterIPs: ['10.96.0.20'], nodePort: 30080, externalEndpoints: local, externalLocal: true }),
        servicePort('lb', two, { clusterIPs: ['10.96.0.30'], externalIPs: ['198.51.100.5'], nodePort: 30090 }),
        servicePort('itp', two, { clusterIPs: ['10.96.0.40'], internalEndpoints: [], internalLocal: true }),
        servicePort('new', local, { clusterIPs: ['10.96.0.50'] }),
      ],
    };
    /** A listing as sorted chain blocks and sorted elements (creation order differs between the two). */
    const normal = (listing: string): string[] =>
      listing
        .split(/\n(?=\t(?:chain|map|set) )/)
        .map((block) => block.replace(/elements = \{([^}]*)\}/, (_m, els: string) => `elements = { ${els.split(',').map((e) => e.trim()).sort().join(', ')} }`).trim())
        .sort();
    await nft(['-f', '-'], renderFull(buildModel(fixture, opts)));
    await nft(['-f', '-'], renderDiff(buildModel(fixture, opts), buildModel(after, opts)));
    const incremental = normal(await nft(['list', 'table', 'ip', 'switchboard']));
    await nft(['-f', '-'], renderFull(buildModel(after, opts)));
    const whole = normal(await nft(['list', 'table', 'ip', 'switchboard']));
    assert.deepEqual(incremental, whole);
    assert.equal(renderDiff(buildModel(after, opts), buildModel(after, opts)), '', 'no change, no commands');
  });
});
