/**
 * Pod IP address management for one node: IPv4 addresses from the node's pod CIDR,
 * held by pod uid. Allocation is next-fit (a cursor that moves on past the last address
 * handed out, as the host-local CNI plugin does), so a freed address is reused only after
 * every other free address has been used once: a replacement pod gets a new IP.
 */

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Parses `a.b.c.d/n`; the address is masked to its network. */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const [address = '', prefixText = ''] = text.split('/');
  const ip = parseIpv4(address);
  const prefix = Number(prefixText);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText) || prefix > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)}`);
  const size = 2 ** (32 - prefix);
  return { base: ip - (ip % size), prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

/** The `index`-th subnet of size `/prefix` inside `cluster` (node i's pod CIDR). */
export function nthSubnet(cluster: Ipv4Cidr, prefix: number, index: number): Ipv4Cidr {
  if (prefix < cluster.prefix || prefix > 30) throw new Error(`node CIDR mask /${prefix} does not fit in /${cluster.prefix}`);
  const count = 2 ** (prefix - cluster.prefix);
  if (index < 0 || index >= count) throw new Error(`${formatCidr(cluster)} has room for ${count} /${prefix} node CIDRs, not ${index + 1}`);
  return { base: cluster.base + index * 2 ** (32 - prefix), prefix };
}

export class NodeIpam {
  readonly cidr: Ipv4Cidr;
  private readonly size: number;
  /** used[offset] is 1 when the address base+offset is held. */
  private readonly used: Uint8Array;
  private readonly offsetByUid = new Map<string, number>();
  private cursor = 2;

  constructor(cidr: string) {
    this.cidr = parseIpv4Cidr(cidr);
    this.size = 2 ** (32 - this.cidr.prefix);
    if (this.size < 4) throw new Error(`pod CIDR ${cidr} is too small`);
    this.used = new Uint8Array(this.size);
    // The network address, the gateway (.1, the node's bridge) and the broadcast are never pods'.
    this.used[0] = 1;
    this.used[1] = 1;
    this.used[this.size - 1] = 1;
  }

  get allocated(): number {
    return this.offsetByUid.size;
  }

  /** Addresses a pod may ever get. */
  get capacity(): number {
    return this.size - 3;
  }

  ipOf(uid: string): string | undefined {
    const offset = this.offsetByUid.get(uid);
    return offset === undefined ? undefined : formatIpv4(this.cidr.base + offset);
  }

  contains(ip: string): boolean {
    const value = parseIpv4(ip);
    return value !== undefined && value - this.cidr.base >= 0 && value - this.cidr.base < this.size;
  }

  /** The pod's address: the one it holds, or the next free one; undefined when the pool is exhausted. */
  allocate(uid: string): string | undefined {
    const held = this.ipOf(uid);
    if (held) return held;
    for (let step = 0; step < this.size; step++) {
      const offset = (this.cursor + step) % this.size;
      if (this.used[offset]) continue;
      this.take(uid, offset);
      this.cursor = (offset + 1) % this.size;
      return formatIpv4(this.cidr.base + offset);
    }
    return undefined;
  }

  /**
   * Records an address a pod already has (rebuilding after a restart). False when it is
   * outside this CIDR, reserved, or held by another pod.
   */
  reserve(uid: string, ip: string): boolean {
    const value = parseIpv4(ip);
    if (value === undefined || !this.contains(ip)) return false;
    const offset = value - this.cidr.base;
    if (this.offsetByUid.get(uid) === offset) return true;
    if (this.used[offset] || this.offsetByUid.has(uid)) return false;
    this.take(uid, offset);
    // Continue after the highest address in use, so a restart does not reuse recent ones first.
    if (offset >= this.cursor) this.cursor = (offset + 1) % this.size;
    return true;
  }

  release(uid: string): void {
    const offset = this.offsetByUid.get(uid);
    if (offset === undefined) return;
    this.offsetByUid.delete(uid);
    this.used[offset] = 0;
  }

  private take(uid: string, offset: number): void {
    this.used[offset] = 1;
    this.offsetByUid.set(uid, offset);
  }
}
