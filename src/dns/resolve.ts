/**
 * From a question to a reply: the zone's answer, an upstream's for names outside the zone,
 * ExternalName targets outside the zone chased upstream, and server-side search-path
 * completion. Answers from the zone are computed synchronously; only what needs an upstream
 * returns a promise, so the common path never waits on a microtask.
 */
import type { Answer as WireAnswer } from 'dns-packet';
import { answerQuery, type Answer, type AnswerOptions, type Question, type Rcode } from './handler.js';
import { canonical, inZone } from './names.js';
import type { RecordIndex, ResourceRecord } from './records.js';
import type { Forwarder, Forwarded } from './forwarder.js';

export const RCODES: Record<Rcode | 'BADVERS', number> = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16,
};

export interface Reply {
  rcode: number;
  /** AA: the whole answer comes from the cluster zone. */
  authoritative: boolean;
  answers: WireAnswer[];
  authorities: WireAnswer[];
  additionals: WireAnswer[];
  /** How the reply was made, for metrics. */
  source: 'zone' | 'upstream' | 'cache' | 'completed' | 'refused';
}

export interface ResolveOptions extends AnswerOptions {
  /** Resolves names outside the zone; without one they are REFUSED (not an open resolver). */
  forwarder?: Forwarder;
  /** Server-side search-path completion; default on. */
  complete?: boolean;
}

export function toWire(rr: ResourceRecord): WireAnswer {
  const base = { name: rr.name, ttl: rr.ttl, class: 'IN' as const };
  const d = rr.data;
  if (typeof d === 'string') {
    if (rr.type === 'TXT') return { ...base, type: 'TXT', data: d };
    if (rr.type === 'SRV' || rr.type === 'SOA') throw new Error(`malformed ${rr.type} record`);
    return { ...base, type: rr.type, data: d };
  }
  if ('target' in d) return { ...base, type: 'SRV', data: d };
  return { ...base, type: 'SOA', data: d };
}

function fromZone(answer: Answer): Reply {
  return {
    rcode: RCODES[answer.rcode],
    authoritative: true,
    answers: answer.answers.map(toWire),
    authorities: answer.authority.map(toWire),
    additionals: answer.additional.map(toWire),
    source: 'zone',
  };
}

function fromUpstream(f: Forwarded): Reply {
  return { rcode: f.rcode, authoritative: false, answers: f.answers, authorities: f.authorities, additionals: f.additionals, source: f.cached ? 'cache' : 'upstream' };
}

const refused: Reply = { rcode: RCODES.REFUSED, authoritative: false, answers: [], authorities: [], additionals: [], source: 'refused' };

/** The zone's CNAMEs followed by the upstream's answer for the target outside the zone. */
async function chaseUpstream(zone: Reply, target: string, qtype: string, forwarder: Forwarder): Promise<Reply> {
  const up = await forwarder.resolve(target, qtype);
  return {
    rcode: up.rcode,
    authoritative: false,
    answers: [...zone.answers, ...up.answers],
    authorities: up.answers.length > 0 ? [] : up.authorities,
    additionals: up.additionals,
    source: up.cached ? 'cache' : 'upstream',
  };
}

function positive(reply: Reply): boolean {
  return reply.rcode === RCODES.NOERROR && reply.answers.length > 0;
}

/** A CNAME from the asked name to the name that answered, ahead of that answer. */
function completed(asked: string, target: string, ttl: number, reply: Reply): Reply {
  const cname: WireAnswer = { name: asked, type: 'CNAME', class: 'IN', ttl, data: target };
  return { ...reply, answers: [cname, ...reply.answers], authorities: [], source: 'completed' };
}

/**
 * A pod's resolver (ndots 5, search `<ns>.svc.<zone> svc.<zone> <zone>`) asks
 * `<rest>.<ns>.svc.<zone>` first. When that does not exist, the names it would ask next are
 * `<rest>.svc.<zone>`, `<rest>.<zone>` and `<rest>.`; answering the first of them that has
 * records, under a CNAME, saves the pod those round trips. A single-label `<rest>` is not
 * sent upstream (the resolver would reach a top-level domain).
 */
function searchCandidates(index: RecordIndex, name: string): string[] | undefined {
  const suffix = `.svc.${index.zone}`;
  if (!name.endsWith(suffix)) return undefined;
  const head = name.slice(0, -suffix.length);
  const dot = head.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const rest = head.slice(0, dot);
  if (!index.hasNamespace(head.slice(dot + 1))) return undefined;
  return [`${rest}${suffix}`, `${rest}.${index.zone}`, rest];
}

function complete(index: RecordIndex, question: Question, opts: ResolveOptions, fallback: Reply): Reply | Promise<Reply> {
  const candidates = searchCandidates(index, canonical(question.name));
  if (!candidates) return fallback;
  const asked = question.name.endsWith('.') ? question.name.slice(0, -1) : question.name;
  for (const candidate of candidates) {
    if (!inZone(candidate, index.zone)) {
      if (!opts.forwarder || !candidate.includes('.')) return fallback;
      return opts.forwarder.resolve(candidate, question.type.toUpperCase()).then((up) => {
        const reply = fromUpstream(up);
        return positive(reply) ? completed(asked, candidate, index.ttl, reply) : fallback;
      });
    }
    const found = answerQuery(index, { name: candidate, type: question.type }, opts);
    if (found.kind !== 'answer' || found.chase !== undefined) continue;
    const reply = fromZone(found);
    if (positive(reply)) return completed(asked, candidate, index.ttl, reply);
  }
  return fallback;
}

export function resolveQuestion(index: RecordIndex, question: Question, opts: ResolveOptions): Reply | Promise<Reply> {
  const result = answerQuery(index, question, opts);
  if (result.kind === 'forward') {
    if (!opts.forwarder) return refused;
    return opts.forwarder.resolve(question.name, question.type.toUpperCase(), (question.class ?? 'IN').toUpperCase()).then(fromUpstream);
  }
  const reply = fromZone(result);
  if (result.chase !== undefined && opts.forwarder) return chaseUpstream(reply, result.chase, question.type.toUpperCase(), opts.forwarder);
  if (result.rcode === 'NXDOMAIN' && opts.complete !== false) return complete(index, question, opts, reply);
  return reply;
}
