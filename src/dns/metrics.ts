/**
 * Prometheus metrics of the cluster DNS: queries by type, replies by rcode and source,
 * request latency, the forwarder's cache and upstream counters, and the DNS programming
 * latency (an EndpointSlice's `endpoints.kubernetes.io/last-change-trigger-time` to the
 * moment the index answers with it), like CoreDNS's
 * `coredns_kubernetes_dns_programming_duration_seconds`.
 */
import type { ForwarderStats } from './forwarder.js';
import type { Outcome } from './wire.js';
import { Histogram } from '../lib/histogram.js';

const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05, 0.25, 1, 4];
const PROGRAMMING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };
/** Query types counted by name; anything else is `other`, so a fuzzer cannot grow the label set. */
const KNOWN_TYPES = new Set(['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'SOA', 'NS', 'MX', 'ANY', 'AXFR', 'IXFR', 'none']);

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class DnsMetrics {
  private readonly byType = new Map<string, number>();
  private readonly byRcode = new Map<string, number>();
  private readonly latency = new Histogram(LATENCY_BUCKETS);
  private readonly programming = new Histogram(PROGRAMMING_BUCKETS);

  observe(outcome: Outcome, seconds: number): void {
    bump(this.byType, KNOWN_TYPES.has(outcome.qtype) ? outcome.qtype : 'other');
    bump(this.byRcode, `rcode="${RCODE_NAMES[outcome.rcode] ?? String(outcome.rcode)}",source="${outcome.source}"`);
    this.latency.observe(seconds);
  }

  /** An index change took effect; `triggeredAt` is when the change began (ms since epoch). */
  programmed(triggeredAt: number, now = Date.now()): void {
    this.programming.observe(Math.max(0, now - triggeredAt) / 1000);
  }

  render(forwarder?: ForwarderStats): string {
    const lines = ['# TYPE switchboard_dns_requests_total counter'];
    for (const [type, n] of this.byType) lines.push(`switchboard_dns_requests_total{type="${type}"} ${n}`);
    lines.push('# TYPE switchboard_dns_responses_total counter');
    for (const [labels, n] of this.byRcode) lines.push(`switchboard_dns_responses_total{${labels}} ${n}`);
    this.latency.render('switchboard_dns_request_duration_seconds', lines);
    this.programming.render('switchboard_dns_programming_duration_seconds', lines);
    if (forwarder) {
      lines.push(
        '# TYPE switchboard_dns_forward_requests_total counter',
        `switchboard_dns_forward_requests_total ${forwarder.queries}`,
        '# TYPE switchboard_dns_cache_hits_total counter',
        `switchboard_dns_cache_hits_total ${forwarder.cacheHits}`,
        '# TYPE switchboard_dns_forward_refused_total counter',
        `switchboard_dns_forward_refused_total ${forwarder.refused}`,
        '# TYPE switchboard_dns_forward_failures_total counter',
        `switchboard_dns_forward_failures_total ${forwarder.failures}`,
        '# TYPE switchboard_dns_forward_in_flight gauge',
        `switchboard_dns_forward_in_flight ${forwarder.inFlight}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
