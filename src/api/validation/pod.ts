/**
 * Pod and PodSpec validation (pkg/apis/core/validation ValidatePodSpec, ValidatePodUpdate),
 * covering the fields Switchboard acts on: containers, ports, probes, env, DNS, hostname.
 */
import { type FieldError, fieldErrors } from '../field.js';
import { type Obj, deepEqual, list, num, rec, records, str } from './access.js';
import { validateEnum, validateNonNegative, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { dns1123LabelErrors, dns1123SubdomainErrors, isIP, nameIsDNSSubdomain, portNameErrors, portNumErrors } from './names.js';
import { validatePortNumOrName } from './service.js';

const restartPolicies = ['Always', 'Never', 'OnFailure'];
const dnsPolicies = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const handlerKinds = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

export function validatePod(pod: Obj): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, validateName: nameIsDNSSubdomain });
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  return errs;
}

export function validatePodSpec(specValue: unknown, path: string): FieldError[] {
  const spec = rec(specValue) ?? {};
  const errs: FieldError[] = [];
  const containers = records(spec.containers);
  if (containers.length === 0) errs.push(fieldErrors.required(`${path}.containers`, ''));
  const names = new Set<string>();
  for (const [i, c] of records(spec.initContainers)) {
    errs.push(...validateContainer(c, { path: `${path}.initContainers[${i}]`, names, isInit: true }));
  }
  for (const [i, c] of containers) errs.push(...validateContainer(c, { path: `${path}.containers[${i}]`, names, isInit: false }));
  errs.push(...validateEnum(spec.restartPolicy, restartPolicies, `${path}.restartPolicy`));
  errs.push(...validateEnum(spec.dnsPolicy, dnsPolicies, `${path}.dnsPolicy`));
  errs.push(...validateDNSConfig(spec, path));
  for (const field of ['hostname', 'subdomain'] as const) {
    const value = str(spec[field]);
    if (value) for (const msg of dns1123LabelErrors(value)) errs.push(fieldErrors.invalid(`${path}.${field}`, value, msg));
  }
  const nodeName = str(spec.nodeName);
  if (nodeName) for (const msg of dns1123SubdomainErrors(nodeName)) errs.push(fieldErrors.invalid(`${path}.nodeName`, nodeName, msg));
  errs.push(...validateNonNegative(spec.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`));
  const deadline = num(spec.activeDeadlineSeconds);
  if (deadline !== undefined && (deadline < 1 || deadline > 2147483647)) {
    errs.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, deadline, 'must be between 1 and 2147483647, inclusive'));
  }
  return errs;
}

interface ContainerContext {
  path: string;
  names: Set<string>;
  isInit: boolean;
}

function validateContainer(c: Obj, ctx: ContainerContext): FieldError[] {
  const { path } = ctx;
  const errs: FieldError[] = [];
  const name = str(c.name) ?? '';
  if (!name) errs.push(fieldErrors.required(`${path}.name`, ''));
  else {
    for (const msg of dns1123LabelErrors(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
    if (ctx.names.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    ctx.names.add(name);
  }
  const image = str(c.image) ?? '';
  if (!image) errs.push(fieldErrors.required(`${path}.image`, ''));
  else if (image.trim() !== image) errs.push(fieldErrors.invalid(`${path}.image`, image, 'must not have leading or trailing whitespace'));
  errs.push(...validateEnum(c.imagePullPolicy, pullPolicies, `${path}.imagePullPolicy`, false));
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (c[probe] === undefined || c[probe] === null) continue;
    if (ctx.isInit && c.restartPolicy !== 'Always') {
      errs.push(fieldErrors.forbidden(`${path}.${probe}`, 'may not be set for init containers without restartPolicy=Always'));
      continue;
    }
    errs.push(...validateProbe(rec(c[probe]) ?? {}, `${path}.${probe}`, probe !== 'readinessProbe'));
  }
  const lifecycle = rec(c.lifecycle);
  for (const hook of ['postStart', 'preStop'] as const) {
    const handler = rec(lifecycle?.[hook]);
    if (handler) errs.push(...validateHandler(handler, `${path}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}

function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [i, p] of records(ports)) {
    const pp = `${path}[${i}]`;
    const name = str(p.name);
    if (name) {
      for (const msg of portNameErrors(name)) errs.push(fieldErrors.invalid(`${pp}.name`, name, msg));
      if (names.has(name)) errs.push(fieldErrors.duplicate(`${pp}.name`, name));
      names.add(name);
    }
    const containerPort = num(p.containerPort) ?? 0;
    if (containerPort === 0) errs.push(fieldErrors.required(`${pp}.containerPort`, ''));
    else for (const msg of portNumErrors(containerPort)) errs.push(fieldErrors.invalid(`${pp}.containerPort`, containerPort, msg));
    const hostPort = num(p.hostPort) ?? 0;
    if (hostPort !== 0) for (const msg of portNumErrors(hostPort)) errs.push(fieldErrors.invalid(`${pp}.hostPort`, hostPort, msg));
    errs.push(...validateEnum(p.protocol, protocols, `${pp}.protocol`));
  }
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, e] of records(env)) {
    const name = str(e.name) ?? '';
    if (!name) errs.push(fieldErrors.required(`${path}[${i}].name`, ''));
    const from = rec(e.valueFrom);
    if (from && e.value !== undefined && e.value !== '') {
      errs.push(fieldErrors.invalid(`${path}[${i}].valueFrom`, '', 'may not be specified when `value` is not empty'));
    }
    const fieldRef = rec(from?.fieldRef);
    if (fieldRef && !str(fieldRef.fieldPath)) errs.push(fieldErrors.required(`${path}[${i}].valueFrom.fieldRef.fieldPath`, ''));
  }
  return errs;
}

