/**
 * The first row of each phone number in a file, for finding the rows that repeat one. An open-addressing
 * hash table over typed arrays, keyed by the number's digits (E.164 has at most 15, exact in a double):
 * a million numbers take 24 MB and give the garbage collector nothing to walk, where a Map of strings
 * took about 100 MB and a second of collection in a million-row import (measured by npm run bench:import).
 */
export class NumberIndex {
  private keys: Float64Array;
  private rows: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 16) {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.keys = new Float64Array(size);
    this.rows = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The row that first had `e164`, or records `row` as its first and returns undefined. */
  firstOrAdd(e164: string, row: number): number | undefined {
    const key = digits(e164);
    let slot = hash(key) & this.mask;
    for (;;) {
      const found = this.keys[slot] as number;
      if (found === 0) break;
      if (found === key) return this.rows[slot];
      slot = (slot + 1) & this.mask;
    }
    this.keys[slot] = key;
    this.rows[slot] = row;
    this.count += 1;
    if (this.count * 2 > this.mask) this.grow();
    return undefined;
  }

  private grow(): void {
    const { keys, rows } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.rows = new Int32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      if (key === 0) continue;
      let slot = hash(key) & this.mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.rows[slot] = rows[i] as number;
    }
  }
}

/** "+46701234567" as 46701234567. */
function digits(e164: string): number {
  if (e164.charCodeAt(0) !== 43 || e164.length > 16) throw new Error('Not an E.164 number');
  return Number(e164.slice(1));
}

/** Mixes both halves of the number, so that numbers differing in their last digits spread over the table. */
function hash(key: number): number {
  const low = key >>> 0;
  const high = (key / 4294967296) >>> 0;
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
