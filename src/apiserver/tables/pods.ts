/**
 * Pod rows: the READY count, the STATUS reason and RESTARTS exactly as kubectl shows them
 * (kubernetes pkg/printers/internalversion printPod). STATUS is the pod's phase refined by
 * the first interesting init container, then by the app containers' waiting or terminated
 * reasons, then by deletion.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { ageColumn, column, nameColumn, wideColumn } from './columns.js';
import { formatAge, humanDuration, parseTime } from './duration.js';
import { at, int, records, str } from './fields.js';
import type { PrintedRow, Printer, TableRowCondition } from './types.js';

type Status = Record<string, unknown>;

/** Running totals while walking container statuses. */
interface Tally {
  reason: string;
  ready: number;
  restarts: number;
  /** Latest lastState.terminated.finishedAt, ms since epoch */
  lastRestart: number | undefined;
}

const succeededConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const failedConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'Ready containers out of all containers in the pod.'),
    column('Status', 'Summary of the pod\'s phase and its containers\' states.'),
    column('Restarts', 'Container restarts in the pod, with the time since the latest one.'),
    ageColumn(),
    wideColumn('IP', 'The pod\'s primary IP address.'),
    wideColumn('Node', 'The node the pod is bound to.'),
    wideColumn('Nominated Node', 'The node a preempting pod is expected to run on.'),
    wideColumn('Readiness Gates', 'Readiness gate conditions that are true, out of all gates.'),
  ],
  print: printPod,
};

function printPod(pod: KubeObject, now: Date): PrintedRow {
  const status = isRecord(pod.status) ? pod.status : {};
  const phase = str(status['phase']);
  const tally = tallyContainers(pod, status);
  const reason = deletionReason(pod, status, tally.reason);
  const cells: unknown[] = [
    pod.metadata.name ?? '',
    `${tally.ready}/${totalContainers(pod)}`,
    reason,
    restartsCell(tally, now),
    formatAge(pod.metadata.creationTimestamp, now),
    podIP(status),
    str(at(pod.spec, 'nodeName')) || '<none>',
    str(status['nominatedNodeName']) || '<none>',
    readinessGates(pod, status),
  ];
  const row: PrintedRow = { cells };
  if (phase === 'Succeeded') row.conditions = succeededConditions;
  if (phase === 'Failed') row.conditions = failedConditions;
  return row;
}

function initialReason(status: Status): string {
  let reason = str(status['reason']) || str(status['phase']);
  for (const condition of records(status['conditions'])) {
    if (condition['type'] === 'PodScheduled' && condition['reason'] === 'SchedulingGated') reason = 'SchedulingGated';
  }
  return reason;
}

/** Sidecars (init containers with restartPolicy Always) count as containers of the pod. */
function restartableInitNames(pod: KubeObject): Set<string> {
  const names = new Set<string>();
  for (const c of records(at(pod.spec, 'initContainers'))) {
    if (c['restartPolicy'] === 'Always') names.add(str(c['name']));
  }
  return names;
}

function totalContainers(pod: KubeObject): number {
  return records(at(pod.spec, 'containers')).length + restartableInitNames(pod).size;
}

function tallyContainers(pod: KubeObject, status: Status): Tally {
  const tally: Tally = { reason: initialReason(status), ready: 0, restarts: 0, lastRestart: undefined };
  const sidecars: Tally = { ...tally };
  const initializing = walkInitContainers(pod, status, { all: tally, sidecars });
  if (initializing && !hasCondition(status, 'Initialized')) return tally;
  // Once initialised, only sidecar restarts still count from the init containers.
  const result: Tally = { ...tally, restarts: sidecars.restarts, lastRestart: sidecars.lastRestart };
  walkAppContainers(status, result);
  return result;
}

function noteRestarts(tally: Tally, containerStatus: Status): void {
  tally.restarts += int(containerStatus['restartCount']);
  const finished = parseTime(at(containerStatus, 'lastState', 'terminated', 'finishedAt'));
  if (finished !== undefined && (tally.lastRestart === undefined || finished > tally.lastRestart)) {
    tally.lastRestart = finished;
  }
}

