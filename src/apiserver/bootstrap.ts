/**
 * What every cluster has from the start: the system namespaces, and the `default/kubernetes`
 * Service on the first address of the service range with Endpoints and an EndpointSlice
 * pointing at the API server. Also repairs the allocation records against the Services
 * that exist, so a crash between allocating and storing leaks nothing.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import { isStatusError } from '../api/status.js';
import type { KubeObject } from '../api/types.js';
import type { Logger } from '../lib/log.js';
import type { Registry, WriteOptions } from './registry.js';
import type { WatchCache } from './cache.js';
import type { Allocator, Owner } from './services/allocator.js';

export interface BootstrapConfig {
  kubernetesServiceIP: string;
  advertiseAddress: string;
  securePort: number;
}

const systemWrite: WriteOptions = { dryRun: false, fieldManager: 'switchboard-apiserver', fieldValidation: 'Ignore' };

function info(plural: string, group = ''): ResourceInfo {
  const r = findResource(group, plural);
  if (!r) throw new Error(`unknown resource ${plural}`);
  return r;
}

async function ensure(registry: Registry, r: ResourceInfo, obj: KubeObject): Promise<void> {
  try {
    await registry.create(r, obj, { ...systemWrite, namespace: obj.metadata.namespace });
  } catch (err) {
    if (!isStatusError(err, 'AlreadyExists')) throw err;
  }
}

/** Keeps an object's content as wanted (creating it when missing). */
async function reconcile(registry: Registry, r: ResourceInfo, obj: KubeObject, fields: string[]): Promise<void> {
  try {
    await registry.update(r, obj.metadata.name as string, { ...systemWrite, namespace: obj.metadata.namespace }, (current) => {
      const next = { ...current };
      for (const f of fields) next[f] = obj[f];
      return next;
    });
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
    await ensure(registry, r, obj);
  }
}

export async function bootstrapCluster(registry: Registry, config: BootstrapConfig): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(registry, info('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const port = { name: 'https', port: 443, protocol: 'TCP', targetPort: config.securePort };
  await ensure(registry, info('services'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: config.kubernetesServiceIP, ports: [port], sessionAffinity: 'None' },
  });
  const endpointPort = { name: 'https', port: config.securePort, protocol: 'TCP' };
  await reconcile(
    registry,
    info('endpoints'),
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: config.advertiseAddress }], ports: [endpointPort] }],
    },
    ['subsets'],
  );
  await reconcile(
    registry,
    info('endpointslices', 'discovery.k8s.io'),
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [config.advertiseAddress], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [endpointPort],
    },
    ['endpoints', 'ports', 'addressType'],
  );
}

interface ServiceValues {
  clusterIPs: Map<string, Owner>;
  nodePorts: Map<string, Owner>;
}

function valuesInUse(services: KubeObject[]): ServiceValues {
  const clusterIPs = new Map<string, Owner>();
  const nodePorts = new Map<string, Owner>();
  for (const svc of services) {
    const owner = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '' };
    const spec = (svc.spec ?? {}) as { clusterIP?: string; type?: string; ports?: { nodePort?: number }[]; healthCheckNodePort?: number };
    if (spec.clusterIP && spec.clusterIP !== 'None' && spec.type !== 'ExternalName') clusterIPs.set(spec.clusterIP, owner);
    for (const p of spec.ports ?? []) if (p.nodePort) nodePorts.set(String(p.nodePort), owner);
    if (spec.healthCheckNodePort) nodePorts.set(String(spec.healthCheckNodePort), owner);
  }
  return { clusterIPs, nodePorts };
}

/** Brings allocation records in line with the Services in the store (run at start). */
export async function repairAllocations(args: {
  cache: WatchCache;
  clusterIPs: Allocator;
  nodePorts: Allocator;
  log: Logger;
}): Promise<void> {
  const inUse = valuesInUse(args.cache.list('services'));
  const pairs: [Allocator, Map<string, Owner>][] = [
    [args.clusterIPs, inUse.clusterIPs],
    [args.nodePorts, inUse.nodePorts],
  ];
  for (const [allocator, wanted] of pairs) {
    const recorded = await allocator.load();
    for (const [value, owner] of recorded) {
      const user = wanted.get(value);
      if (!user || user.namespace !== owner.namespace || user.name !== owner.name) {
        args.log.info({ value, owner }, 'releasing leaked allocation');
        await allocator.release(value);
      }
    }
    for (const [value, owner] of wanted) {
      if (!recorded.has(value)) {
        try {
          await allocator.allocate(value, owner);
        } catch (err) {
          args.log.warn({ value, err: String(err) }, 'could not record an allocation in use');
        }
      }
    }
  }
}
