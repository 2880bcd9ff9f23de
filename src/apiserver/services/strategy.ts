/**
 * The Service strategy: cluster IPs and node ports are allocated when a Service is created,
 * carried over on updates, allocated or released when its type or ports change, and
 * released when it is deleted.
 */
import { errors } from '../../api/status.js';
import { fieldErrors, type FieldError } from '../../api/field.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { ResourceStrategy, Rollback } from '../hooks.js';
import { Allocator, AllocatorError, type Owner } from './allocator.js';

export interface ServiceAllocators {
  clusterIPs: Allocator;
  nodePorts: Allocator;
  serviceCidr: string;
  nodePortRange: string;
}

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  externalIPs?: string[];
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
}

function specOf(svc: KubeObject): ServiceSpec {
  if (!isRecord(svc.spec)) svc.spec = {};
  return svc.spec as ServiceSpec;
}

function ownerOf(svc: KubeObject): Owner {
  return { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '' };
}

function hasClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** Reachable from outside the cluster: NodePort, LoadBalancer, or external IPs. */
function externallyAccessible(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer' || ((spec.type ?? 'ClusterIP') === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
}

function needsHealthCheckPort(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

function nodePortsOf(spec: ServiceSpec): number[] {
  const ports = (spec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => typeof p === 'number' && p > 0);
  if (needsHealthCheckPort(spec) && spec.healthCheckNodePort) ports.push(spec.healthCheckNodePort);
  return [...new Set(ports)];
}

export function serviceStrategy(a: ServiceAllocators): ResourceStrategy {
  const invalid = (svc: KubeObject, errs: FieldError[]) => errors.invalid('Service', '', svc.metadata.name ?? '', errs);

  async function allocateIP(svc: KubeObject, undo: Rollback[]): Promise<void> {
    const spec = specOf(svc);
    if (spec.type === 'ExternalName') return;
    if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    } else {
      const requested = spec.clusterIP || spec.clusterIPs?.[0];
      try {
        if (requested) await a.clusterIPs.allocate(requested, ownerOf(svc));
        const ip = requested || (await a.clusterIPs.allocateNext(ownerOf(svc)));
        undo.push(() => a.clusterIPs.release(ip));
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      } catch (err) {
        if (!(err instanceof AllocatorError)) throw err;
        throw invalid(svc, [ipError(err, a.serviceCidr)]);
      }
    }
    spec.ipFamilies = ['IPv4'];
    spec.ipFamilyPolicy = spec.ipFamilyPolicy ?? 'SingleStack';
  }

  async function allocatePorts(svc: KubeObject, keep: Set<number>, undo: Rollback[]): Promise<void> {
    const spec = specOf(svc);
    if (!needsNodePorts(spec)) {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
    const mine = new Map<number, boolean>();
    const ports = needsNodePorts(spec) ? (spec.ports ?? []) : [];
    for (const [i, port] of ports.entries()) {
      try {
        if (port.nodePort) {
          if (!keep.has(port.nodePort) && !mine.has(port.nodePort)) {
            await a.nodePorts.allocate(String(port.nodePort), ownerOf(svc));
            const value = port.nodePort;
            undo.push(() => a.nodePorts.release(String(value)));
          }
        } else {
          const value = Number(await a.nodePorts.allocateNext(ownerOf(svc)));
          undo.push(() => a.nodePorts.release(String(value)));
          port.nodePort = value;
        }
        mine.set(port.nodePort, true);
      } catch (err) {
        if (!(err instanceof AllocatorError)) throw err;
        throw invalid(svc, [portError(err, `spec.ports[${i}].nodePort`, port.nodePort, a.nodePortRange)]);
      }
    }
    if (needsHealthCheckPort(spec)) {
      try {
        if (spec.healthCheckNodePort && !keep.has(spec.healthCheckNodePort)) {
          await a.nodePorts.allocate(String(spec.healthCheckNodePort), ownerOf(svc));
        } else if (!spec.healthCheckNodePort) {
          spec.healthCheckNodePort = Number(await a.nodePorts.allocateNext(ownerOf(svc)));
        }
      } catch (err) {
        if (!(err instanceof AllocatorError)) throw err;
        throw invalid(svc, [portError(err, 'spec.healthCheckNodePort', spec.healthCheckNodePort, a.nodePortRange)]);
      }
    } else {
      delete spec.healthCheckNodePort;
    }
  }

  const undoAll = (undo: Rollback[]) => async () => {
    for (const u of undo.reverse()) await u();
  };

  return {
    async beforeCreate(svc) {
      const undo: Rollback[] = [];
      try {
        await allocateIP(svc, undo);
        await allocatePorts(svc, new Set(), undo);
      } catch (err) {
        await undoAll(undo)();
        throw err;
      }
      return undoAll(undo);
    },

    prepareForUpdate(svc, old) {
      const spec = specOf(svc);
      const oldSpec = specOf(structuredClone(old));
      if (spec.type === 'ExternalName') {
        delete spec.clusterIP;
        delete spec.clusterIPs;
        delete spec.ipFamilies;
        delete spec.ipFamilyPolicy;
      } else if (oldSpec.type !== 'ExternalName') {
        if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
        if (!spec.clusterIPs?.length && oldSpec.clusterIPs) spec.clusterIPs = oldSpec.clusterIPs;
        if (!spec.ipFamilies?.length && oldSpec.ipFamilies) spec.ipFamilies = oldSpec.ipFamilies;
        if (!spec.ipFamilyPolicy && oldSpec.ipFamilyPolicy) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
      }
      // As Kubernetes does on a type change: fields the new type cannot have are dropped when the
      // user left them as they were (else validation tells them).
      const oldNodePorts = new Set(nodePortsOf(oldSpec));
      if (needsNodePorts(oldSpec) && !needsNodePorts(spec) && nodePortsOf(spec).every((p) => oldNodePorts.has(p))) {
        for (const port of spec.ports ?? []) delete port.nodePort;
      }
      if (externallyAccessible(oldSpec) && !externallyAccessible(spec) && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) {
        delete spec.externalTrafficPolicy;
      }
      if (needsNodePorts(spec)) {
        for (const port of spec.ports ?? []) {
          if (port.nodePort) continue;
          const match = (oldSpec.ports ?? []).find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
          if (match?.nodePort) port.nodePort = match.nodePort;
        }
      }
      if (needsHealthCheckPort(spec) && !spec.healthCheckNodePort && oldSpec.healthCheckNodePort) {
        spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
      }
    },

    async beforeUpdate(svc, old, ctx) {
      const spec = specOf(svc);
      const oldSpec = specOf(structuredClone(old));
      const undo: Rollback[] = [];
      const releases: Rollback[] = [];
      try {
        if (hasClusterIP(spec) && !hasClusterIP(oldSpec)) await allocateIP(svc, undo);
        if (spec.type === 'ExternalName' || spec.clusterIP === 'None') {
          // Headless services carry clusterIPs ["None"]; nothing to allocate.
          if (spec.clusterIP === 'None') await allocateIP(svc, undo);
        }
        if (hasClusterIP(oldSpec) && !hasClusterIP(spec) && oldSpec.clusterIP) {
          const ip = oldSpec.clusterIP;
          releases.push(() => a.clusterIPs.release(ip));
        }
        const oldPorts = new Set(nodePortsOf(oldSpec));
        await allocatePorts(svc, oldPorts, undo);
        const newPorts = new Set(nodePortsOf(spec));
        for (const p of oldPorts) if (!newPorts.has(p)) releases.push(() => a.nodePorts.release(String(p)));
      } catch (err) {
        await undoAll(undo)();
        throw err;
      }
      if (!ctx.dryRun) for (const r of releases) await r();
      return undoAll(undo);
    },

    async afterDelete(svc) {
      const spec = specOf(structuredClone(svc));
      if (hasClusterIP(spec) && spec.clusterIP) await a.clusterIPs.release(spec.clusterIP);
      for (const p of nodePortsOf(spec)) await a.nodePorts.release(String(p));
    },
  };
}

function ipError(err: AllocatorError, cidr: string): FieldError {
  const value = [err.value];
  switch (err.code) {
    case 'NotInRange':
      return fieldErrors.invalid(
        'spec.clusterIPs',
        value,
        `failed to allocate IP ${err.value}: the provided IP (${err.value}) is not in the valid range. The range of valid IPs is ${cidr}`,
      );
    case 'AlreadyAllocated':
      return fieldErrors.invalid('spec.clusterIPs', value, `failed to allocate IP ${err.value}: provided IP is already allocated`);
    case 'Full':
      return fieldErrors.invalid('spec.clusterIPs', [], `failed to allocate IP: range is full`);
  }
}

function portError(err: AllocatorError, field: string, value: number | undefined, range: string): FieldError {
  switch (err.code) {
    case 'NotInRange':
      return fieldErrors.invalid(field, value, `provided port is not in the valid range. The range of valid ports is ${range}`);
    case 'AlreadyAllocated':
      return fieldErrors.invalid(field, value, 'provided port is already allocated');
    case 'Full':
      return fieldErrors.invalid(field, value ?? 0, 'failed to allocate a nodePort: range is full');
  }
}
