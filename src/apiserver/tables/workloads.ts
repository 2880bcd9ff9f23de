/**
 * Rows for the pod-template controllers: Deployments, ReplicaSets, ReplicationControllers,
 * StatefulSets, DaemonSets, Jobs, and their ControllerRevisions (kubernetes
 * pkg/printers/internalversion). Replica counts default as the API does (spec.replicas 1).
 */
import type { KubeObject } from '../../api/types.js';
import { parseApiVersion } from '../../api/resources.js';
import { ageColumn, column, integerColumn, nameColumn, templateColumns } from './columns.js';
import { formatAge, humanDuration, parseTime } from './duration.js';
import { at, containerCells, controllerOf, formatLabels, formatLabelSelector, int, labelSelectorString, records, str } from './fields.js';
import type { Printer } from './types.js';

function name(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

function age(obj: KubeObject, now: Date): string {
  return formatAge(obj.metadata.creationTimestamp, now);
}

function desired(obj: KubeObject): number {
  return int(at(obj.spec, 'replicas'), 1);
}

function status(obj: KubeObject, field: string): number {
  return int(at(obj.status, field));
}

function templateSpec(obj: KubeObject): unknown {
  return at(obj.spec, 'template', 'spec');
}

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'Ready pods out of the desired replicas.'),
    column('Up-to-date', 'Pods running the current pod template.'),
    column('Available', 'Pods ready for at least minReadySeconds.'),
    ageColumn(),
    ...templateColumns({ selector: true }),
  ],
  print: (d, now) => ({
    cells: [
      name(d),
      `${status(d, 'readyReplicas')}/${desired(d)}`,
      status(d, 'updatedReplicas'),
      status(d, 'availableReplicas'),
      age(d, now),
      ...containerCells(templateSpec(d)),
      // Deployments print the bare selector string: empty, not <none>, when there is none.
      labelSelectorString(at(d.spec, 'selector')) ?? '<invalid>',
    ],
  }),
};

function replicaColumns(): ReturnType<typeof nameColumn>[] {
  return [
    nameColumn(),
    integerColumn('Desired', 'The number of pods asked for.'),
    integerColumn('Current', 'The number of pods that exist.'),
    integerColumn('Ready', 'The number of pods that are ready.'),
    ageColumn(),
    ...templateColumns({ selector: true }),
  ];
}

function replicaCells(obj: KubeObject, now: Date, selector: string): unknown[] {
  return [
    name(obj),
    desired(obj),
    status(obj, 'replicas'),
    status(obj, 'readyReplicas'),
    age(obj, now),
    ...containerCells(templateSpec(obj)),
    selector,
  ];
}

export const replicaSetPrinter: Printer = {
  columns: replicaColumns(),
  print: (rs, now) => ({ cells: replicaCells(rs, now, formatLabelSelector(at(rs.spec, 'selector'))) }),
};

/** ReplicationControllers select with a plain label map rather than a LabelSelector. */
export const replicationControllerPrinter: Printer = {
  columns: replicaColumns(),
  print: (rc, now) => ({ cells: replicaCells(rc, now, formatLabels(at(rc.spec, 'selector'))) }),
};

export const statefulSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'Ready pods out of the desired replicas.'),
    ageColumn(),
    ...templateColumns({ selector: false }),
  ],
  print: (sts, now) => ({
    cells: [name(sts), `${status(sts, 'readyReplicas')}/${desired(sts)}`, age(sts, now), ...containerCells(templateSpec(sts))],
  }),
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    integerColumn('Desired', 'Nodes that should run the daemon pod.'),
    integerColumn('Current', 'Nodes running at least one daemon pod.'),
    integerColumn('Ready', 'Nodes whose daemon pod is ready.'),
    integerColumn('Up-to-date', 'Nodes running the current pod template.'),
    integerColumn('Available', 'Nodes whose daemon pod has been ready for minReadySeconds.'),
    column('Node Selector', 'Labels a node needs to run the daemon pod.'),
    ageColumn(),
    ...templateColumns({ selector: true }),
  ],
  print: (ds, now) => ({
    cells: [
      name(ds),
      status(ds, 'desiredNumberScheduled'),
      status(ds, 'currentNumberScheduled'),
      status(ds, 'numberReady'),
      status(ds, 'updatedNumberScheduled'),
      status(ds, 'numberAvailable'),
      formatLabels(at(templateSpec(ds), 'nodeSelector')),
      age(ds, now),
      ...containerCells(templateSpec(ds)),
      formatLabelSelector(at(ds.spec, 'selector')),
    ],
  }),
};

export const jobPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'Whether the job is running, complete, failed or suspended.'),
    column('Completions', 'Succeeded pods out of the completions asked for.'),
    column('Duration', 'How long the job has run, or ran until it completed.'),
    ageColumn(),
    ...templateColumns({ selector: true }),
  ],
  print: (job, now) => ({
    cells: [
      name(job),
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      age(job, now),
      ...containerCells(templateSpec(job)),
      formatLabelSelector(at(job.spec, 'selector')),
    ],
  }),
};

function jobCompletions(job: KubeObject): string {
  const succeeded = status(job, 'succeeded');
  const completions = at(job.spec, 'completions');
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = int(at(job.spec, 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: Date): string {
  const start = parseTime(at(job.status, 'startTime'));
  if (start === undefined) return '';
  const end = parseTime(at(job.status, 'completionTime')) ?? now.getTime();
  return humanDuration(end - start);
}

/** The first condition of a type decides; later duplicates are ignored, as upstream. */
function hasJobCondition(job: KubeObject, type: string): boolean {
  const condition = records(at(job.status, 'conditions')).find((c) => c['type'] === type);
  return condition?.['status'] === 'True';
}

function jobStatus(job: KubeObject): string {
  if (hasJobCondition(job, 'Complete')) return 'Complete';
  if (hasJobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(job, 'Suspended')) return 'Suspended';
  if (hasJobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Controller', 'The object that owns this revision, as kind.group/name.'),
    column('Revision', 'The revision number of the stored state.'),
    ageColumn(),
  ],
  print: (rev, now) => ({ cells: [name(rev), revisionController(rev), int(rev['revision']), age(rev, now)] }),
};

/** `statefulset.apps/web`: lower-cased Kind.group of the controller, then its name. */
function revisionController(rev: KubeObject): string {
  const ref = controllerOf(rev);
  if (!ref) return '<none>';
  const kind = str(ref['kind']);
  const { group } = parseApiVersion(str(ref['apiVersion']));
  const groupKind = group ? `${kind}.${group}` : kind;
  return groupKind ? `${groupKind.toLowerCase()}/${str(ref['name'])}` : str(ref['name']);
}
