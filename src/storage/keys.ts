/**
 * Key-range helpers shared by the stores. Keys compare by code point, which is the order
 * SQLite's BINARY collation and etcd's byte order give for UTF-8 keys (for the BMP, which is
 * all Kubernetes keys use, JavaScript's `<` agrees).
 */

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined
 * when there is none (the empty prefix covers every key).
 */
export function prefixEnd(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop() as string;
    const code = last.codePointAt(0) as number;
    if (code < 0x10ffff) {
      // Skip the surrogate block: it is not a valid code point on its own.
      const next = code === 0xd7ff ? 0xe000 : code + 1;
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** Events and list results are filtered by prefix in memory with this. */
export function hasPrefix(key: string, prefix: string): boolean {
  return key.startsWith(prefix);
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
