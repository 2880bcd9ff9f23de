/**
 * The LoadBalancer address pool: CIDRs (`192.168.50.0/28`) and ranges
 * (`192.168.50.10-192.168.50.20`), comma-separated, IPv4 or IPv6, with which Service holds
 * which address. In an IPv4 CIDR wider than /31 the network and broadcast addresses are
 * left out, as addresses a client could not use.
 */

interface Range {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

export class PoolError extends Error {}

export function parseIP(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) + BigInt(p), 0n) };
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
}

export function formatIP(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  // Canonical form: the longest run of zero groups (two or more) becomes '::'.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.len).join(':')}`;
}

function parseRange(text: string): Range {
  const part = text.trim();
  if (part.includes('/')) {
    const [addr = '', bitsText = ''] = part.split('/');
    const ip = parseIP(addr);
    const bits = Number(bitsText);
    const width = ip?.family === 4 ? 32 : 128;
    if (!ip || !/^\d+$/.test(bitsText) || bits > width) throw new PoolError(`invalid CIDR ${part}`);
    const hostBits = BigInt(width - bits);
    const first = (ip.value >> hostBits) << hostBits;
    const last = first + (1n << hostBits) - 1n;
    const trim = ip.family === 4 && bits < 31 ? 1n : 0n;
    return { family: ip.family, first: first + trim, last: last - trim };
  }
  const [a = '', b = ''] = part.split('-').map((s) => s.trim());
  const first = parseIP(a);
  const last = parseIP(b);
  if (!first || !last || first.family !== last.family || first.value > last.value) throw new PoolError(`invalid address range ${part}`);
  return { family: first.family, first: first.value, last: last.value };
}

export class AddressPool {
  private readonly ranges: Range[];
  private readonly holderByIP = new Map<string, string>();

  constructor(spec: string) {
    this.ranges = spec.split(',').filter((s) => s.trim()).map(parseRange);
    if (this.ranges.length === 0) throw new PoolError('the LoadBalancer pool is empty');
  }

  contains(ip: string): boolean {
    const parsed = parseIP(ip);
    return !!parsed && this.ranges.some((r) => r.family === parsed.family && parsed.value >= r.first && parsed.value <= r.last);
  }

  /** Canonical text of an address (so `10.0.0.01`-style spellings cannot hold two slots). */
  canonical(ip: string): string | undefined {
    const parsed = parseIP(ip);
    return parsed && formatIP(parsed.family, parsed.value);
  }

  holder(ip: string): string | undefined {
    return this.holderByIP.get(ip);
  }

  held(key: string): string[] {
    return [...this.holderByIP].filter(([, k]) => k === key).map(([ip]) => ip);
  }

  claim(ip: string, key: string): void {
    this.holderByIP.set(ip, key);
  }

  release(key: string): void {
    for (const ip of this.held(key)) this.holderByIP.delete(ip);
  }

  /** The lowest free address, or undefined when the pool is exhausted. */
  next(): string | undefined {
    for (const r of this.ranges) {
      for (let v = r.first; v <= r.last; v++) {
        const ip = formatIP(r.family, v);
        if (!this.holderByIP.has(ip)) return ip;
      }
    }
    return undefined;
  }
}
