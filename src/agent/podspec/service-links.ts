/**
 * Docker-links-style service environment variables (kubelet envvars.FromServices and
 * getServiceEnvVarMap).
 */
import type { KubeObject } from '../../api/types.js';
import { namespaceOf, serviceSpecOf, type EnvVar, type ServicePortFields } from './types.js';

/**
 * The services a pod in `namespace` sees: its namespace's services when enableServiceLinks,
 * and always `kubernetes` from `default`. Services whose names collide resolve like the
 * kubelet's map: a same-namespace service replaces the default one.
 */
export function serviceLinkServices(
  services: KubeObject[],
  options: { namespace: string; enableServiceLinks: boolean },
): KubeObject[] {
  const serviceByName = new Map<string, KubeObject>();
  for (const service of services) {
    if (!hasClusterIP(service)) continue;
    const name = service.metadata.name ?? '';
    const namespace = service.metadata.namespace ?? options.namespace;
    if (namespace === 'default' && name === 'kubernetes') {
      if (!serviceByName.has(name)) serviceByName.set(name, service);
    } else if (namespace === options.namespace && options.enableServiceLinks) {
      serviceByName.set(name, service);
    }
  }
  // The kubelet walks a Go map (random order); sorting by name keeps output stable.
  return [...serviceByName.values()].sort((a, b) => compare(a.metadata.name ?? '', b.metadata.name ?? ''));
}

/** Headless (`None`), unallocated and ExternalName services have no variables. */
export function hasClusterIP(service: KubeObject): boolean {
  const { clusterIP, type } = serviceSpecOf(service);
  if (type === 'ExternalName') return false;
  return clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None';
}

export function serviceLinkEnv(services: KubeObject[]): EnvVar[] {
  return services.filter(hasClusterIP).flatMap(serviceEnv);
}

function serviceEnv(service: KubeObject): EnvVar[] {
  const spec = serviceSpecOf(service);
  const clusterIP = spec.clusterIP ?? '';
  const ports = spec.ports ?? [];
  const first = ports[0];
  if (first === undefined) return [];
  const prefix = envVarNameFor(service.metadata.name ?? '');
  const vars: EnvVar[] = [
    { name: `${prefix}_SERVICE_HOST`, value: clusterIP },
    { name: `${prefix}_SERVICE_PORT`, value: String(first.port) },
  ];
  for (const port of ports) {
    if (port.name) vars.push({ name: `${prefix}_SERVICE_PORT_${envVarNameFor(port.name)}`, value: String(port.port) });
  }
  return [...vars, ...linkVariables(prefix, clusterIP, ports)];
}

/** Docker treats the first port specially: `<SVC>_PORT` points at it. */
function linkVariables(prefix: string, clusterIP: string, ports: ServicePortFields[]): EnvVar[] {
  return ports.flatMap((port, index) => {
    const protocol = port.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${clusterIP}:${port.port}`;
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    const vars: EnvVar[] = index === 0 ? [{ name: `${prefix}_PORT`, value: url }] : [];
    return [
      ...vars,
      { name: portPrefix, value: url },
      { name: `${portPrefix}_PROTO`, value: protocol.toLowerCase() },
      { name: `${portPrefix}_PORT`, value: String(port.port) },
      { name: `${portPrefix}_ADDR`, value: clusterIP },
    ];
  });
}

/** Upper-case, `-` and `.` to `_`, and a leading `_` when the name starts with a digit. */
export function envVarNameFor(name: string): string {
  const upper = name.replace(/[.-]/g, '_').toUpperCase();
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
