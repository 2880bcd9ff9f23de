/**
 * Answers one question from the index with CoreDNS's answer codes: NXDOMAIN only when the
 * name does not exist, NODATA (NOERROR, SOA in authority) for names that exist without the
 * asked type, SERVFAIL instead of NXDOMAIN before the informers have synced, REFUSED for
 * zone transfers. Names outside the zone are handed back as `forward`.
 */
import { canonical, inZone, ipFromDashed, addressType } from './names.js';
import { isAddressType, type RecordIndex, type ResourceRecord } from './records.js';

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export interface Question {
  name: string;
  type: string;
  class?: string;
}

export interface Answer {
  kind: 'answer';
  rcode: Rcode;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** An ExternalName target outside the zone that the forwarder may resolve and append. */
  chase?: string;
}

export type QueryResult = Answer | { kind: 'forward' };

export interface AnswerOptions {
  /** False until the informers have synced: would-be NXDOMAIN answers become SERVFAIL. */
  synced: boolean;
}

/** How many in-zone CNAMEs are followed before giving up (ExternalName to ExternalName). */
const MAX_CHASE = 8;

function result(rcode: Rcode, parts: Partial<Omit<Answer, 'kind' | 'rcode'>> = {}): Answer {
  return { kind: 'answer', rcode, answers: [], authority: [], additional: [], ...parts };
}

function negative(index: RecordIndex, rcode: 'NOERROR' | 'NXDOMAIN', opts: AnswerOptions): Answer {
  if (rcode === 'NXDOMAIN' && !opts.synced) return result('SERVFAIL');
  return result(rcode, { authority: [index.soa()] });
}

function isReverse(name: string): boolean {
  return name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa');
}

/** Pod names `<dashed-ip>.<ns>.pod.<zone>` and the `<ns>.pod.<zone>` non-terminal. */
function podRecords(index: RecordIndex, name: string): ResourceRecord[] | 'nodata' | 'nxdomain' {
  const labels = name.slice(0, -(`.pod.${index.zone}`.length)).split('.');
  const [first, second] = labels;
  if (labels.length === 1 && first !== undefined) return index.hasNamespace(first) ? 'nodata' : 'nxdomain';
  if (labels.length !== 2 || first === undefined || second === undefined) return 'nxdomain';
  if (index.pods === 'disabled' || !index.hasNamespace(second)) return 'nxdomain';
  const ip = ipFromDashed(first);
  if (ip === undefined) return 'nxdomain';
  if (index.pods === 'verified' && !index.hasPodIP(second, ip)) return 'nxdomain';
  return [{ name, type: addressType(ip), ttl: index.ttl, data: ip }];
}

function recordsAt(index: RecordIndex, name: string): ResourceRecord[] | 'nodata' | 'nxdomain' {
  if (name.endsWith(`.pod.${index.zone}`)) return podRecords(index, name);
  const records = index.lookup(name);
  // The SOA is built on demand because its serial moves with every change.
  if (name === index.zone) return [...records, index.soa()];
  if (records.length > 0) return [...records];
  if (index.exists(name)) return 'nodata';
  const svcSuffix = `.svc.${index.zone}`;
  if (name.endsWith(svcSuffix) && index.hasNamespace(name.slice(0, -svcSuffix.length))) return 'nodata';
  return 'nxdomain';
}

function additionalFor(index: RecordIndex, answers: ResourceRecord[]): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (const rr of answers) {
    if (rr.type !== 'SRV' || typeof rr.data !== 'object' || !('target' in rr.data)) continue;
    out.push(...index.lookup(rr.data.target).filter((t) => isAddressType(t.type)));
  }
  return out;
}

/** Follows an ExternalName CNAME through the zone; a target outside it is left to forward. */
function chaseCname(index: RecordIndex, cname: ResourceRecord, qtype: string): Answer {
  const answers: ResourceRecord[] = [cname];
  let target = typeof cname.data === 'string' ? canonical(cname.data) : '';
  for (let hop = 0; hop < MAX_CHASE; hop++) {
    if (!inZone(target, index.zone)) return result('NOERROR', { answers, chase: target });
    const found = recordsAt(index, target);
    if (!Array.isArray(found)) return result('NOERROR', { answers });
    const next = found.find((rr) => rr.type === 'CNAME');
    if (next === undefined || qtype === 'CNAME') {
      answers.push(...found.filter((rr) => rr.type === qtype));
      return result('NOERROR', { answers });
    }
    answers.push(next);
    target = typeof next.data === 'string' ? canonical(next.data) : '';
  }
  return result('NOERROR', { answers });
}

/** Writes the asker's spelling of the name onto records owned by that name. */
function preserveCase(answer: Answer, canonicalName: string, asked: string): Answer {
  const rename = (rr: ResourceRecord): ResourceRecord => (rr.name === canonicalName ? { ...rr, name: asked } : rr);
  return { ...answer, answers: answer.answers.map(rename) };
}

function answerInZone(index: RecordIndex, name: string, qtype: string, opts: AnswerOptions): Answer {
  const found = recordsAt(index, name);
  if (found === 'nxdomain') return negative(index, 'NXDOMAIN', opts);
  if (found === 'nodata') return negative(index, 'NOERROR', opts);
  const matching = qtype === 'ANY' ? found : found.filter((rr) => rr.type === qtype);
  if (matching.length > 0) {
    return result('NOERROR', { answers: matching, additional: additionalFor(index, matching) });
  }
  const cname = found.find((rr) => rr.type === 'CNAME');
  if (cname !== undefined) return chaseCname(index, cname, qtype);
  return negative(index, 'NOERROR', opts);
}

export function answerQuery(index: RecordIndex, question: Question, opts: AnswerOptions): QueryResult {
  const qtype = question.type.toUpperCase();
  if (qtype === 'AXFR' || qtype === 'IXFR') return result('REFUSED');
  const name = canonical(question.name);
  const asked = question.name.endsWith('.') ? question.name.slice(0, -1) : question.name;
  const qclass = (question.class ?? 'IN').toUpperCase();
  const ours = inZone(name, index.zone) || (isReverse(name) && index.exists(name));
  if (!ours) return { kind: 'forward' };
  if (qclass !== 'IN' && qclass !== 'ANY') return result('REFUSED');
  return preserveCase(answerInZone(index, name, qtype, opts), name, asked);
}
