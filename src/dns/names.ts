/**
 * Name helpers for the cluster DNS index: canonical (lower-case, no trailing dot) names,
 * reverse names for PTR, and the dashed forms of IPs used for endpoint and pod labels.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Lower-case, without a trailing dot: the form every index key uses. */
export function canonical(name: string): string {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed.toLowerCase();
}

/** Expands an IPv6 address to its 32 hex nibbles. */
function ipv6Nibbles(address: string): string[] {
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) becomes its two hex groups.
  const ip = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [head = '', tail = ''] = ip.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailParts];
  return groups.flatMap((g) => g.padStart(4, '0').toLowerCase().split(''));
}

/** The in-addr.arpa / ip6.arpa owner name of an IP, or undefined if it is not one. */
export function reverseName(ip: string): string | undefined {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (isIPv6(ip)) return `${ipv6Nibbles(ip).reverse().join('.')}.ip6.arpa`;
  return undefined;
}

/**
 * The label CoreDNS gives an endpoint without a hostname: the IP with dots or colons turned
 * into dashes; IPv6 gets a 0 where the dashes would start or end the label.
 */
export function dashedIP(ip: string): string {
  if (isIPv4(ip)) return ip.replaceAll('.', '-');
  // Dots of an embedded IPv4 tail would split the label, so they become dashes too.
  let label = ip.replaceAll(':', '-').replaceAll('.', '-');
  if (label.startsWith('-')) label = `0${label}`;
  if (label.endsWith('-')) label = `${label}0`;
  return label;
}

/** The IP a pod label such as `10-1-2-3` names, or undefined when it names none. */
export function ipFromDashed(label: string): string | undefined {
  const v4 = label.replaceAll('-', '.');
  if (isIPv4(v4)) return v4;
  const v6 = label.replaceAll('-', ':');
  if (isIPv6(v6)) return v6;
  return undefined;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

export function addressType(ip: string): 'A' | 'AAAA' {
  return isIPv6(ip) ? 'AAAA' : 'A';
}

/** Proper ancestors of `name` down to and including `stop` (both canonical). */
export function ancestorsWithin(name: string, stop: string): string[] {
  const out: string[] = [];
  let rest = name;
  while (rest !== stop && rest.endsWith(`.${stop}`)) {
    rest = rest.slice(rest.indexOf('.') + 1);
    out.push(rest);
  }
  return out;
}

/** True when `name` is `zone` or below it (both canonical). */
export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
