/**
 * The pod-template-hash: a stable name for a pod template. Upstream hashes the template's Go
 * printout with FNV-32a (plus the collisionCount) and spells the decimal number with a
 * vowel-free alphabet so it never forms words. Here the input is the template's canonical
 * JSON (keys sorted), so equal templates give equal hashes in every process.
 */
import { canonicalJson } from '../replicaset/canonical.js';

export { canonicalJson };

/** Letters and digits without vowels and look-alikes (upstream rand.SafeEncodeString). */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits, over bytes. */
function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += safeAlphabet[text.charCodeAt(i) % safeAlphabet.length];
  return out;
}

/** The hash of a pod template; a collisionCount (after a name clash) is mixed in as 4 bytes. */
export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(4);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(extra, h);
  }
  return safeEncode(String(h));
}
