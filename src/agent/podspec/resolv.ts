/**
 * The pod's resolv.conf per dnsPolicy and dnsConfig, as the kubelet composes it (GetPodDNS)
 * and trims it to the resolver limits.
 */
import type { KubeObject } from '../../api/types.js';
import { formatResolvConf, parseResolvConf, type ResolvConfig } from './resolv-parse.js';
import { namespaceOf, podSpecOf, type PodDNSConfig, type PodDNSConfigOption } from './types.js';

/** glibc reads at most three nameservers. */
export const maxNameservers = 3;
/** ExpandedDNSConfig limits (GA since 1.28). */
export const maxSearchDomains = 32;
export const maxSearchListChars = 2048;
/** Longer search entries make some glibc versions abort(); the kubelet drops them. */
export const maxSearchDomainLength = 253;

export interface ResolvConfOptions {
  /** kubelet --cluster-dns; empty makes ClusterFirst fall back to Default. */
  clusterDNS: string[];
  /** kubelet --cluster-domain; empty adds no cluster search domains. */
  clusterDomain: string;
  /** Content of the kubelet's --resolv-conf file; undefined when that flag is empty. */
  hostResolvConf?: string;
  /** Node IPs: with no --resolv-conf, an IPv6-only node gets `::1` instead of 127.0.0.1. */
  nodeIPs?: string[];
}

/** A Warning event the kubelet would record on the pod. */
export interface DNSEvent {
  reason: 'DNSConfigForming' | 'MissingClusterDNS';
  message: string;
}

export interface PodResolvConf extends ResolvConfig {
  content: string;
  events: DNSEvent[];
}

type DNSType = 'cluster' | 'host' | 'none';

export function resolvConf(pod: KubeObject, options: ResolvConfOptions): PodResolvConf {
  const spec = podSpecOf(pod);
  const events: DNSEvent[] = [];
  let config = baseConfig(pod, dnsTypeOf(spec.dnsPolicy, spec.hostNetwork === true), options, events);
  if (spec.dnsConfig) config = appendDNSConfig(config, spec.dnsConfig);
  config = fitLimits(config, events);
  return { ...config, content: formatResolvConf(config), events };
}

/** ClusterFirst on the host network falls back to Default; ClusterFirstWithHostNet does not. */
function dnsTypeOf(policy: string | undefined, hostNetwork: boolean): DNSType {
  switch (policy) {
    case 'None':
      return 'none';
    case 'Default':
      return 'host';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    default:
      return hostNetwork ? 'host' : 'cluster';
  }
}

function baseConfig(pod: KubeObject, type: DNSType, options: ResolvConfOptions, events: DNSEvent[]): ResolvConfig {
  if (type === 'none') return { nameservers: [], searches: [], options: [] };
  const host = hostConfig(options);
  if (type === 'cluster' && options.clusterDNS.length > 0) {
    return {
      nameservers: [...options.clusterDNS],
      searches: clusterSearches(namespaceOf(pod), options.clusterDomain, host.searches),
      options: ['ndots:5'],
    };
  }
  if (type === 'cluster') events.push(missingClusterDNS(pod));
  return host;
}

/** With no --resolv-conf the kubelet points the pod at a local resolver and an empty search. */
function hostConfig(options: ResolvConfOptions): ResolvConfig {
  if (options.hostResolvConf !== undefined) return parseResolvConf(options.hostResolvConf);
  const nodeIPs = options.nodeIPs ?? [];
  const nameservers = nodeIPs.map((ip) => (ip.includes(':') ? '::1' : '127.0.0.1'));
  return { nameservers: nameservers.length > 0 ? nameservers : ['127.0.0.1'], searches: ['.'], options: [] };
}

function clusterSearches(namespace: string, clusterDomain: string, hostSearches: string[]): string[] {
  if (clusterDomain === '') return hostSearches;
  const cluster = [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
  return omitDuplicates([...cluster, ...hostSearches]);
}

function missingClusterDNS(pod: KubeObject): DNSEvent {
  const { name = '', namespace = 'default', uid = '' } = pod.metadata;
  return {
    reason: 'MissingClusterDNS',
    message:
      `pod: "${name}_${namespace}(${uid})". kubelet does not have ClusterDNS IP configured and cannot create ` +
      'Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
  };
}

function appendDNSConfig(config: ResolvConfig, dnsConfig: PodDNSConfig): ResolvConfig {
  return {
    nameservers: omitDuplicates([...config.nameservers, ...(dnsConfig.nameservers ?? [])]),
    searches: omitDuplicates([...config.searches, ...(dnsConfig.searches ?? [])]),
    options: mergeOptions(config.options, dnsConfig.options ?? []),
  };
}

/**
 * Options merge by name and the pod's value wins. The kubelet goes through a Go map, so its
 * order is random; here existing options keep their place and new ones follow in pod order.
 */
function mergeOptions(existing: string[], podOptions: PodDNSConfigOption[]): string[] {
  const valueByName = new Map<string, string>();
  for (const option of existing) {
    const colon = option.indexOf(':');
    if (colon === -1) valueByName.set(option, '');
    else valueByName.set(option.slice(0, colon), option.slice(colon + 1));
  }
  for (const option of podOptions) valueByName.set(option.name, option.value ?? '');
  return [...valueByName].map(([name, value]) => (value === '' ? name : `${name}:${value}`));
}

function omitDuplicates(values: string[]): string[] {
  return [...new Set(values)];
}

function fitLimits(config: ResolvConfig, events: DNSEvent[]): ResolvConfig {
  let nameservers = config.nameservers;
  if (nameservers.length > maxNameservers) {
    nameservers = nameservers.slice(0, maxNameservers);
    events.push({
      reason: 'DNSConfigForming',
      message:
        'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ' +
        nameservers.join(' '),
    });
  }
  return { nameservers, searches: fitSearchLimits(config.searches, events), options: config.options };
}

/** Count first, then over-long entries, then whole domains from the end until the line fits. */
function fitSearchLimits(searches: string[], events: DNSEvent[]): string[] {
  let fitted = searches.slice(0, maxSearchDomains);
  fitted = fitted.filter((s) => s.length <= maxSearchDomainLength);
  while (fitted.join(' ').length > maxSearchListChars) fitted = fitted.slice(0, -1);
  if (fitted.length !== searches.length) {
    events.push({
      reason: 'DNSConfigForming',
      message:
        'Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ' +
        fitted.join(' '),
    });
  }
  return fitted;
}
