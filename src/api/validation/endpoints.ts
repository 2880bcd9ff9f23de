/** core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice. */
import { type FieldError, fieldErrors } from '../field.js';
import { type Obj, list, num, rec, records, str } from './access.js';
import { validateEnum, validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  isIPv4,
  isIPv6,
  ipErrors,
  nameIsDNSSubdomain,
  portNumErrors,
  qualifiedNameErrors,
  specialIPErrors,
} from './names.js';

const protocols = ['SCTP', 'TCP', 'UDP'];
const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const maxEndpoints = 1000;
const maxAddresses = 100;
const maxPorts = 100;
const maxHints = 8;

export function validateEndpoints(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, { namespaced: true, validateName: nameIsDNSSubdomain });
  for (const [i, subset] of records(obj.subsets)) {
    const path = `subsets[${i}]`;
    const addresses = records(subset.addresses);
    const notReady = records(subset.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0) {
      errs.push(fieldErrors.required(path, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [j, a] of addresses) errs.push(...validateEndpointAddress(a, `${path}.addresses[${j}]`));
    for (const [j, a] of notReady) errs.push(...validateEndpointAddress(a, `${path}.notReadyAddresses[${j}]`));
    const ports = records(subset.ports);
    for (const [j, p] of ports) errs.push(...validateEndpointPort(p, { path: `${path}.ports[${j}]`, requireName: ports.length > 1 }));
  }
  return errs;
}

function validateEndpointAddress(address: Obj, path: string): FieldError[] {
  const ip = str(address.ip) ?? '';
  const ipMsgs = ipErrors(ip);
  const errs = (ipMsgs.length ? ipMsgs : specialIPErrors(ip)).map((msg) => fieldErrors.invalid(`${path}.ip`, ip, msg));
  const hostname = str(address.hostname);
  if (hostname) for (const msg of dns1123LabelErrors(hostname)) errs.push(fieldErrors.invalid(`${path}.hostname`, hostname, msg));
  const nodeName = str(address.nodeName);
  if (nodeName) for (const msg of dns1123SubdomainErrors(nodeName)) errs.push(fieldErrors.invalid(`${path}.nodeName`, nodeName, msg));
  return errs;
}

function validateEndpointPort(port: Obj, opts: { path: string; requireName: boolean }): FieldError[] {
  const { path } = opts;
  const errs: FieldError[] = [];
  const name = str(port.name) ?? '';
  if (opts.requireName && !name) errs.push(fieldErrors.required(`${path}.name`, ''));
  else if (name) for (const msg of dns1123LabelErrors(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
  const portNum = num(port.port) ?? 0;
  for (const msg of portNumErrors(portNum)) errs.push(fieldErrors.invalid(`${path}.port`, portNum, msg));
  errs.push(...validateEnum(port.protocol, protocols, `${path}.protocol`));
  const appProtocol = str(port.appProtocol);
  if (appProtocol !== undefined) {
    for (const msg of qualifiedNameErrors(appProtocol)) errs.push(fieldErrors.invalid(`${path}.appProtocol`, appProtocol, msg));
  }
  return errs;
}

export function validateEndpointSlice(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, { namespaced: true, validateName: nameIsDNSSubdomain });
  const addressType = str(obj.addressType);
  errs.push(...validateEnum(addressType, addressTypes, 'addressType'));
  const endpoints = records(obj.endpoints);
  if (list(obj.endpoints).length > maxEndpoints) errs.push(fieldErrors.tooMany('endpoints', list(obj.endpoints).length, maxEndpoints));
  for (const [i, ep] of endpoints) errs.push(...validateSliceEndpoint(ep, `endpoints[${i}]`, addressType ?? ''));
  errs.push(...validateSlicePorts(obj.ports));
  return errs;
}

function addressErrors(address: string, addressType: string): string[] {
  if (addressType === 'IPv4') return isIPv4(address) ? [] : ['must be a valid IPv4 address'];
  if (addressType === 'IPv6') return isIPv6(address) ? [] : ['must be a valid IPv6 address'];
  if (addressType === 'FQDN') return dns1123SubdomainErrors(address.replace(/\.$/, ''));
  return [];
}

function validateSliceEndpoint(ep: Obj, path: string, addressType: string): FieldError[] {
  const errs: FieldError[] = [];
  const addresses = list(ep.addresses);
  if (addresses.length === 0) errs.push(fieldErrors.required(`${path}.addresses`, 'must contain at least 1 address'));
  else if (addresses.length > maxAddresses) errs.push(fieldErrors.tooMany(`${path}.addresses`, addresses.length, maxAddresses));
  addresses.forEach((a, j) => {
    for (const msg of addressErrors(String(a), addressType)) errs.push(fieldErrors.invalid(`${path}.addresses[${j}]`, a, msg));
  });
  const hostname = str(ep.hostname);
  if (hostname) for (const msg of dns1123LabelErrors(hostname)) errs.push(fieldErrors.invalid(`${path}.hostname`, hostname, msg));
  const nodeName = str(ep.nodeName);
  if (nodeName) for (const msg of dns1123SubdomainErrors(nodeName)) errs.push(fieldErrors.invalid(`${path}.nodeName`, nodeName, msg));
  const hints = rec(ep.hints);
  for (const field of ['forZones', 'forNodes'] as const) {
    const count = list(hints?.[field]).length;
    if (count > maxHints) errs.push(fieldErrors.tooMany(`${path}.hints.${field}`, count, maxHints));
  }
  return errs;
}

function validateSlicePorts(ports: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const all = list(ports);
  if (all.length > maxPorts) errs.push(fieldErrors.tooMany('ports', all.length, maxPorts));
  const names = new Set<string>();
  for (const [i, port] of records(ports)) {
    const path = `ports[${i}]`;
    const name = str(port.name) ?? '';
    if (name) for (const msg of dns1123LabelErrors(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    names.add(name);
    // A slice port may be absent (all ports); when given it is 1-65535.
    if (port.port !== undefined && port.port !== null) {
      const n = num(port.port) ?? 0;
      for (const msg of portNumErrors(n)) errs.push(fieldErrors.invalid(`${path}.port`, n, msg));
    }
    errs.push(...validateEnum(port.protocol, protocols, `${path}.protocol`));
    const appProtocol = str(port.appProtocol);
    if (appProtocol !== undefined) {
      for (const msg of qualifiedNameErrors(appProtocol)) errs.push(fieldErrors.invalid(`${path}.appProtocol`, appProtocol, msg));
    }
  }
  return errs;
}

export function validateEndpointSliceUpdate(obj: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateImmutable(obj.addressType, old.addressType, 'addressType')];
}
