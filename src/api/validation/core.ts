/**
 * The smaller kinds: Namespace, ConfigMap, Secret, ServiceAccount, Node, Event (core/v1)
 * and Lease (coordination.k8s.io/v1).
 */
import { type FieldError, fieldErrors } from '../field.js';
import { type Obj, deepEqual, list, num, rec, records, str } from './access.js';
import { validateEnum, validateImmutable, validateNonNegative, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { configKeyErrors, isCIDR, nameIsDNSLabel, nameIsDNSSubdomain, qualifiedNameErrors } from './names.js';

const maxDataSize = 1024 * 1024;

export function validateNamespace(ns: Obj): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, validateName: nameIsDNSLabel });
  list(rec(ns.spec)?.finalizers).forEach((f, i) => errs.push(...validateFinalizerName(String(f), `spec.finalizers[${i}]`)));
  return errs;
}

function validateFinalizerName(name: string, path: string): FieldError[] {
  const errs = qualifiedNameErrors(name).map((msg) => fieldErrors.invalid(path, name, msg));
  if (errs.length === 0 && !name.includes('/') && name !== 'kubernetes') {
    errs.push(fieldErrors.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

/** Keys of data/binaryData/stringData, their overlap and the 1 MiB total. */
function validateDataKeys(obj: Obj, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let size = 0;
  for (const field of fields) {
    for (const [key, value] of Object.entries(rec(obj[field]) ?? {})) {
      for (const msg of configKeyErrors(key)) errs.push(fieldErrors.invalid(`${field}[${key}]`, key, msg));
      if (seen.has(key) && field === 'binaryData') errs.push(fieldErrors.invalid(`${field}[${key}]`, key, 'duplicate of key present in data'));
      seen.add(key);
      size += key.length + (typeof value === 'string' ? value.length : 0);
    }
  }
  if (size > maxDataSize) errs.push(fieldErrors.tooLong('', '', maxDataSize));
  return errs;
}

export function validateConfigMap(cm: Obj): FieldError[] {
  return [
    ...validateObjectMeta(cm.metadata, { namespaced: true, validateName: nameIsDNSSubdomain }),
    ...validateDataKeys(cm, ['data', 'binaryData']),
  ];
}

/** Keys each built-in Secret type must carry in `data`. */
const requiredSecretKeys: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(secret: Obj): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, { namespaced: true, validateName: nameIsDNSSubdomain });
  errs.push(...validateDataKeys(secret, ['data', 'stringData']));
  const type = str(secret.type) ?? 'Opaque';
  const keys = new Set([...Object.keys(rec(secret.data) ?? {}), ...Object.keys(rec(secret.stringData) ?? {})]);
  for (const key of requiredSecretKeys[type] ?? []) {
    if (!keys.has(key)) errs.push(fieldErrors.required(`data[${key}]`, ''));
  }
  if (type === 'kubernetes.io/basic-auth' && !keys.has('username') && !keys.has('password')) {
    errs.push(fieldErrors.required('data[username]', ''), fieldErrors.required('data[password]', ''));
  }
  if (type === 'kubernetes.io/service-account-token') {
    const annotation = 'kubernetes.io/service-account.name';
    if (!str(rec(rec(secret.metadata)?.annotations)?.[annotation])) {
      errs.push(fieldErrors.required(`metadata.annotations[${annotation}]`, ''));
    }
  }
  return errs;
}

const immutableDataMessage = 'field is immutable when `immutable` is set';

/** ConfigMaps and Secrets marked `immutable: true` keep their data, and the mark, forever. */
export function validateDataUpdate(obj: Obj, old: Obj, fields: string[]): FieldError[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  if (old.immutable !== true) return errs;
  if (obj.immutable !== true) errs.push(fieldErrors.forbidden('immutable', immutableDataMessage));
  for (const field of fields) {
    if (!deepEqual(obj[field] ?? {}, old[field] ?? {})) errs.push(fieldErrors.forbidden(field, immutableDataMessage));
  }
  return errs;
}

export function validateSecretUpdate(secret: Obj, old: Obj): FieldError[] {
  return [...validateDataUpdate(secret, old, ['data']), ...validateImmutable(secret.type ?? 'Opaque', old.type ?? 'Opaque', 'type')];
}

export function validateNode(node: Obj): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, validateName: nameIsDNSSubdomain });
  const spec = rec(node.spec) ?? {};
  list(spec.podCIDRs).forEach((cidr, i) => {
    if (!isCIDR(String(cidr))) errs.push(fieldErrors.invalid(`spec.podCIDRs[${i}]`, cidr, 'must be a valid CIDR'));
  });
  if (list(spec.podCIDRs).length > 2) errs.push(fieldErrors.tooMany('spec.podCIDRs', list(spec.podCIDRs).length, 2));
  for (const [i, taint] of records(spec.taints)) {
    const path = `spec.taints[${i}]`;
    const key = str(taint.key) ?? '';
    if (!key) errs.push(fieldErrors.required(`${path}.key`, ''));
    else for (const msg of qualifiedNameErrors(key)) errs.push(fieldErrors.invalid(`${path}.key`, key, msg));
    errs.push(...validateEnum(taint.effect, ['NoExecute', 'NoSchedule', 'PreferNoSchedule'], `${path}.effect`));
  }
  return errs;
}

export function validateEvent(event: Obj): FieldError[] {
  const errs = validateObjectMeta(event.metadata, { namespaced: true, validateName: nameIsDNSSubdomain });
  const namespace = str(rec(event.metadata)?.namespace) ?? '';
  const involvedNamespace = str(rec(event.involvedObject)?.namespace) ?? '';
  // Events about cluster-scoped objects live in "default"; otherwise the namespaces agree.
  if (involvedNamespace && involvedNamespace !== namespace) {
    errs.push(fieldErrors.invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace'));
  }
  return errs;
}

export function validateLease(lease: Obj): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, { namespaced: true, validateName: nameIsDNSSubdomain });
  const spec = rec(lease.spec) ?? {};
  const duration = num(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0) {
    errs.push(fieldErrors.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  errs.push(...validateNonNegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}
