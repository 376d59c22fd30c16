import { PchatError } from '../core/errors.js';

export const MAX_FAILURES = 10;
export const LOCKOUT_MS = 60_000;

/**
 * Slows password guessing: after MAX_FAILURES wrong passwords for one login within the
 * lockout window, that login is refused for LOCKOUT_MS whatever the password. Kept in memory:
 * a restart forgets it, which costs a guesser at most one more round.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number) {}

  check(login: string): void {
    const entry = this.failures.get(login.toLowerCase());
    if (!entry || entry.count < MAX_FAILURES) return;
    const wait = entry.since + LOCKOUT_MS - this.now();
    if (wait > 0) {
      throw new PchatError('rate_limited', `Too many failed sign-ins for this login; try again in ${Math.ceil(wait / 1000)} s.`);
    }
    this.failures.delete(login.toLowerCase());
  }

  failed(login: string): void {
    const key = login.toLowerCase();
    const entry = this.failures.get(key);
    const now = this.now();
    if (!entry || now - entry.since > LOCKOUT_MS) this.failures.set(key, { count: 1, since: now });
    else {
      entry.count += 1;
      if (entry.count === MAX_FAILURES) entry.since = now;
    }
    // Bounded: a flood of made-up logins cannot grow this without limit.
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(login: string): void {
    this.failures.delete(login.toLowerCase());
  }
}
