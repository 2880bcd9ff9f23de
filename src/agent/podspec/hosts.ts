/**
 * The /etc/hosts file the kubelet mounts into every container (managedHostsFileContent,
 * nodeHostsFileContent). The file is mode 0644 and rewritten whenever a container starts.
 */
import type { KubeObject } from '../../api/types.js';
import { hostnameOf } from './hostname.js';
import { podSpecOf, type HostAlias, type PodSpecResult } from './types.js';

export const managedHostsHeader = '# Kubernetes-managed hosts file.\n';
export const managedHostsHeaderWithHostNetwork = '# Kubernetes-managed hosts file (host network).\n';

/** The fixed loopback and IPv6 lines, exactly as the kubelet writes them. */
const localhostEntries =
  '127.0.0.1\tlocalhost\n' +
  '::1\tlocalhost ip6-localhost ip6-loopback\n' +
  'fe00::0\tip6-localnet\n' +
  'fe00::0\tip6-mcastprefix\n' +
  'fe00::1\tip6-allnodes\n' +
  'fe00::2\tip6-allrouters\n';

export interface HostsFileOptions {
  /** status.podIPs, primary first; one line per IP (dual-stack pods get two). */
  podIPs: string[];
  clusterDomain?: string;
  /** Overrides spec.hostAliases when given. */
  hostAliases?: HostAlias[];
  /** The node's /etc/hosts content; used (and required) for hostNetwork pods. */
  nodeHostsFile?: string;
}

/**
 * The kubelet only manages /etc/hosts once the pod has an IP, or for hostNetwork pods; a
 * container that mounts its own volume at /etc/hosts also opts out (the caller checks that).
 */
export function shouldManageHostsFile(pod: KubeObject, podIPs: string[]): boolean {
  return podIPs.length > 0 || podSpecOf(pod).hostNetwork === true;
}

export function hostsFile(pod: KubeObject, options: HostsFileOptions): PodSpecResult<string> {
  const spec = podSpecOf(pod);
  const aliases = options.hostAliases ?? spec.hostAliases ?? [];
  if (spec.hostNetwork === true) {
    const content = managedHostsHeaderWithHostNetwork + (options.nodeHostsFile ?? '') + hostAliasEntries(aliases);
    return { ok: true, value: content };
  }
  const name = hostnameOf(pod, { clusterDomain: options.clusterDomain });
  if (!name.ok) return name;
  const { hostname, fqdn } = name.value;
  const podLines = options.podIPs.map((ip) => (fqdn ? `${ip}\t${fqdn}\t${hostname}\n` : `${ip}\t${hostname}\n`));
  const content = managedHostsHeader + localhostEntries + podLines.join('') + hostAliasEntries(aliases);
  return { ok: true, value: content };
}

/** One line per alias entry: the IP, then all its hostnames, tab-separated. */
function hostAliasEntries(aliases: HostAlias[]): string {
  if (aliases.length === 0) return '';
  const lines = aliases.map((alias) => `${alias.ip}\t${(alias.hostnames ?? []).join('\t')}\n`);
  return '\n# Entries added by HostAliases.\n' + lines.join('');
}
