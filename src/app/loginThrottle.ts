import { isIPv6 } from 'node:net';
import { PchatError } from '../core/errors.js';

/** The numbers of the sign-in throttle (config `signInThrottle`, documented in the README). */
export interface ThrottleSettings {
  /** Failed sign-ins one address may make for one login before each further one costs a wait. */
  readonly freeFailuresPerLogin: number;
  /** Failed sign-ins one address may make across all logins before each further one costs a wait. */
  readonly freeFailuresPerAddress: number;
  /** The first wait; every further failure doubles it. */
  readonly baseDelaySeconds: number;
  /** The longest wait. */
  readonly maxDelaySeconds: number;
  /** An entry with no failure for this long is forgotten. */
  readonly forgetAfterSeconds: number;
  /** Entries kept per kind (pairs, addresses) at most; the least recently failed go first. */
  readonly maxEntries: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  freeFailuresPerLogin: 5,
  freeFailuresPerAddress: 30,
  baseDelaySeconds: 1,
  maxDelaySeconds: 900,
  forgetAfterSeconds: 3600,
  maxEntries: 100_000,
};

/** Where an attempt comes from when no network address exists (the CLI, tests of the app layer). */
export const LOCAL_SOURCE = 'local';

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/**
 * The failures of one kind of key, oldest-touched first (a Map keeps insertion order, and a
 * touched key is re-inserted), so that both expiry and the size cap drop the stalest entries.
 */
class FailureTable {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly free: number,
    private readonly settings: ThrottleSettings,
  ) {}

  /** Milliseconds until `key` may try again (0: now). */
  wait(key: string, now: number): number {
    const entry = this.live(key, now);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  fail(key: string, now: number): void {
    const entry = this.live(key, now) ?? { failures: 0, lastFailure: now, lockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - this.free;
    if (over > 0) {
      // 2^(over-1) grows past any cap long before it overflows; the exponent is bounded anyway.
      const delay = Math.min(this.settings.baseDelaySeconds * 2 ** Math.min(over - 1, 40), this.settings.maxDelaySeconds);
      entry.lockedUntil = now + delay * 1000;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.prune(now);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && this.stale(entry, now)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private stale(entry: Entry, now: number): boolean {
    return now >= entry.lockedUntil && now - entry.lastFailure >= this.settings.forgetAfterSeconds * 1000;
  }

  /** Drops expired entries from the old end, and the oldest beyond the cap. */
  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size > this.settings.maxEntries || this.stale(entry, now)) this.entries.delete(key);
      else break;
    }
  }
}

/**
 * The address a throttle counts by: IPv4 addresses as they are (an IPv4-mapped IPv6 address
 * as its IPv4 form), IPv6 addresses by their /64, since one subscriber usually holds a whole
 * /64 and could otherwise draw a fresh address for every guess.
 */
export function throttleAddress(address: string): string {
  const plain = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(plain);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(plain)) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = plain.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = plain.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Slows password guessing without letting anyone lock a user out from elsewhere. Failures are
 * counted per (source address, login) and per source address; past a free allowance each
 * further failure makes that key wait, the wait doubling up to a cap. While a key waits, every
 * attempt through it is refused unchecked (and not counted), the right password included. An
 * address that has not failed is never slowed, so a user signs in from their own address
 * whatever others try against their login. A success forgets the pair, not the address: a
 * guesser who holds one valid account cannot wipe their address's record with it. Kept in
 * memory, per process: a restart forgets it, which costs a guesser at most one more allowance.
 */
export class LoginThrottle {
  private readonly pairs: FailureTable;
  private readonly addresses: FailureTable;

  constructor(
    private readonly now: () => number,
    settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {
    this.pairs = new FailureTable(settings.freeFailuresPerLogin, settings);
    this.addresses = new FailureTable(settings.freeFailuresPerAddress, settings);
  }

  /** Throws rate_limited (with `details.retryAfterSeconds`) while this source or pair must wait. */
  check(source: string, login: string): void {
    const now = this.now();
    const address = throttleAddress(source);
    const wait = Math.max(this.addresses.wait(address, now), this.pairs.wait(pairKey(address, login), now));
    if (wait <= 0) return;
    const retryAfterSeconds = Math.ceil(wait / 1000);
    throw new PchatError('rate_limited', `Too many failed sign-ins from your address; try again in ${retryAfterSeconds} s.`, { details: { retryAfterSeconds } });
  }

  failed(source: string, login: string): void {
    const now = this.now();
    const address = throttleAddress(source);
    this.pairs.fail(pairKey(address, login), now);
    this.addresses.fail(address, now);
  }

  succeeded(source: string, login: string): void {
    this.pairs.forget(pairKey(throttleAddress(source), login));
  }

  /** Entries held, for tests of the memory bound. */
  get size(): { pairs: number; addresses: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size };
  }
}

const pairKey = (address: string, login: string): string => `${address} ${login.toLowerCase()}`;
