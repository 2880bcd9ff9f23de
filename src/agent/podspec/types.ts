/**
 * Narrow views of the Pod, Container and Service fields this folder reads. Objects arrive as
 * KubeObject (plain JSON); these interfaces name only what the kubelet logic looks at.
 */
import { isRecord, type KubeObject } from '../../api/types.js';

export interface HostAlias {
  ip: string;
  hostnames?: string[];
}

export interface PodDNSConfigOption {
  name: string;
  value?: string;
}

export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: PodDNSConfigOption[];
}

export interface KeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

export interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: KeySelector;
  secretKeyRef?: KeySelector;
}

export interface EnvVarSpec {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export type ResourceList = Record<string, string | number>;

export interface ContainerSpec {
  name: string;
  command?: string[];
  args?: string[];
  env?: EnvVarSpec[];
  envFrom?: EnvFromSource[];
  resources?: { limits?: ResourceList; requests?: ResourceList };
}

export interface PodSpecFields {
  hostname?: string;
  subdomain?: string;
  setHostnameAsFQDN?: boolean;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  dnsConfig?: PodDNSConfig;
  hostAliases?: HostAlias[];
  enableServiceLinks?: boolean;
  nodeName?: string;
  serviceAccountName?: string;
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
}

export interface ServicePortFields {
  name?: string;
  port: number;
  protocol?: string;
}

export interface ServiceSpecFields {
  type?: string;
  clusterIP?: string;
  ports?: ServicePortFields[];
}

/** One variable as the container receives it. */
export interface EnvVar {
  name: string;
  value: string;
}

/**
 * Why the kubelet would refuse to start a container, with the reason it reports in the
 * container's `waiting` state and the message users see in `kubectl describe`.
 */
export interface PodSpecError {
  reason: 'CreateContainerConfigError' | 'CreatePodSandboxError';
  message: string;
}

export type PodSpecResult<T> = { ok: true; value: T } | { ok: false; error: PodSpecError };

export function podSpecOf(pod: KubeObject): PodSpecFields {
  return isRecord(pod.spec) ? (pod.spec as PodSpecFields) : {};
}

export function serviceSpecOf(service: KubeObject): ServiceSpecFields {
  return isRecord(service.spec) ? (service.spec as ServiceSpecFields) : {};
}

export function namespaceOf(obj: KubeObject): string {
  return obj.metadata.namespace ?? 'default';
}
