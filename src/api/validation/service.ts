/**
 * Service validation (pkg/apis/core/validation: ValidateService, ValidateServiceUpdate,
 * ValidateServiceStatusUpdate). Runs after defaulting and after the API server has
 * allocated clusterIPs/ipFamilies, so fields defaulting fills are required here.
 * Not here (the API server does them): whether an IP is in the service CIDR or free,
 * and the NodePort range and allocation.
 */
import { type FieldError, fieldErrors } from '../field.js';
import { type Obj, list, num, rec, records, str } from './access.js';
import { validateEnum, validateImmutable, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  ipErrors,
  isCIDR,
  isIP,
  isIPv4,
  nameIsDNS1035Label,
  portNameErrors,
  portNumErrors,
  qualifiedNameErrors,
  specialIPErrors,
} from './names.js';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const affinities = ['ClientIP', 'None'];
const trafficPolicies = ['Cluster', 'Local'];
const ipFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const ipFamilies = ['IPv4', 'IPv6'];
const maxClientIPAffinitySeconds = 86400;
const onlyLoadBalancer = "may only be used when `type` is 'LoadBalancer'";

function specOf(svc: Obj): Obj {
  return rec(svc.spec) ?? {};
}

function isExternallyAccessible(spec: Obj): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer' || list(spec.externalIPs).length > 0;
}

export function validateService(svc: Obj): FieldError[] {
  const spec = specOf(svc);
  const type = str(spec.type);
  const headless = spec.clusterIP === 'None';
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, validateName: nameIsDNS1035Label });
  errs.push(...validateEnum(type, serviceTypes, 'spec.type'));
  if (list(spec.ports).length === 0 && !headless && type !== 'ExternalName') errs.push(fieldErrors.required('spec.ports', ''));
  if (type === 'ExternalName') errs.push(...validateExternalName(spec));
  else errs.push(...validateClusterIPs(spec), ...validateIPFamilies(spec));
  errs.push(...validatePorts(spec));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...validateSessionAffinity(spec));
  errs.push(...validateExternalIPs(spec));
  errs.push(...validateLoadBalancerFields(svc, spec));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

function validateExternalName(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const forbidden = 'may not be set for ExternalName services';
  if (str(spec.clusterIP)) errs.push(fieldErrors.forbidden('spec.clusterIP', forbidden));
  else if (list(spec.clusterIPs).length > 0) errs.push(fieldErrors.forbidden('spec.clusterIPs', forbidden));
  if (list(spec.ipFamilies).length > 0) errs.push(fieldErrors.forbidden('spec.ipFamilies', forbidden));
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(fieldErrors.forbidden('spec.ipFamilyPolicy', forbidden));
  // The CNAME target may end with a dot to mark it fully qualified.
  const name = (str(spec.externalName) ?? '').replace(/\.$/, '');
  if (!name) errs.push(fieldErrors.required('spec.externalName', ''));
  else for (const msg of dns1123SubdomainErrors(name)) errs.push(fieldErrors.invalid('spec.externalName', name, msg));
  return errs;
}

function validateClusterIPs(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const clusterIP = str(spec.clusterIP) ?? '';
  const clusterIPs = list(spec.clusterIPs).map(String);
  if (clusterIP === 'None' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) {
    errs.push(fieldErrors.invalid('spec.clusterIP', clusterIP, `may not be set to 'None' for ${String(spec.type)} services`));
  }
  if (clusterIP && clusterIP !== 'None' && !isIP(clusterIP)) {
    errs.push(fieldErrors.invalid('spec.clusterIP', clusterIP, "must be empty, 'None', or a valid IP address"));
  }
  if (clusterIPs.length === 0) return errs;
  if (!clusterIP) {
    errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, 'must be empty when `clusterIP` is not specified'));
    return errs;
  }
  if (clusterIPs[0] !== clusterIP) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', clusterIPs[0], 'must match `clusterIP`'));
  if (clusterIPs.length > 2) errs.push(fieldErrors.tooMany('spec.clusterIPs', clusterIPs.length, 2));
  if (clusterIP === 'None' && clusterIPs.length > 1) {
    errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, "must not have more than one value when `clusterIP` is 'None'"));
  }
  errs.push(...validateClusterIPFamilies(spec, clusterIPs));
  return errs;
}

