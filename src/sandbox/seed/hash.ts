/**
 * Stateless integer hashing for generated data that must be reachable by index (transaction n of a
 * settlement) or by name (a principal's acquiring account for a currency) without replaying a PRNG.
 */
import { randomUuid, seededRandom } from '../random.ts';

/** Mixes two 32-bit integers into one (murmur3's finaliser over a combined word). */
export function mix32(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(b, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the text of `parts`, then mixed: a 32-bit seed named by strings and numbers. */
export function hash32(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let index = 0; index < text.length; index += 1) {
    h ^= text.charCodeAt(index);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0, parts.length);
}

/** A UUID determined by `parts`. */
export const uuidOf = (...parts: (string | number)[]) => randomUuid(seededRandom(hash32(...parts)));

const hex8 = (value: number) => value.toString(16).padStart(8, '0');

/** A UUID-shaped string from one seed and an index; cheap enough for one per generated transaction. */
export function indexedUuid(seed: number, index: number): string {
  const a = mix32(seed, index);
  const b = mix32(a, 1);
  const c = mix32(a, 2);
  const d = mix32(a, 3);
  const hb = hex8(b);
  const hc = hex8(c);
  return `${hex8(a)}-${hb.slice(0, 4)}-4${hb.slice(5, 8)}-${'89ab'[c & 3]}${hc.slice(1, 4)}-${hc.slice(4, 8)}${hex8(d)}`;
}
