import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { planNode, type Endpoint, type Protocol } from './planner.js';
import { tracePacket, type TraceResult } from './trace.js';

// A two-node cluster: node-a and node-b, pods in 10.244.0.0/16, Services in 10.96.0.0/12.
const clusterCidr = '10.244.0.0/16';
const nodeAddresses: Record<string, string> = { 'node-a': '192.168.50.10', 'node-b': '192.168.50.11' };
const outside = '203.0.113.7';
const podA = '10.244.0.50'; // a client pod on node-a
const podB = '10.244.1.50'; // a client pod on node-b

function newService(name: string, spec: Record<string, unknown>, extra: { namespace?: string; status?: unknown } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: extra.namespace ?? 'default', uid: `uid-${name}` },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
    ...(extra.status !== undefined ? { status: extra.status } : {}),
  };
}

interface EndpointOpts {
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

function ep(ip: string, opts: EndpointOpts = {}): Record<string, unknown> {
  const conditions: Record<string, boolean> = {};
  for (const k of ['ready', 'serving', 'terminating'] as const) if (opts[k] !== undefined) conditions[k] = opts[k];
  return { addresses: [ip], conditions, ...(opts.node ? { nodeName: opts.node } : {}) };
}

function newSlice(
  service: string,
  name: string,
  endpoints: Record<string, unknown>[],
  extra: { namespace?: string; ports?: { name?: string; port: number; protocol?: Protocol }[]; addressType?: string } = {},
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: extra.namespace ?? 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: extra.addressType ?? 'IPv4',
    ports: (extra.ports ?? [{ name: 'http', port: 8080 }]).map((p) => ({ protocol: 'TCP', ...p })),
    endpoints,
  };
}

const at = (ip: string, port = 8080): Endpoint => ({ ip, port });
const dnat = (endpoints: Endpoint[], masquerade: boolean): TraceResult => ({ verdict: 'dnat', endpoints, masquerade });
const pass: TraceResult = { verdict: 'pass' };
const reject: TraceResult = { verdict: 'reject' };
const drop: TraceResult = { verdict: 'drop' };

interface Connection {
  /** `ip:port`, e.g. `10.96.0.10:80`. */
  to: string;
  from: string;
  protocol?: Protocol;
  /** The node whose dataplane sees the packet first; default node-a. */
  node?: string;
  fromNode?: boolean;
}

function trace(services: KubeObject[], slices: KubeObject[], c: Connection): TraceResult {
  const node = c.node ?? 'node-a';
  const cut = c.to.lastIndexOf(':');
  const [dst, port] = [c.to.slice(0, cut), c.to.slice(cut + 1)];
  const plan = planNode(node, services, slices);
  return tracePacket(plan, {
    src: c.from,
    dst,
    port: Number(port),
    protocol: c.protocol ?? 'TCP',
    nodeAddresses: [nodeAddresses[node] ?? ''],
    clusterCidr,
    ...(c.fromNode ? { fromNode: true } : {}),
  });
}

interface Case {
  name: string;
  services: KubeObject[];
  slices: KubeObject[];
  connections: [Connection, TraceResult][];
  todo?: string;
}

const web = newService('web', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] });
const webSlice = newSlice('web', 'web-1', [ep('10.244.0.2', { node: 'node-a' }), ep('10.244.1.2', { node: 'node-b' })]);

const nodePortSpec = {
  type: 'NodePort',
  clusterIP: '10.96.0.20',
  ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
};
const lbStatus = { loadBalancer: { ingress: [{ ip: '198.51.100.5', ipMode: 'VIP' }] } };
const lbSpec = { ...nodePortSpec, type: 'LoadBalancer', clusterIP: '10.96.0.30', externalIPs: ['198.51.100.9'] };
// node-a has one ready endpoint, node-b none; a third node has one.
const spreadSlice = (svc: string): KubeObject =>
  newSlice(svc, `${svc}-1`, [ep('10.244.0.2', { node: 'node-a' }), ep('10.244.2.2', { node: 'node-c' })]);