/** Walks init container statuses until the first one still working; true if initialising. */
function walkInitContainers(pod: KubeObject, status: Status, tallies: { all: Tally; sidecars: Tally }): boolean {
  const sidecarNames = restartableInitNames(pod);
  const specCount = records(at(pod.spec, 'initContainers')).length;
  const statuses = records(status['initContainerStatuses']);
  for (const [index, container] of statuses.entries()) {
    const isSidecar = sidecarNames.has(str(container['name']));
    noteRestarts(tallies.all, container);
    if (isSidecar) noteRestarts(tallies.sidecars, container);
    const terminated = at(container, 'state', 'terminated');
    const waitingReason = str(at(container, 'state', 'waiting', 'reason'));
    if (isRecord(terminated) && int(terminated['exitCode']) === 0) continue;
    if (isSidecar && container['started'] === true) {
      if (container['ready'] === true) tallies.all.ready++;
      continue;
    }
    if (isRecord(terminated)) tallies.all.reason = `Init:${terminatedReason(terminated)}`;
    else if (waitingReason !== '' && waitingReason !== 'PodInitializing') tallies.all.reason = `Init:${waitingReason}`;
    else tallies.all.reason = `Init:${index}/${specCount}`;
    return true;
  }
  return false;
}

function terminatedReason(terminated: Record<string, unknown>): string {
  const reason = str(terminated['reason']);
  if (reason !== '') return reason;
  const signal = int(terminated['signal']);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(terminated['exitCode'])}`;
}

/** App containers, last to first, so the first container's state wins the STATUS cell. */
function walkAppContainers(status: Status, tally: Tally): void {
  let hasRunning = false;
  for (const container of records(status['containerStatuses']).reverse()) {
    noteRestarts(tally, container);
    const waitingReason = str(at(container, 'state', 'waiting', 'reason'));
    const terminated = at(container, 'state', 'terminated');
    if (waitingReason !== '') tally.reason = waitingReason;
    else if (isRecord(terminated)) tally.reason = terminatedReason(terminated);
    else if (container['ready'] === true && isRecord(at(container, 'state', 'running'))) {
      hasRunning = true;
      tally.ready++;
    }
  }
  // A finished container beside a running one does not make the pod Completed.
  if (tally.reason === 'Completed' && hasRunning) {
    tally.reason = hasCondition(status, 'Ready') ? 'Running' : 'NotReady';
  }
}

function hasCondition(status: Status, type: string): boolean {
  return records(status['conditions']).some((c) => c['type'] === type && c['status'] === 'True');
}

function deletionReason(pod: KubeObject, status: Status, reason: string): string {
  if (!pod.metadata.deletionTimestamp) return reason;
  if (status['reason'] === 'NodeLost') return 'Unknown';
  const phase = status['phase'];
  return phase === 'Succeeded' || phase === 'Failed' ? reason : 'Terminating';
}

function restartsCell(tally: Tally, now: Date): string {
  if (tally.restarts === 0 || tally.lastRestart === undefined) return String(tally.restarts);
  return `${tally.restarts} (${humanDuration(now.getTime() - tally.lastRestart)} ago)`;
}

/** podIPs[0], or the singular podIP older writers set alone (as v1 conversion does). */
function podIP(status: Status): string {
  const first = records(status['podIPs'])[0];
  return str(first?.['ip']) || str(status['podIP']) || '<none>';
}

function readinessGates(pod: KubeObject, status: Status): string {
  const gates = records(at(pod.spec, 'readinessGates'));
  if (gates.length === 0) return '<none>';
  const conditions = records(status['conditions']);
  const satisfied = gates.filter((gate) => {
    const condition = conditions.find((c) => c['type'] === gate['conditionType']);
    return condition?.['status'] === 'True';
  }).length;
  return `${satisfied}/${gates.length}`;
}
