/**
 * Zone-file lines (`name. ttl IN TYPE data`) for records: the notation the tests and debug
 * output use, so expected answers read like the DNS specification's examples.
 */
import type { ResourceRecord } from './records.js';

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function rdata(rr: ResourceRecord): string {
  const d = rr.data;
  if (typeof d === 'string') {
    if (rr.type === 'TXT') return JSON.stringify(d);
    if (rr.type === 'A' || rr.type === 'AAAA') return d;
    return fqdn(d);
  }
  if ('target' in d) return `${d.priority} ${d.weight} ${d.port} ${fqdn(d.target)}`;
  return [fqdn(d.mname), fqdn(d.rname), d.serial, d.refresh, d.retry, d.expire, d.minimum].join(' ');
}

export function zoneLine(rr: ResourceRecord): string {
  return `${fqdn(rr.name)} ${rr.ttl} IN ${rr.type} ${rdata(rr)}`;
}