const cases: Case[] = [
  {
    name: 'ClusterIP: ready endpoints on every node; masquerade only for sources outside the pod CIDR',
    services: [web],
    slices: [webSlice],
    connections: [
      [{ to: '10.96.0.10:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.1.2')], false)],
      [{ to: '10.96.0.10:80', from: podB, node: 'node-b' }, dnat([at('10.244.0.2'), at('10.244.1.2')], false)],
      [{ to: '10.96.0.10:80', from: '192.168.50.10', fromNode: true }, dnat([at('10.244.0.2'), at('10.244.1.2')], true)],
      [{ to: '10.96.0.10:80', from: outside }, dnat([at('10.244.0.2'), at('10.244.1.2')], true)],
      [{ to: '10.96.0.10:80', from: podA, protocol: 'UDP' }, reject],
      [{ to: '10.96.0.11:80', from: podA }, pass],
    ],
  },
  {
    name: 'ClusterIP: a pod reaching itself through its Service is masqueraded (hairpin)',
    services: [web],
    slices: [newSlice('web', 'web-1', [ep('10.244.0.2', { node: 'node-a' })])],
    connections: [
      [{ to: '10.96.0.10:80', from: '10.244.0.2' }, dnat([at('10.244.0.2')], true)],
      [{ to: '10.96.0.10:80', from: podA }, dnat([at('10.244.0.2')], false)],
    ],
  },
  {
    name: 'not-ready endpoints are left out (unset conditions mean ready)',
    services: [web],
    slices: [newSlice('web', 'web-1', [ep('10.244.0.2'), ep('10.244.0.3', { ready: false }), ep('10.244.0.4', { ready: true, serving: true, terminating: false })])],
    connections: [[{ to: '10.96.0.10:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.0.4')], false)]],
  },
  {
    name: 'a serving, terminating endpoint is not used while one is ready',
    services: [web],
    slices: [newSlice('web', 'web-1', [ep('10.244.0.2', { ready: true }), ep('10.244.0.3', { ready: false, serving: true, terminating: true })])],
    connections: [[{ to: '10.96.0.10:80', from: podA }, dnat([at('10.244.0.2')], false)]],
  },
  {
    name: 'none ready: fall back to the serving and terminating ones',
    services: [web],
    slices: [
      newSlice('web', 'web-1', [
        ep('10.244.0.2', { ready: false, serving: true, terminating: true }),
        ep('10.244.0.3', { ready: false, serving: false, terminating: true }),
        ep('10.244.0.4', { ready: false, serving: false, terminating: false }),
        ep('10.244.1.2', { ready: false, serving: true, terminating: true }),
      ]),
    ],
    connections: [[{ to: '10.96.0.10:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.1.2')], false)]],
  },
  {
    name: 'no usable endpoint: rejected on every address (cluster IP, NodePort, LoadBalancer, externalIP)',
    services: [newService('lb', lbSpec, { status: lbStatus }), web],
    slices: [newSlice('lb', 'lb-1', [ep('10.244.0.3', { ready: false, serving: false, terminating: true })]), newSlice('web', 'web-1', [])],
    connections: [
      [{ to: '10.96.0.30:80', from: podA }, reject],
      [{ to: '192.168.50.10:30080', from: outside }, reject],
      [{ to: '198.51.100.5:80', from: outside }, reject],
      [{ to: '198.51.100.9:80', from: podA }, reject],
      [{ to: '10.96.0.10:80', from: podA }, reject],
    ],
  },
  {
    name: 'a Service without any EndpointSlice is rejected',
    services: [web],
    slices: [],
    connections: [[{ to: '10.96.0.10:80', from: podA }, reject]],
  },
  {
    name: 'headless and ExternalName Services get no rules',
    services: [
      newService('headless', { clusterIP: 'None', clusterIPs: ['None'] }),
      newService('ext', { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] }),
    ],
    slices: [newSlice('headless', 'headless-1', [ep('10.244.0.2')]), newSlice('ext', 'ext-1', [ep('10.244.0.3')])],
    connections: [
      [{ to: '10.244.0.2:8080', from: podA }, pass],
      [{ to: '10.244.0.2:80', from: podA }, pass],
    ],
  },
  {
    name: 'named ports resolve per port name to the slice port',
    services: [
      newService('app', {
        clusterIP: '10.96.0.40',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
          { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 'prom' },
        ],
      }),
    ],
    slices: [
      newSlice('app', 'app-1', [ep('10.244.0.2'), ep('10.244.1.2')], {
        ports: [
          { name: 'metrics', port: 9100 },
          { name: 'http', port: 8080 },
        ],
      }),
      // Another slice where the named port resolved to another number.
      newSlice('app', 'app-2', [ep('10.244.1.3')], { ports: [{ name: 'http', port: 8081 }] }),
    ],
    connections: [
      [{ to: '10.96.0.40:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.1.2'), at('10.244.1.3', 8081)], false)],
      [{ to: '10.96.0.40:9090', from: podA }, dnat([at('10.244.0.2', 9100), at('10.244.1.2', 9100)], false)],
    ],
  },
  {
    name: 'one port number for TCP and UDP: each protocol to its own slice port',
    services: [
      newService('dns', {
        clusterIP: '10.96.0.53',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      }),
    ],
    slices: [
      newSlice('dns', 'dns-1', [ep('10.244.0.9')], {
        ports: [
          { name: 'dns', port: 1053, protocol: 'UDP' },
          { name: 'dns-tcp', port: 1054, protocol: 'TCP' },
        ],
      }),
    ],
    connections: [
      [{ to: '10.96.0.53:53', from: podA, protocol: 'UDP' }, dnat([at('10.244.0.9', 1053)], false)],
      [{ to: '10.96.0.53:53', from: podA, protocol: 'TCP' }, dnat([at('10.244.0.9', 1054)], false)],
      [{ to: '10.96.0.53:53', from: podA, protocol: 'SCTP' }, reject],
    ],
  },
  {
    name: 'a slice port of the same name but another protocol is not the Service port',
    services: [newService('u', { clusterIP: '10.96.0.54', ports: [{ name: 'p', port: 53, protocol: 'TCP' }] })],
    slices: [newSlice('u', 'u-1', [ep('10.244.0.9')], { ports: [{ name: 'p', port: 53, protocol: 'UDP' }] })],
    connections: [[{ to: '10.96.0.54:53', from: podA }, reject]],
  },
  {
    name: 'NodePort: on the node address, masqueraded, all endpoints; not on 127.0.0.1 nor other addresses',
    services: [newService('np', nodePortSpec)],
    slices: [spreadSlice('np')],
    connections: [
      [{ to: '192.168.50.10:30080', from: outside }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      [{ to: '192.168.50.11:30080', from: outside, node: 'node-b' }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      [{ to: '192.168.50.10:30080', from: podA }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      [{ to: '127.0.0.1:30080', from: '127.0.0.1', fromNode: true }, pass],
      [{ to: '192.168.50.11:30080', from: outside }, pass],
      [{ to: '192.168.50.10:30080', from: outside, protocol: 'UDP' }, pass],
      [{ to: '192.168.50.10:80', from: outside }, pass],
      [{ to: '10.96.0.20:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.2.2')], false)],
      [{ to: '10.96.0.20:30080', from: podA }, reject],
    ],
  },
  {
    name: 'LoadBalancer: the ingress IP and externalIPs, masqueraded; ClusterIP Services take externalIPs too',
    services: [newService('lb', lbSpec, { status: lbStatus }), newService('eip', { clusterIP: '10.96.0.60', externalIPs: ['198.51.100.60'] })],
    slices: [spreadSlice('lb'), spreadSlice('eip')],
    connections: [
      [{ to: '198.51.100.5:80', from: outside }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      [{ to: '198.51.100.9:80', from: outside }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      [{ to: '198.51.100.5:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      [{ to: '192.168.50.10:30080', from: outside }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      [{ to: '198.51.100.5:30080', from: outside }, pass],
      [{ to: '198.51.100.60:80', from: outside }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
    ],
  },
  {
    name: 'externalTrafficPolicy Local: from outside only this node’s endpoints, source kept; none here drops',
    services: [newService('lb', { ...lbSpec, externalTrafficPolicy: 'Local' }, { status: lbStatus })],
    slices: [spreadSlice('lb')],
    connections: [
      [{ to: '192.168.50.10:30080', from: outside }, dnat([at('10.244.0.2')], false)],
      [{ to: '198.51.100.5:80', from: outside }, dnat([at('10.244.0.2')], false)],
      [{ to: '198.51.100.9:80', from: outside }, dnat([at('10.244.0.2')], false)],
      [{ to: '192.168.50.11:30080', from: outside, node: 'node-b' }, drop],
      [{ to: '198.51.100.5:80', from: outside, node: 'node-b' }, drop],
      // Pods and the node itself get Cluster semantics; the node's own traffic is masqueraded.
      [{ to: '198.51.100.5:80', from: podB, node: 'node-b' }, dnat([at('10.244.0.2'), at('10.244.2.2')], false)],
      [{ to: '192.168.50.11:30080', from: podB, node: 'node-b' }, dnat([at('10.244.0.2'), at('10.244.2.2')], false)],
      [{ to: '192.168.50.11:30080', from: '192.168.50.11', node: 'node-b', fromNode: true }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
      // The cluster IP is internal traffic: Cluster policy.
      [{ to: '10.96.0.30:80', from: podB, node: 'node-b' }, dnat([at('10.244.0.2'), at('10.244.2.2')], false)],
    ],
  },
  {
    name: 'externalTrafficPolicy Local: local endpoints fall back to serving+terminating on their own',
    services: [newService('np', { ...nodePortSpec, externalTrafficPolicy: 'Local' })],
    slices: [newSlice('np', 'np-1', [ep('10.244.0.2', { node: 'node-a', ready: false, serving: true, terminating: true }), ep('10.244.1.2', { node: 'node-b' })])],
    connections: [
      [{ to: '192.168.50.10:30080', from: outside }, dnat([at('10.244.0.2')], false)],
      [{ to: '192.168.50.10:30080', from: podA }, dnat([at('10.244.1.2')], false)],
    ],
  },
  {
    name: 'externalTrafficPolicy Local on a ClusterIP Service with externalIPs',
    services: [newService('eip', { clusterIP: '10.96.0.60', externalIPs: ['198.51.100.60'], externalTrafficPolicy: 'Local' })],
    slices: [spreadSlice('eip')],
    connections: [
      [{ to: '198.51.100.60:80', from: outside }, dnat([at('10.244.0.2')], false)],
      [{ to: '198.51.100.60:80', from: outside, node: 'node-b' }, drop],
    ],
  },
  {
    name: 'internalTrafficPolicy Local: cluster IP to this node’s endpoints only (none here drops); NodePort keeps Cluster',
    services: [newService('np', { ...nodePortSpec, internalTrafficPolicy: 'Local' })],
    slices: [spreadSlice('np')],
    connections: [
      [{ to: '10.96.0.20:80', from: podA }, dnat([at('10.244.0.2')], false)],
      [{ to: '10.96.0.20:80', from: '192.168.50.10', fromNode: true }, dnat([at('10.244.0.2')], true)],
      [{ to: '10.96.0.20:80', from: podB, node: 'node-b' }, drop],
      [{ to: '192.168.50.11:30080', from: outside, node: 'node-b' }, dnat([at('10.244.0.2'), at('10.244.2.2')], true)],
    ],
  },
  {
    name: 'both traffic policies Local',
    services: [newService('np', { ...nodePortSpec, internalTrafficPolicy: 'Local', externalTrafficPolicy: 'Local' })],
    slices: [spreadSlice('np')],
    connections: [
      [{ to: '10.96.0.20:80', from: podA }, dnat([at('10.244.0.2')], false)],
      [{ to: '192.168.50.10:30080', from: outside }, dnat([at('10.244.0.2')], false)],
      [{ to: '10.96.0.20:80', from: podB, node: 'node-b' }, drop],
      [{ to: '192.168.50.11:30080', from: outside, node: 'node-b' }, drop],
      [{ to: '192.168.50.11:30080', from: podB, node: 'node-b' }, dnat([at('10.244.0.2'), at('10.244.2.2')], false)],
    ],
  },
  {
    name: 'an endpoint listed in two slices is used once',
    services: [web],
    slices: [newSlice('web', 'web-1', [ep('10.244.0.2'), ep('10.244.1.2')]), newSlice('web', 'web-2', [ep('10.244.1.2'), ep('10.244.1.3')])],
    connections: [[{ to: '10.96.0.10:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.1.2'), at('10.244.1.3')], false)]],
  },
  {
    name: 'slices of other Services (also of the same name in another namespace) are ignored',
    services: [web],
    slices: [
      webSlice,
      newSlice('other', 'other-1', [ep('10.244.0.7')]),
      newSlice('web', 'web-x', [ep('10.244.0.8')], { namespace: 'elsewhere' }),
      { ...newSlice('web', 'unlabelled', [ep('10.244.0.9')]), metadata: { name: 'unlabelled', namespace: 'default' } },
    ],
    connections: [[{ to: '10.96.0.10:80', from: podA }, dnat([at('10.244.0.2'), at('10.244.1.2')], false)]],
  },
  {
    name: 'IPv6 slices are ignored',
    services: [newService('dual', { clusterIP: '10.96.0.70', clusterIPs: ['10.96.0.70', 'fd00:10:96::70'], ipFamilies: ['IPv4', 'IPv6'] })],
    slices: [newSlice('dual', 'dual-v4', [ep('10.244.0.2')]), newSlice('dual', 'dual-v6', [ep('fd00:10:244::2')], { addressType: 'IPv6' })],
    connections: [
      [{ to: '10.96.0.70:80', from: podA }, dnat([at('10.244.0.2')], false)],
      [{ to: 'fd00:10:96::70:80', from: podA }, pass],
    ],
  },
  {
    name: 'a cluster IP on a port the Service does not have is rejected',
    services: [web],
    slices: [webSlice],
    connections: [[{ to: '10.96.0.10:81', from: podA }, reject]],
  },
  {
    name: 'a LoadBalancer ingress IP with ipMode Proxy is not captured',
    services: [newService('lb', lbSpec, { status: { loadBalancer: { ingress: [{ ip: '198.51.100.5', ipMode: 'Proxy' }] } } })],
    slices: [spreadSlice('lb')],
    connections: [[{ to: '198.51.100.5:80', from: outside }, pass]],
  },
];

describe('service proxy: where a connection lands', () => {
  for (const c of cases) {
    test(c.name, c.todo ? { todo: c.todo } : {}, () => {
      for (const [conn, want] of c.connections) {
        assert.deepEqual(trace(c.services, c.slices, conn), want, `${conn.protocol ?? 'TCP'} ${conn.from} -> ${conn.to} on ${conn.node ?? 'node-a'}`);
      }
    });
  }
});

describe('planNode', () => {
  test('ClientIP session affinity: 10800 s by default, the configured timeout otherwise, 0 without', () => {
    const services = [
      newService('none', { clusterIP: '10.96.1.1' }),
      newService('default', { clusterIP: '10.96.1.2', sessionAffinity: 'ClientIP' }),
      newService('custom', { clusterIP: '10.96.1.3', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }),
    ];
    const plan = planNode('node-a', services, services.map((s) => newSlice(s.metadata.name ?? '', `${s.metadata.name}-1`, [ep('10.244.0.2')])));
    assert.deepEqual(
      plan.services.map((sp) => [sp.name, sp.affinitySeconds]),
      [['custom', 60], ['default', 10800], ['none', 0]],
    );
  });

  test('headless and ExternalName Services have no entries', () => {
    const services = [
      newService('headless', { clusterIP: 'None', clusterIPs: ['None'] }),
      newService('ext', { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] }),
    ];
    assert.deepEqual(planNode('node-a', services, [newSlice('headless', 'h-1', [ep('10.244.0.2')])]).services, []);
  });

  test('one entry per Service port, ids namespace/name:port/protocol, in a stable order', () => {
    const services = [
      newService('dns', { clusterIP: '10.96.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }, { namespace: 'kube-system' }),
      newService('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] }),
    ];
    const ids = planNode('node-a', services, []).services.map((sp) => sp.id);
    assert.deepEqual(ids, ['default/web:/TCP', 'kube-system/dns:dns-tcp/TCP', 'kube-system/dns:dns/UDP']);
    assert.deepEqual(planNode('node-a', [...services].reverse(), []), planNode('node-a', services, []));
  });

  test('the plan says which policy applies and keeps the address lists', () => {
    const [sp] = planNode('node-b', [newService('lb', { ...lbSpec, externalTrafficPolicy: 'Local' }, { status: lbStatus })], [spreadSlice('lb')]).services;
    assert.ok(sp);
    assert.deepEqual(sp.clusterIPs, ['10.96.0.30']);
    assert.deepEqual(sp.externalIPs, ['198.51.100.5', '198.51.100.9']);
    assert.equal(sp.nodePort, 30080);
    assert.equal(sp.externalLocal, true);
    assert.deepEqual(sp.externalEndpoints, []);
    assert.deepEqual(sp.clusterEndpoints, [at('10.244.0.2'), at('10.244.2.2')]);
  });
});
