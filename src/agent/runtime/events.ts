/**
 * The Events a pod's runtime records, with the kubelet's reasons, types and message shapes, so
 * that `kubectl describe pod` reads as on Kubernetes. Container events name the container in
 * `fieldPath` (`spec.containers{web}`, `spec.initContainers{setup}`); pod events have none.
 */
export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  fieldPath?: string;
}

export type ProbeKind = 'Startup' | 'Readiness' | 'Liveness';

export function containerFieldPath(name: string, isInit: boolean): string {
  return `${isInit ? 'spec.initContainers' : 'spec.containers'}{${name}}`;
}

const normal = (reason: string, message: string): PodEvent => ({ type: 'Normal', reason, message });
const warning = (reason: string, message: string): PodEvent => ({ type: 'Warning', reason, message });

/** Container events, without their fieldPath. */
export const containerEvents = {
  /** Where the kubelet says the image is already present: here the image names a host program. */
  pulled: (image: string, program: string) => normal('Pulled', `Container image "${image}" maps to the host program ${program}`),
  created: (name: string) => normal('Created', `Created container ${name}`),
  started: (name: string) => normal('Started', `Started container ${name}`),
  /** The container cannot start (ErrImagePull, CreateContainerError, ...): its waiting message. */
  failed: (message: string) => warning('Failed', message),
  /** `pod` is `<name>_<namespace>(<uid>)`, as the kubelet writes pods. */
  backOff: (name: string, pod: string) => warning('BackOff', `Back-off restarting failed container ${name} in pod ${pod}`),
  unhealthy: (probe: ProbeKind, output: string) => warning('Unhealthy', `${probe} probe failed: ${output}`),
  stopping: (name: string) => normal('Killing', `Stopping container ${name}`),
  probeKill: (name: string, probe: 'startup' | 'liveness') => normal('Killing', `Container ${name} failed ${probe} probe, will be restarted`),
  /** The kubelet's message when it kills a container whose postStart hook failed. */
  postStartKill: () => normal('Killing', 'FailedPostStartHook'),
  hookFailed: (hook: 'PostStart' | 'PreStop', message: string) => warning(`Failed${hook}Hook`, message),
};

/** The pod's sandbox (network namespace, address) could not be made. */
export const sandboxFailed = (message: string): PodEvent => warning('FailedCreatePodSandBox', message);
