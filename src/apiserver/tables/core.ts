/**
 * Rows for nodes, namespaces, events, configmaps, secrets, service accounts and leases
 * (kubernetes pkg/printers/internalversion).
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { ageColumn, column, nameColumn, wideColumn } from './columns.js';
import { formatAge, humanDuration, parseTime } from './duration.js';
import { at, int, keyCount, list, records, str } from './fields.js';
import type { Printer } from './types.js';

function name(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

function age(obj: KubeObject, now: Date): string {
  return formatAge(obj.metadata.creationTimestamp, now);
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'Whether the node is Ready, and whether scheduling on it is disabled.'),
    column('Roles', 'Roles from the node\'s node-role.kubernetes.io/ labels.'),
    ageColumn(),
    column('Version', 'The kubelet version the node reports.'),
    wideColumn('Internal-IP', 'The node\'s first InternalIP address.'),
    wideColumn('External-IP', 'The node\'s first ExternalIP address.'),
    wideColumn('OS-Image', 'The operating system the node reports.'),
    wideColumn('Kernel-Version', 'The kernel version the node reports.'),
    wideColumn('Container-Runtime', 'The container runtime and version the node reports.'),
  ],
  print: (node, now) => {
    const info = at(node.status, 'nodeInfo');
    return {
      cells: [
        name(node),
        nodeStatus(node),
        nodeRoles(node),
        age(node, now),
        str(at(info, 'kubeletVersion')),
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        str(at(info, 'osImage')) || '<unknown>',
        str(at(info, 'kernelVersion')) || '<unknown>',
        str(at(info, 'containerRuntimeVersion')) || '<unknown>',
      ],
    };
  },
};

function nodeStatus(node: KubeObject): string {
  const conditions = records(at(node.status, 'conditions'));
  // The last Ready condition wins, as when upstream indexes conditions by type.
  const ready = conditions.filter((c) => c['type'] === 'Ready').pop();
  const states = [ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady'];
  if (at(node.spec, 'unschedulable') === true) states.push('SchedulingDisabled');
  return states.join(',');
}

const nodeRolePrefix = 'node-role.kubernetes.io/';

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(nodeRolePrefix) && key.length > nodeRolePrefix.length) roles.add(key.slice(nodeRolePrefix.length));
    else if (key === 'kubernetes.io/role' && value !== '') roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(node: KubeObject, type: string): string {
  const address = records(at(node.status, 'addresses')).find((a) => a['type'] === type);
  return address ? str(address['address']) : '<none>';
}

export const namespacePrinter: Printer = {
  columns: [nameColumn(), column('Status', 'The namespace\'s phase: Active or Terminating.'), ageColumn()],
  print: (ns, now) => ({ cells: [name(ns), str(at(ns.status, 'phase')), age(ns, now)] }),
};

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'Time since the event last occurred.'),
    column('Type', 'Normal or Warning.'),
    column('Reason', 'Short machine-readable cause of the event.'),
    column('Object', 'The object the event is about, as kind/name.'),
    wideColumn('Subobject', 'The part of the object the event is about, such as a container.'),
    wideColumn('Source', 'The component (and host) that reported the event.'),
    column('Message', 'Human-readable description of the event.'),
    wideColumn('First Seen', 'Time since the event first occurred.'),
    wideColumn('Count', 'How many times the event has occurred.'),
    nameColumn({ wide: true }),
  ],
  print: (event, now) => {
    const times = eventTimes(event, now);
    return {
      cells: [
        times.last,
        str(event['type']),
        str(event['reason']),
        eventTarget(event),
        str(at(event, 'involvedObject', 'fieldPath')),
        eventSource(event),
        str(event['message']).trim(),
        times.first,
        times.count,
        name(event),
      ],
    };
  },
};

function since(timestamp: unknown, now: Date): string | undefined {
  const ms = parseTime(timestamp);
  return ms === undefined ? undefined : humanDuration(now.getTime() - ms);
}

/** core/v1 events written through events.k8s.io/v1 carry eventTime and series instead. */
function eventTimes(event: KubeObject, now: Date): { first: string; last: string; count: number } {
  const first = since(event['firstTimestamp'], now) ?? since(event['eventTime'], now) ?? '<unknown>';
  let last = since(event['lastTimestamp'], now) ?? first;
  let count = int(event['count']);
  const series = event['series'];
  if (isRecord(series)) {
    last = since(series['lastObservedTime'], now) ?? '<unknown>';
    count = int(series['count']);
  } else if (count === 0) {
    count = 1;
  }
  return { first, last, count };
}

function eventTarget(event: KubeObject): string {
  const kind = str(at(event, 'involvedObject', 'kind')).toLowerCase();
  const objectName = str(at(event, 'involvedObject', 'name'));
  return objectName ? `${kind}/${objectName}` : kind;
}

function eventSource(event: KubeObject): string {
  const component = str(at(event, 'source', 'component')) || str(event['reportingComponent']);
  const host = str(at(event, 'source', 'host')) || str(event['reportingInstance']);
  return host ? `${component}, ${host}` : component;
}

export const configMapPrinter: Printer = {
  columns: [nameColumn(), column('Data', 'Number of keys in data and binaryData.'), ageColumn()],
  print: (cm, now) => ({ cells: [name(cm), keyCount(cm['data']) + keyCount(cm['binaryData']), age(cm, now)] }),
};

export const secretPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Type', 'The secret type, such as Opaque or kubernetes.io/tls.'),
    column('Data', 'Number of keys in data.'),
    ageColumn(),
  ],
  print: (secret, now) => ({ cells: [name(secret), str(secret['type']), keyCount(secret['data']), age(secret, now)] }),
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), column('Secrets', 'Number of secrets listed for the account.'), ageColumn()],
  print: (sa, now) => ({ cells: [name(sa), list(sa['secrets']).length, age(sa, now)] }),
};

export const leasePrinter: Printer = {
  columns: [nameColumn(), column('Holder', 'Identity of the current holder of the lease.'), ageColumn()],
  print: (lease, now) => ({ cells: [name(lease), str(at(lease.spec, 'holderIdentity')), age(lease, now)] }),
};
