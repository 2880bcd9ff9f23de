/**
 * Pod defaulting: core/v1 SetDefaults_PodSpec and friends, which also apply to every pod
 * template inside a workload, plus (for Pods only) what the default admission plugins add
 * at create: priority, preemptionPolicy, serviceAccountName and the not-ready/unreachable
 * tolerations of DefaultTolerationSeconds.
 */
import { type Obj, ensure, list, rec, records, setIfAbsent, str } from '../validation/access.js';

/** Defaults every PodSpec gets, in a Pod or in a template. */
export function defaultPodSpec(spec: Obj): void {
  setIfAbsent(spec, 'restartPolicy', 'Always');
  setIfAbsent(spec, 'dnsPolicy', 'ClusterFirst');
  setIfAbsent(spec, 'schedulerName', 'default-scheduler');
  setIfAbsent(spec, 'terminationGracePeriodSeconds', 30);
  setIfAbsent(spec, 'securityContext', {});
  setIfAbsent(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) defaultHostNetworkPorts(spec);
  for (const [, c] of [...records(spec.initContainers), ...records(spec.containers)]) defaultContainer(c);
  for (const [, v] of records(spec.volumes)) defaultVolume(v);
}

/** With hostNetwork the container port is the host port. */
function defaultHostNetworkPorts(spec: Obj): void {
  for (const [, c] of [...records(spec.initContainers), ...records(spec.containers)]) {
    for (const [, p] of records(c.ports)) setIfAbsent(p, 'hostPort', p.containerPort);
  }
}

/** `:latest` or no tag pulls Always; a digest or another tag pulls IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Obj): void {
  const image = str(c.image);
  if (image) setIfAbsent(c, 'imagePullPolicy', defaultPullPolicy(image));
  setIfAbsent(c, 'terminationMessagePath', '/dev/termination-log');
  setIfAbsent(c, 'terminationMessagePolicy', 'File');
  setIfAbsent(c, 'resources', {});
  for (const [, p] of records(c.ports)) setIfAbsent(p, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const p = rec(c[probe]);
    if (p) defaultProbe(p);
  }
  const lifecycle = rec(c.lifecycle);
  for (const hook of ['postStart', 'preStop'] as const) {
    const httpGet = rec(rec(lifecycle?.[hook])?.httpGet);
    if (httpGet) defaultHTTPGet(httpGet);
  }
  for (const [, e] of records(c.env)) {
    const fieldRef = rec(rec(e.valueFrom)?.fieldRef);
    if (fieldRef) setIfAbsent(fieldRef, 'apiVersion', 'v1');
  }
}

function defaultProbe(probe: Obj): void {
  setIfAbsent(probe, 'timeoutSeconds', 1);
  setIfAbsent(probe, 'periodSeconds', 10);
  setIfAbsent(probe, 'successThreshold', 1);
  setIfAbsent(probe, 'failureThreshold', 3);
  const httpGet = rec(probe.httpGet);
  if (httpGet) defaultHTTPGet(httpGet);
}

function defaultHTTPGet(httpGet: Obj): void {
  if (!httpGet.path) httpGet.path = '/';
  if (!httpGet.scheme) httpGet.scheme = 'HTTP';
}

/** 0644, the mode Kubernetes gives projected files when none is asked for. */
const defaultFileMode = 420;

function defaultVolume(volume: Obj): void {
  const sources = ['secret', 'configMap', 'downwardAPI', 'projected'] as const;
  const hasSource = Object.keys(volume).some((k) => k !== 'name');
  if (!hasSource) volume.emptyDir = {};
  for (const source of sources) {
    const s = rec(volume[source]);
    if (s) setIfAbsent(s, 'defaultMode', defaultFileMode);
  }
  const hostPath = rec(volume.hostPath);
  if (hostPath) setIfAbsent(hostPath, 'type', '');
}

export const defaultTolerationSeconds = 300;

const defaultTolerationKeys = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** What the admission chain adds to a Pod (not to templates) at create. */
export function defaultPodAdmission(spec: Obj): void {
  setIfAbsent(spec, 'priority', 0);
  setIfAbsent(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  setIfAbsent(spec, 'serviceAccountName', 'default');
  setIfAbsent(spec, 'serviceAccount', spec.serviceAccountName);
  const tolerations = list(spec.tolerations);
  for (const key of defaultTolerationKeys) {
    const covered = tolerations.some((t) => {
      const r = rec(t);
      return r !== undefined && (r.key === key || (r.key === undefined && r.operator === 'Exists')) && (!r.effect || r.effect === 'NoExecute');
    });
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultTolerationSeconds });
  }
  spec.tolerations = tolerations;
}

export function defaultPod(pod: Obj): void {
  const spec = ensure(pod, 'spec');
  defaultPodSpec(spec);
  defaultPodAdmission(spec);
}

/** A PodTemplateSpec inside a workload. */
export function defaultPodTemplate(owner: Obj): void {
  const template = rec(owner.template);
  if (!template) return;
  defaultPodSpec(ensure(template, 'spec'));
}
