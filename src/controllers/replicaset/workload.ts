/**
 * What differs between a ReplicaSet and a ReplicationController: where they live and how the
 * selector is written. Everything else (pods, status, conditions) is the same.
 */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { selectorFromLabelSelector, selectorFromSet, type Selector } from '../../api/labels.js';
import { isRecord, type LabelSelector } from '../../api/types.js';
import type { ReplicaSet } from './types.js';

export interface WorkloadKind {
  info: ResourceInfo;
  kind: string;
  apiVersion: string;
  /** The controller's name: its field manager and log name. */
  controllerName: string;
  selectorOf(obj: ReplicaSet): Selector;
}

function resourceOf(group: string, plural: string): ResourceInfo {
  const info = findResource(group, plural);
  if (!info) throw new Error(`resource ${group}/${plural} is not served`);
  return info;
}

export const replicaSetKind: WorkloadKind = {
  info: resourceOf('apps', 'replicasets'),
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  controllerName: 'replicaset-controller',
  selectorOf: (rs) => selectorFromLabelSelector(rs.spec?.selector as LabelSelector | undefined),
};

/** A ReplicationController's selector is a label map; validation guarantees it is not empty. */
export const replicationControllerKind: WorkloadKind = {
  info: resourceOf('', 'replicationcontrollers'),
  kind: 'ReplicationController',
  apiVersion: 'v1',
  controllerName: 'replicationcontroller-controller',
  selectorOf: (rc) => {
    const map = rc.spec?.selector;
    const labels: Record<string, string> = {};
    if (isRecord(map)) for (const [k, v] of Object.entries(map)) if (typeof v === 'string') labels[k] = v;
    return selectorFromSet(labels);
  },
};
