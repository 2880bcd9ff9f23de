/** Prometheus metrics of the API server: requests by verb and code, latency, stored objects. */
import { resources } from '../api/resources.js';
import type { WatchCache } from './cache.js';

const buckets = [0.005, 0.025, 0.1, 0.25, 1, 5];

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, { counts: number[]; sum: number; count: number }>();

  observe(method: string, code: number, seconds: number): void {
    const key = `verb="${method}",code="${code}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(method);
    if (!h) {
      h = { counts: buckets.map(() => 0), sum: 0, count: 0 };
      this.latency.set(method, h);
    }
    buckets.forEach((b, i) => {
      if (seconds <= b) (h as { counts: number[] }).counts[i]! += 1;
    });
    h.sum += seconds;
    h.count += 1;
  }

  render(cache: WatchCache): string {
    const lines = ['# TYPE apiserver_request_total counter'];
    for (const [labels, n] of this.requests) lines.push(`apiserver_request_total{${labels}} ${n}`);
    lines.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [verb, h] of this.latency) {
      buckets.forEach((b, i) => lines.push(`apiserver_request_duration_seconds_bucket{verb="${verb}",le="${b}"} ${h.counts[i]}`));
      lines.push(`apiserver_request_duration_seconds_bucket{verb="${verb}",le="+Inf"} ${h.count}`);
      lines.push(`apiserver_request_duration_seconds_sum{verb="${verb}"} ${h.sum}`);
      lines.push(`apiserver_request_duration_seconds_count{verb="${verb}"} ${h.count}`);
    }
    lines.push('# TYPE apiserver_storage_objects gauge');
    for (const r of resources) {
      const name = r.group ? `${r.plural}.${r.group}` : r.plural;
      lines.push(`apiserver_storage_objects{resource="${name}"} ${cache.count(r.plural)}`);
    }
    lines.push('# TYPE apiserver_watch_cache_revision gauge', `apiserver_watch_cache_revision ${cache.revision}`);
    return `${lines.join('\n')}\n`;
  }
}
