/**
 * Which printer serves which resource, keyed by `group/plural` as in src/api/resources.ts.
 * Resources without one get the generic table the upstream apiserver falls back to
 * (apiserver pkg/registry/rest/table.go): Name and a `Created At` date.
 */
import type { KubeObject } from '../../api/types.js';
import { column, creationTimestampDescription, nameColumn } from './columns.js';
import { configMapPrinter, eventPrinter, leasePrinter, namespacePrinter, nodePrinter, secretPrinter, serviceAccountPrinter } from './core.js';
import { parseTime } from './duration.js';
import { podPrinter } from './pods.js';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './services.js';
import type { Printer } from './types.js';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './workloads.js';

const printersByResource = new Map<string, Printer>([
  ['/pods', podPrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/nodes', nodePrinter],
  ['/namespaces', namespacePrinter],
  ['/events', eventPrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['/replicationcontrollers', replicationControllerPrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/statefulsets', statefulSetPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter],
  ['batch/jobs', jobPrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['coordination.k8s.io/leases', leasePrinter],
]);

/** Creation time as RFC 3339 in UTC to the second, as Go's time.RFC3339 formats it. */
function createdAt(obj: KubeObject): string {
  const ms = parseTime(obj.metadata.creationTimestamp);
  // A missing timestamp is Go's zero time.
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const defaultPrinter: Printer = {
  columns: [nameColumn(), column('Created At', creationTimestampDescription, { type: 'date' })],
  print: (obj) => ({ cells: [obj.metadata.name ?? '', createdAt(obj)] }),
};

export function printerFor(group: string, resource: string): Printer {
  return printersByResource.get(`${group}/${resource}`) ?? defaultPrinter;
}
