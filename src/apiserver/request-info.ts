/**
 * Parses an API path into what it addresses, as kube-apiserver's RequestInfoFactory does:
 * `/api/v1/namespaces/default/services/x/status` -> services "x" in default, subresource status.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';

export interface ResourceRequest {
  group: string;
  version: string;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Extra path after the subresource (for proxy). */
  rest: string[];
}

export type PathTarget =
  | { kind: 'resource'; request: ResourceRequest }
  | { kind: 'group-version'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'unknown-resource'; group: string; version: string; resource: string }
  | { kind: 'other' };

export function parseApiPath(pathname: string): PathTarget {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts[1] !== undefined) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
    if (version === undefined) return { kind: 'group', group };
  } else {
    return { kind: 'other' };
  }
  if (version === undefined) return { kind: 'other' };
  if (rest.length === 0) return { kind: 'group-version', group, version };
  return resourceTarget(group, version, rest);
}

function resourceTarget(group: string, version: string, parts: string[]): PathTarget {
  let namespace: string | undefined;
  let remaining = parts;
  // `namespaces/<ns>/<resource>` is a namespaced path unless <resource> is a subresource of namespaces.
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    const candidate = findResource(group, parts[2] as string);
    if (candidate?.namespaced) {
      namespace = parts[1];
      remaining = parts.slice(2);
    }
  }
  const [plural, name, subresource, ...extra] = remaining as [string, string?, string?, ...string[]];
  const info = findResource(group, plural);
  if (!info || info.version !== version) return { kind: 'unknown-resource', group, version, resource: plural };
  return { kind: 'resource', request: { group, version, info, namespace, name, subresource, rest: extra } };
}
