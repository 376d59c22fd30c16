/**
 * A set of 63-bit string hashes in one typed array: the check pass's memory for spotting a
 * repeated message id in a room. A Set of the ids themselves cost 100 bytes an id (132 MiB for
 * the 1.34M messages of the largest room of the 10M benchmark); this costs 11 to 21.
 * `add` answering true means "maybe seen": the caller confirms with the ids themselves.
 */
export class IdHashes {
  private slots = new Uint32Array(2 * 1024);
  private count = 0;

  /** Adds the id's hash; true when that hash was there already (the same id, or a 2^-63 collision). */
  add(id: string): boolean {
    hashOf(id);
    return this.insert(hashHigh, hashLow);
  }

  /** Whether the id's hash is there (the id was added, or a 2^-63 collision), without adding it. */
  has(id: string): boolean {
    hashOf(id);
    const high = hashHigh;
    const low = hashLow;
    const mask = this.slots.length / 2 - 1;
    for (let i = (high ^ low) & mask; ; i = (i + 1) & mask) {
      const h = this.slots[2 * i]!;
      if (h === 0) return false;
      if (h === high && this.slots[2 * i + 1] === low) return true;
    }
  }

  private insert(high: number, low: number): boolean {
    if (4 * (this.count + 1) > 3 * (this.slots.length / 2)) this.grow(); // at most 3/4 full
    const mask = this.slots.length / 2 - 1;
    for (let i = (high ^ low) & mask; ; i = (i + 1) & mask) {
      const h = this.slots[2 * i]!;
      if (h === 0) {
        this.slots[2 * i] = high;
        this.slots[2 * i + 1] = low;
        this.count += 1;
        return false;
      }
      if (h === high && this.slots[2 * i + 1] === low) return true;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
}

// The last hash computed, as two words (no array per id: the check pass hashes every message id).
let hashHigh = 0;
let hashLow = 0;

/** An id's 63-bit hash into hashHigh and hashLow; the high word's top bit marks a used slot. */
function hashOf(id: string): void {
  let high = 0x811c9dc5;
  let low = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    high = Math.imul(high ^ c, 0x01000193);
    low = Math.imul(low ^ c, 0x5bd1e995);
    low ^= low >>> 15;
  }
  hashHigh = (high | 0x80000000) >>> 0;
  hashLow = low >>> 0;
}