function validateClusterIPFamilies(spec: Obj, clusterIPs: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const families = list(spec.ipFamilies).map(String);
  clusterIPs.forEach((ip, i) => {
    if (ip === 'None') return;
    if (!isIP(ip)) {
      errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, ip, "must be empty, 'None', or a valid IP address"));
      return;
    }
    const family = families[i];
    const actual = isIPv4(ip) ? 'IPv4' : 'IPv6';
    if (family && family !== actual) {
      errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, ip, `expected an ${family} value as indicated by \`ipFamilies[${i}]\``));
    }
  });
  const [first, second] = clusterIPs;
  if (first && second && isIP(first) && isIP(second) && isIPv4(first) === isIPv4(second)) {
    errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  return errs;
}

/**
 * ipFamilies are set by the API server at allocation time (a single-stack cluster gives
 * [IPv4]); they are checked only when present so validation may run before allocation.
 */
function validateIPFamilies(spec: Obj): FieldError[] {
  const errs = validateEnum(spec.ipFamilyPolicy, ipFamilyPolicies, 'spec.ipFamilyPolicy', false);
  const families = list(spec.ipFamilies);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    const family = String(f);
    if (!ipFamilies.includes(family)) errs.push(fieldErrors.notSupported(`spec.ipFamilies[${i}]`, f, ipFamilies));
    else if (seen.has(family)) errs.push(fieldErrors.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(family);
  });
  if (families.length > 2) errs.push(fieldErrors.tooMany('spec.ipFamilies', families.length, 2));
  if (families.length > 1 && spec.ipFamilyPolicy === 'SingleStack') {
    errs.push(fieldErrors.invalid('spec.ipFamilies', families, 'when multiple IP families are specified, the `ipFamilyPolicy` must be PreferDualStack or RequireDualStack'));
  }
  return errs;
}

