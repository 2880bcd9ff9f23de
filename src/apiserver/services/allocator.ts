/**
 * Allocators for cluster IPs and node ports. Each allocated value is a key in the store
 * (`/allocations/<kind>/<value>`, created only if absent), so two API servers on one etcd
 * can never hand out the same value. An in-memory set of taken values keeps random picks
 * cheap; a lost race just means trying another value.
 *
 * As in Kubernetes, the range is split in two bands: dynamic allocation takes from the upper
 * band first, leaving the lower band for values users ask for.
 */
import { isStorageError, type Store } from '../../storage/types.js';

export interface Owner {
  namespace: string;
  name: string;
}

export type AllocationError = 'NotInRange' | 'AlreadyAllocated' | 'Full';

export class AllocatorError extends Error {
  constructor(readonly code: AllocationError, readonly value: string) {
    super(code);
  }
}

export interface Range {
  size: number;
  /** The value at an offset into the range. */
  valueAt(offset: number): string;
  /** The offset of a value, or undefined when it is outside the range. */
  offsetOf(value: string): number | undefined;
  /** Size of the lower (static) band. */
  staticBand: number;
}

export class Allocator {
  private readonly taken = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly range: Range,
    private readonly random: () => number = Math.random,
  ) {}

  /** Loads what is allocated; returns value -> owner for repair. */
  async load(): Promise<Map<string, Owner>> {
    const owners = new Map<string, Owner>();
    const list = await this.store.list(this.prefix);
    for (const kv of list.items) {
      const value = kv.key.slice(this.prefix.length);
      const offset = this.range.offsetOf(value);
      if (offset !== undefined) this.taken.add(offset);
      owners.set(value, JSON.parse(kv.value) as Owner);
    }
    return owners;
  }

  async allocate(value: string, owner: Owner): Promise<void> {
    const offset = this.range.offsetOf(value);
    if (offset === undefined) throw new AllocatorError('NotInRange', value);
    try {
      await this.store.create(this.prefix + value, JSON.stringify(owner));
      this.taken.add(offset);
    } catch (err) {
      if (!isStorageError(err, 'KeyExists')) throw err;
      this.taken.add(offset);
      const current = await this.store.get(this.prefix + value);
      const holder = current ? (JSON.parse(current.value) as Owner) : undefined;
      if (holder?.namespace !== owner.namespace || holder.name !== owner.name) throw new AllocatorError('AlreadyAllocated', value);
    }
  }

  async allocateNext(owner: Owner): Promise<string> {
    const { size, staticBand } = this.range;
    const bands: [number, number][] = [
      [staticBand, size],
      [0, staticBand],
    ];
    for (const [lo, hi] of bands) {
      const span = hi - lo;
      if (span <= 0) continue;
      const start = Math.floor(this.random() * span);
      for (let i = 0; i < span; i++) {
        const offset = lo + ((start + i) % span);
        if (this.taken.has(offset)) continue;
        const value = this.range.valueAt(offset);
        try {
          await this.store.create(this.prefix + value, JSON.stringify(owner));
          this.taken.add(offset);
          return value;
        } catch (err) {
          if (!isStorageError(err, 'KeyExists')) throw err;
          this.taken.add(offset);
        }
      }
    }
    throw new AllocatorError('Full', '');
  }

  async release(value: string): Promise<void> {
    const offset = this.range.offsetOf(value);
    try {
      await this.store.delete(this.prefix + value);
    } catch (err) {
      if (!isStorageError(err, 'KeyNotFound')) throw err;
    }
    if (offset !== undefined) this.taken.delete(offset);
  }
}

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export interface Cidr {
  base: number;
  bits: number;
  text: string;
}

export function parseCidr(text: string): Cidr {
  const [ip, bitsText] = text.split('/');
  const base = ipToNumber(ip ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)}`);
  const size = 2 ** (32 - bits);
  return { base: base - (base % size), bits, text: `${numberToIp(base - (base % size))}/${bits}` };
}

/** The usable addresses of a CIDR (network and broadcast addresses excluded). */
export function ipRange(cidr: Cidr): Range {
  const size = 2 ** (32 - cidr.bits) - 2;
  return {
    size,
    staticBand: Math.min(Math.max(16, Math.floor(size / 16)), 256),
    valueAt: (offset) => numberToIp(cidr.base + 1 + offset),
    offsetOf: (value) => {
      const n = ipToNumber(value);
      if (n === undefined || n <= cidr.base || n >= cidr.base + size + 1) return undefined;
      return n - cidr.base - 1;
    },
  };
}

/** The nth address of a CIDR (1 = the first usable address). */
export function nthAddress(cidr: Cidr, n: number): string {
  return numberToIp(cidr.base + n);
}

export function portRange(first: number, last: number): Range {
  const size = last - first + 1;
  return {
    size,
    staticBand: size < 16 ? 0 : Math.min(Math.max(16, Math.floor(size / 32)), 128),
    valueAt: (offset) => String(first + offset),
    offsetOf: (value) => {
      const n = Number(value);
      return Number.isInteger(n) && n >= first && n <= last ? n - first : undefined;
    },
  };
}
