/**
 * The pod's hostname and domain as the kubelet derives them (GeneratePodHostNameAndDomain,
 * GetNodenameForKernel): spec.hostname or the pod name, capped at 63 characters; the domain
 * `<subdomain>.<ns>.svc.<clusterDomain>` only when spec.subdomain is set.
 */
import type { KubeObject } from '../../api/types.js';
import { namespaceOf, podSpecOf, type PodSpecResult } from './types.js';

/** The kernel's nodename field holds 64 bytes including the terminating NUL. */
const hostnameMaxLength = 63;
/** The kubelet allows one more character for a FQDN kernel hostname. */
const fqdnMaxLength = 64;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface PodHostname {
  /** Short hostname: what /etc/hosts lists and `hostname` prints without setHostnameAsFQDN. */
  hostname: string;
  /** `<subdomain>.<ns>.svc.<clusterDomain>`, or undefined without spec.subdomain. */
  hostDomain?: string;
  /** `<hostname>.<hostDomain>` when a domain exists. */
  fqdn?: string;
  /** What goes into the pod's UTS namespace: the FQDN with setHostnameAsFQDN, else hostname. */
  kernelHostname: string;
  /** hostNetwork pods share the node's UTS namespace: the agent must not set a hostname. */
  usesNodeHostname: boolean;
}

export interface HostnameOptions {
  clusterDomain?: string;
}

export function hostnameOf(pod: KubeObject, options: HostnameOptions = {}): PodSpecResult<PodHostname> {
  const spec = podSpecOf(pod);
  const podName = pod.metadata.name ?? '';
  let hostname = podName;
  if (spec.hostname) {
    const problem = dns1123LabelProblem(spec.hostname);
    if (problem) return sandboxError(`pod Hostname "${spec.hostname}" is not a valid DNS label: ${problem}`);
    hostname = spec.hostname;
  }
  const truncated = truncateHostname(hostname);
  if (!truncated) return sandboxError(`hostname for pod "${podName}" was invalid: "${hostname}"`);

  let hostDomain: string | undefined;
  if (spec.subdomain) {
    const problem = dns1123LabelProblem(spec.subdomain);
    if (problem) return sandboxError(`pod Subdomain "${spec.subdomain}" is not a valid DNS label: ${problem}`);
    hostDomain = `${spec.subdomain}.${namespaceOf(pod)}.svc.${options.clusterDomain ?? 'cluster.local'}`;
  }
  const fqdn = hostDomain === undefined ? undefined : `${truncated}.${hostDomain}`;
  let kernelHostname = truncated;
  if (fqdn !== undefined && spec.setHostnameAsFQDN === true) {
    if (fqdn.length > fqdnMaxLength) {
      return sandboxError(
        `failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long ` +
          `(${fqdnMaxLength} characters is the max, ${fqdn.length} characters requested)`,
      );
    }
    kernelHostname = fqdn;
  }
  const value: PodHostname = { hostname: truncated, kernelHostname, usesNodeHostname: spec.hostNetwork === true };
  if (hostDomain !== undefined) value.hostDomain = hostDomain;
  if (fqdn !== undefined) value.fqdn = fqdn;
  return { ok: true, value };
}

/** Cut to 63 characters, then drop trailing '-' and '.' so the result stays a valid label. */
export function truncateHostname(hostname: string): string {
  if (hostname.length <= hostnameMaxLength) return hostname;
  return hostname.slice(0, hostnameMaxLength).replace(/[-.]+$/, '');
}

function dns1123LabelProblem(value: string): string | undefined {
  const problems: string[] = [];
  if (value.length > hostnameMaxLength) problems.push(`must be no more than ${hostnameMaxLength} characters`);
  if (!dns1123Label.test(value)) {
    problems.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start " +
        "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return problems.length > 0 ? problems.join(';') : undefined;
}

function sandboxError(message: string): PodSpecResult<PodHostname> {
  return { ok: false, error: { reason: 'CreatePodSandboxError', message } };
}
