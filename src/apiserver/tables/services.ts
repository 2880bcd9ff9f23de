/**
 * Service, Endpoints and EndpointSlice rows (kubernetes pkg/printers/internalversion
 * printService, printEndpoints, printEndpointSlice). The server always prints the wide form,
 * so load-balancer addresses are never clipped.
 */
import type { KubeObject } from '../../api/types.js';
import { ageColumn, column, nameColumn, wideColumn } from './columns.js';
import { formatAge } from './duration.js';
import { at, formatLabels, int, records, str, strings } from './fields.js';
import type { Printer } from './types.js';

/** Lists in endpoint cells stop after this many entries and say how many more there are. */
const maxListed = 3;

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Type', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'The virtual IP of the service inside the cluster.'),
    column('External-IP', 'Addresses the service is reachable on from outside the cluster.'),
    column('Port(s)', 'Service ports with their node ports and protocols.'),
    ageColumn(),
    wideColumn('Selector', 'Labels of the pods that back the service.'),
  ],
  print: (svc, now) => ({
    cells: [
      svc.metadata.name ?? '',
      str(at(svc.spec, 'type')),
      clusterIP(svc),
      externalIP(svc),
      portsCell(svc),
      formatAge(svc.metadata.creationTimestamp, now),
      formatLabels(at(svc.spec, 'selector')),
    ],
  }),
};

/** clusterIPs[0], or the singular clusterIP older writers set alone; `None` when headless. */
function clusterIP(svc: KubeObject): string {
  return strings(at(svc.spec, 'clusterIPs'))[0] || str(at(svc.spec, 'clusterIP')) || '<none>';
}

function externalIP(svc: KubeObject): string {
  const externalIPs = strings(at(svc.spec, 'externalIPs'));
  switch (at(svc.spec, 'type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const addresses = [...ingressAddresses(svc), ...externalIPs];
      return addresses.length > 0 ? addresses.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(at(svc.spec, 'externalName'));
    default:
      return '<unknown>';
  }
}

/** Load-balancer ingress IPs (or hostnames where there is no IP), sorted and de-duplicated. */
function ingressAddresses(svc: KubeObject): string[] {
  const addresses = new Set<string>();
  for (const ingress of records(at(svc.status, 'loadBalancer', 'ingress'))) {
    const address = str(ingress['ip']) || str(ingress['hostname']);
    if (address !== '') addresses.add(address);
  }
  return [...addresses].sort();
}

function portsCell(svc: KubeObject): string {
  const pieces = records(at(svc.spec, 'ports')).map((port) => {
    const protocol = str(port['protocol']) || 'TCP';
    const nodePort = int(port['nodePort']);
    return nodePort > 0 ? `${int(port['port'])}:${nodePort}/${protocol}` : `${int(port['port'])}/${protocol}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), column('Endpoints', 'Addresses and ports of the service\'s endpoints.'), ageColumn()],
  print: (ep, now) => ({
    cells: [ep.metadata.name ?? '', endpointsCell(ep), formatAge(ep.metadata.creationTimestamp, now)],
  }),
};

/** `ip:port` for every address and port of every subset, in order; bare IPs for portless subsets. */
function endpointsCell(ep: KubeObject): string {
  const subsets = records(ep['subsets']);
  if (subsets.length === 0) return '<none>';
  const entries: string[] = [];
  for (const subset of subsets) {
    const ips = records(subset['addresses']).map((a) => str(a['ip']));
    const ports = records(subset['ports']);
    if (ports.length === 0) entries.push(...ips);
    for (const port of ports) entries.push(...ips.map((ip) => joinHostPort(ip, int(port['port']))));
  }
  return truncatedList(entries);
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('AddressType', 'The kind of addresses in the slice: IPv4, IPv6 or FQDN.'),
    column('Ports', 'Port numbers (or names) the slice\'s endpoints serve.'),
    column('Endpoints', 'Addresses of the slice\'s endpoints.'),
    ageColumn(),
  ],
  print: (slice, now) => ({
    cells: [
      slice.metadata.name ?? '',
      str(slice['addressType']),
      listCell(records(slice['ports']).map(slicePort)),
      listCell(records(slice['endpoints']).flatMap((e) => strings(e['addresses']))),
      formatAge(slice.metadata.creationTimestamp, now),
    ],
  }),
};

function slicePort(port: Record<string, unknown>): string {
  if (typeof port['port'] === 'number') return String(port['port']);
  return str(port['name']) || '*';
}

/** Up to three entries, then ` + N more...`; `<unset>` when empty. */
function listCell(entries: string[]): string {
  return entries.length === 0 ? '<unset>' : truncatedList(entries);
}

function truncatedList(entries: string[]): string {
  const listed = entries.slice(0, maxListed).join(',');
  return entries.length > maxListed ? `${listed} + ${entries.length - maxListed} more...` : listed;
}
