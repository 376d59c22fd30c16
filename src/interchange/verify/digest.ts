import { createHash, type Hash } from 'node:crypto';

const str = JSON.stringify as (value: string) => string;

/** Digest lines are handed to SHA-256 in pieces of about this many characters, not one call per message. */
const PIECE = 64 * 1024;

/**
 * A room's message digest: SHA-256 over the concatenation of its messages' digest lines, in
 * order, and their count. Lines are gathered and hashed in pieces, which gives the same hash
 * as one update per line at a fraction of the calls.
 */
export class Digest {
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  count = 0;

  add(line: string): void {
    this.pending += line;
    this.count += 1;
    if (this.pending.length >= PIECE) {
      this.hash.update(this.pending);
      this.pending = '';
    }
  }

  hex(): string {
    this.hash.update(this.pending);
    this.pending = '';
    return this.hash.digest('hex');
  }
}

/**
 * Builds digest lines. A message's digest line is, exactly,
 *
 *     JSON.stringify([`${system}\u0000${id}`, authorIdentity, at, kind, title, text]) + '\n'
 *
 * where system and id are the message's identity (its origin, else the source's system key and
 * the source's own id), authorIdentity the identity key of its author (resolved on each side
 * through that side's users, `missing <id>` when unknown), and `at` the UTC ISO time with
 * milliseconds. Both sides of a verify build it here, so they cannot drift apart; the text is
 * that of `JSON.stringify` (test/interchange/verifyDigest.test.ts holds it to that) but built from
 * cached pieces: the JSON of each system prefix and of each author is computed once.
 */
export class DigestLines<A> {
  private readonly prefixes = new Map<string, string>();
  private readonly authors = new Map<A, string>();

  constructor(private readonly authorIdentity: (author: A) => string) {}

  line(system: string, id: string, author: A, at: string, kind: string, title: string | null, text: string): string {
    let prefix = this.prefixes.get(system);
    if (prefix === undefined) {
      // JSON escapes character by character, so the JSON of a concatenation is the JSON of its parts joined.
      prefix = str(`${system}\u0000`).slice(0, -1);
      this.prefixes.set(system, prefix);
    }
    let who = this.authors.get(author);
    if (who === undefined) {
      who = str(this.authorIdentity(author));
      this.authors.set(author, who);
    }
    return `[${prefix}${str(id).slice(1)},${who},${str(at)},${str(kind)},${title === null ? 'null' : str(title)},${str(text)}]\n`;
  }
}