function validateProbe(probe: Obj, path: string, successMustBeOne: boolean): FieldError[] {
  const errs = validateHandler(probe, path, handlerKinds);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonNegative(probe[field], `${path}.${field}`));
  }
  const success = num(probe.successThreshold);
  if (successMustBeOne && success !== undefined && success !== 1) {
    errs.push(fieldErrors.invalid(`${path}.successThreshold`, success, 'must be 1'));
  }
  const grace = num(probe.terminationGracePeriodSeconds);
  if (grace !== undefined && grace <= 0) {
    errs.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than 0'));
  }
  return errs;
}

/** A probe or lifecycle hook must name exactly one action. */
function validateHandler(handler: Obj, path: string, kinds: string[]): FieldError[] {
  const present = kinds.filter((k) => handler[k] !== undefined && handler[k] !== null);
  if (present.length === 0) return [fieldErrors.required(path, 'must specify a handler type')];
  const errs: FieldError[] = present.slice(1).map((k) => fieldErrors.forbidden(`${path}.${k}`, 'may not specify more than 1 handler type'));
  const httpGet = rec(handler.httpGet);
  if (httpGet) {
    errs.push(...validatePortNumOrName(httpGet.port, `${path}.httpGet.port`));
    errs.push(...validateEnum(httpGet.scheme, ['HTTP', 'HTTPS'], `${path}.httpGet.scheme`, false));
  }
  const tcp = rec(handler.tcpSocket);
  if (tcp) errs.push(...validatePortNumOrName(tcp.port, `${path}.tcpSocket.port`));
  const exec = rec(handler.exec);
  if (exec && list(exec.command).length === 0) errs.push(fieldErrors.required(`${path}.exec.command`, ''));
  return errs;
}

function validateDNSConfig(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const config = rec(spec.dnsConfig);
  if (spec.dnsPolicy === 'None' && !config) {
    return [fieldErrors.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None')];
  }
  if (!config) return errs;
  const nameservers = list(config.nameservers);
  if (spec.dnsPolicy === 'None' && nameservers.length === 0) {
    errs.push(fieldErrors.required(`${path}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  }
  if (nameservers.length > 3) {
    errs.push(fieldErrors.invalid(`${path}.dnsConfig.nameservers`, nameservers, 'must not have more than 3 nameservers'));
  }
  nameservers.forEach((ns, i) => {
    if (!isIP(String(ns))) errs.push(fieldErrors.invalid(`${path}.dnsConfig.nameservers[${i}]`, ns, 'must be valid IP address'));
  });
  const searches = list(config.searches);
  if (searches.length > 32) errs.push(fieldErrors.invalid(`${path}.dnsConfig.searches`, searches, 'must not have more than 32 search paths'));
  searches.forEach((s, i) => {
    const domain = String(s).replace(/\.$/, '');
    for (const msg of dns1123SubdomainErrors(domain)) errs.push(fieldErrors.invalid(`${path}.dnsConfig.searches[${i}]`, s, msg));
  });
  for (const [i, option] of records(config.options)) {
    if (!str(option.name)) errs.push(fieldErrors.required(`${path}.dnsConfig.options[${i}]`, 'Option.Name must not be empty'));
  }
  return errs;
}

export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** A pod's spec is fixed once created, apart from the fields named in the message. */
export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const spec = rec(pod.spec) ?? {};
  const oldSpec = rec(old.spec) ?? {};
  errs.push(...validatePodSpec(spec, 'spec'));
  errs.push(...validateDeadlineUpdate(spec.activeDeadlineSeconds, oldSpec.activeDeadlineSeconds));
  if (!deepEqual(mutableFieldsCleared(spec, oldSpec), mutableFieldsCleared(oldSpec, oldSpec))) {
    errs.push(fieldErrors.forbidden('spec', podUpdateForbiddenMessage));
  }
  return errs;
}

function validateDeadlineUpdate(value: unknown, old: unknown): FieldError[] {
  const path = 'spec.activeDeadlineSeconds';
  if (typeof old !== 'number') return [];
  if (typeof value !== 'number') return [fieldErrors.invalid(path, value ?? null, 'must not update from a positive integer to nil value')];
  if (value > old) return [fieldErrors.invalid(path, value, 'must be less than or equal to previous value')];
  return [];
}

/** The spec with every updatable field replaced by the old value, for comparison. */
function mutableFieldsCleared(spec: Obj, oldSpec: Obj): Obj {
  const copy: Obj = { ...spec };
  copy.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  copy.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  for (const key of ['containers', 'initContainers'] as const) {
    copy[key] = list(spec[key]).map((c) => {
      const cr = rec(c);
      return cr ? { ...cr, image: undefined } : c;
    });
  }
  // Tolerations may only be added: the old ones must all still be there.
  const tolerations = list(spec.tolerations);
  const oldTolerations = list(oldSpec.tolerations);
  const keepsOld = oldTolerations.every((t) => tolerations.some((n) => deepEqual(n, t)));
  copy.tolerations = keepsOld ? oldSpec.tolerations : spec.tolerations;
  return copy;
}

export function validatePodStatusUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const status = rec(pod.status) ?? {};
  const podIP = str(status.podIP);
  if (podIP && !isIP(podIP)) errs.push(fieldErrors.invalid('status.podIP', podIP, 'must be a valid IP address'));
  for (const [i, entry] of records(status.podIPs)) {
    const ip = str(entry.ip) ?? '';
    if (!isIP(ip)) errs.push(fieldErrors.invalid(`status.podIPs[${i}].ip`, ip, 'must be a valid IP address'));
  }
  return errs;
}
