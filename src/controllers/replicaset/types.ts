/**
 * The shapes of pods and replica sets as these controllers read them. Objects travel as plain
 * JSON; only the fields read here are named, the rest is carried through untouched.
 */
import type { KubeObject, LabelSelector, ObjectMeta } from '../../api/types.js';

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  lastProbeTime?: string;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name: string;
  restartCount?: number;
  ready?: boolean;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [field: string]: unknown };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    [field: string]: unknown;
  };
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

/** A condition of a ReplicaSet, ReplicationController or Deployment. */
export interface WorkloadCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: WorkloadCondition[];
}

/**
 * A ReplicaSet or a ReplicationController: the same object but for the selector, which is a
 * metav1.LabelSelector on a ReplicaSet and a plain label map on a ReplicationController.
 */
export interface ReplicaSet extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelector | Record<string, string>;
    template?: PodTemplateSpec;
    [field: string]: unknown;
  };
  status?: ReplicaSetStatus;
}