function validatePorts(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ports = records(spec.ports);
  const names = new Set<string>();
  const portKeys = new Set<string>();
  const nodePortKeys = new Set<string>();
  for (const [i, port] of ports) {
    const path = `spec.ports[${i}]`;
    errs.push(...validateServicePort(port, { path, requireName: list(spec.ports).length > 1, names }));
    const protocol = str(port.protocol) ?? '';
    const key = `${protocol}/${String(port.port)}`;
    if (portKeys.has(key)) errs.push(fieldErrors.duplicate(path, { port: port.port, protocol }));
    portKeys.add(key);
    const nodePort = num(port.nodePort) ?? 0;
    if (nodePort === 0) continue;
    if (spec.type === 'ClusterIP') {
      errs.push(fieldErrors.forbidden(`${path}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    } else {
      for (const msg of portNumErrors(nodePort)) errs.push(fieldErrors.invalid(`${path}.nodePort`, nodePort, msg));
    }
    const nodeKey = `${protocol}/${nodePort}`;
    if (nodePortKeys.has(nodeKey)) errs.push(fieldErrors.duplicate(`${path}.nodePort`, nodePort));
    nodePortKeys.add(nodeKey);
  }
  return errs;
}

function validateServicePort(port: Obj, opts: { path: string; requireName: boolean; names: Set<string> }): FieldError[] {
  const { path } = opts;
  const errs: FieldError[] = [];
  const name = str(port.name) ?? '';
  if (opts.requireName && !name) errs.push(fieldErrors.required(`${path}.name`, ''));
  else if (name) {
    for (const msg of dns1123LabelErrors(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
    if (opts.names.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    opts.names.add(name);
  }
  const portNum = num(port.port) ?? 0;
  for (const msg of portNumErrors(portNum)) errs.push(fieldErrors.invalid(`${path}.port`, portNum, msg));
  errs.push(...validateEnum(port.protocol, protocols, `${path}.protocol`));
  errs.push(...validatePortNumOrName(port.targetPort, `${path}.targetPort`));
  const appProtocol = str(port.appProtocol);
  if (appProtocol !== undefined) {
    for (const msg of qualifiedNameErrors(appProtocol)) errs.push(fieldErrors.invalid(`${path}.appProtocol`, appProtocol, msg));
  }
  return errs;
}

/** An IntOrString port: a number 1-65535 or an IANA_SVC_NAME. */
export function validatePortNumOrName(value: unknown, path: string): FieldError[] {
  if (typeof value === 'number') return portNumErrors(value).map((msg) => fieldErrors.invalid(path, value, msg));
  if (typeof value === 'string') return portNameErrors(value).map((msg) => fieldErrors.invalid(path, value, msg));
  return [fieldErrors.invalid(path, value ?? 0, portNumErrors(0)[0] ?? '')];
}

function validateSessionAffinity(spec: Obj): FieldError[] {
  const errs = validateEnum(spec.sessionAffinity, affinities, 'spec.sessionAffinity');
  const config = rec(spec.sessionAffinityConfig);
  if (spec.sessionAffinity === 'None' && config) {
    errs.push(fieldErrors.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (spec.sessionAffinity !== 'ClientIP') return errs;
  const clientIP = rec(config?.clientIP);
  if (!config) return [...errs, fieldErrors.required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP')];
  if (!clientIP) return [...errs, fieldErrors.required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP')];
  const timeout = num(clientIP.timeoutSeconds) ?? 0;
  if (timeout <= 0 || timeout > maxClientIPAffinitySeconds) {
    errs.push(
      fieldErrors.invalid(
        'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
        timeout,
        `must be greater than 0 and less than ${maxClientIPAffinitySeconds}`,
      ),
    );
  }
  return errs;
}

function validateExternalIPs(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  list(spec.externalIPs).forEach((value, i) => {
    const ip = String(value);
    const msgs = ipErrors(ip);
    for (const msg of msgs.length ? msgs : specialIPErrors(ip)) errs.push(fieldErrors.invalid(`spec.externalIPs[${i}]`, ip, msg));
  });
  return errs;
}

const sourceRangesAnnotation = 'service.beta.kubernetes.io/load-balancer-source-ranges';

function validateLoadBalancerFields(svc: Obj, spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const isLB = spec.type === 'LoadBalancer';
  const ranges = list(spec.loadBalancerSourceRanges).map((r) => String(r).trim());
  const annotation = str(rec(rec(svc.metadata)?.annotations)?.[sourceRangesAnnotation]);
  if (ranges.length > 0 || annotation !== undefined) {
    // Upstream reports the field with a capital L; kept for message parity.
    const path = ranges.length > 0 ? 'spec.LoadBalancerSourceRanges' : `metadata.annotations[${sourceRangesAnnotation}]`;
    const values = ranges.length > 0 ? ranges : (annotation ?? '').split(',').map((r) => r.trim());
    if (!isLB) errs.push(fieldErrors.forbidden(path, onlyLoadBalancer));
    if (!values.every(isCIDR)) {
      errs.push(fieldErrors.invalid(path, ranges.length > 0 ? `[${ranges.join(' ')}]` : annotation, 'must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 '));
    }
  }
  if (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null) {
    if (isLB) errs.push(fieldErrors.required('spec.allocateLoadBalancerNodePorts', ''));
  } else if (!isLB) {
    errs.push(fieldErrors.forbidden('spec.allocateLoadBalancerNodePorts', onlyLoadBalancer));
  }
  const lbClass = str(spec.loadBalancerClass);
  if (lbClass !== undefined) {
    if (!isLB) errs.push(fieldErrors.forbidden('spec.loadBalancerClass', onlyLoadBalancer));
    for (const msg of qualifiedNameErrors(lbClass)) errs.push(fieldErrors.invalid('spec.loadBalancerClass', lbClass, msg));
  }
  return errs;
}

function validateTrafficPolicies(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const etp = spec.externalTrafficPolicy;
  if (!isExternallyAccessible(spec)) {
    if (etp) errs.push(fieldErrors.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else {
    errs.push(...validateEnum(etp, trafficPolicies, 'spec.externalTrafficPolicy'));
  }
  // healthCheckNodePort is allocated by the API server when needed; only its misuse is checked.
  const hc = num(spec.healthCheckNodePort) ?? 0;
  const needsHealthCheck = spec.type === 'LoadBalancer' && etp === 'Local';
  if (hc !== 0 && !needsHealthCheck) {
    errs.push(fieldErrors.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc !== 0) {
    for (const msg of portNumErrors(hc)) errs.push(fieldErrors.invalid('spec.healthCheckNodePort', hc, msg));
  }
  if (spec.type !== 'ExternalName') errs.push(...validateEnum(spec.internalTrafficPolicy, trafficPolicies, 'spec.internalTrafficPolicy'));
  return errs;
}

export function validateServiceUpdate(svc: Obj, old: Obj): FieldError[] {
  const spec = specOf(svc);
  const oldSpec = specOf(old);
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  // clusterIP may change only to or from ExternalName (which has none).
  if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName') {
    if (str(oldSpec.clusterIP)) errs.push(...validateImmutable(spec.clusterIP, oldSpec.clusterIP, 'spec.clusterIP'));
    errs.push(...validateSecondaryChange(list(spec.clusterIPs), list(oldSpec.clusterIPs), 'spec.clusterIPs'));
    errs.push(...validateSecondaryChange(list(spec.ipFamilies), list(oldSpec.ipFamilies), 'spec.ipFamilies', true));
  }
  if (spec.type === 'LoadBalancer' && oldSpec.type === 'LoadBalancer' && oldSpec.loadBalancerClass !== undefined) {
    errs.push(...validateImmutable(spec.loadBalancerClass, oldSpec.loadBalancerClass, 'spec.loadBalancerClass'));
  }
  const needsHC = (s: Obj): boolean => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (needsHC(spec) && needsHC(oldSpec) && num(oldSpec.healthCheckNodePort)) {
    errs.push(...validateImmutable(spec.healthCheckNodePort, oldSpec.healthCheckNodePort, 'spec.healthCheckNodePort'));
  }
  errs.push(...validateService(svc));
  return errs;
}

/** Entries present in both lists may not change; the secondary entry may be added or removed. */
function validateSecondaryChange(values: unknown[], old: unknown[], path: string, includePrimary = false): FieldError[] {
  const errs: FieldError[] = [];
  const start = includePrimary ? 0 : 1; // the primary clusterIP is covered by spec.clusterIP
  for (let i = start; i < Math.min(values.length, old.length); i++) {
    if (values[i] !== old[i]) errs.push(fieldErrors.invalid(`${path}[${i}]`, values[i], 'may not change once set'));
  }
  return errs;
}

export function validateServiceStatusUpdate(svc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const ingress = records(rec(rec(svc.status)?.loadBalancer)?.ingress);
  for (const [i, entry] of ingress) {
    const path = `status.loadBalancer.ingress[${i}]`;
    const ip = str(entry.ip);
    if (ip !== undefined && ip !== '' && !isIP(ip)) errs.push(fieldErrors.invalid(`${path}.ip`, ip, 'must be a valid IP address'));
    const hostname = str(entry.hostname);
    if (hostname) {
      for (const msg of dns1123SubdomainErrors(hostname)) errs.push(fieldErrors.invalid(`${path}.hostname`, hostname, msg));
      if (isIP(hostname)) errs.push(fieldErrors.invalid(`${path}.hostname`, hostname, 'must be a DNS name, not an IP address'));
    }
    if (entry.ipMode !== undefined) {
      if (!ip) errs.push(fieldErrors.forbidden(`${path}.ipMode`, 'may not be specified when `ip` is not'));
      errs.push(...validateEnum(entry.ipMode, ['Proxy', 'VIP'], `${path}.ipMode`));
    }
  }
  return errs;
}
