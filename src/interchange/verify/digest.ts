import { createHash, type Hash } from 'node:crypto';

/** Digest lines are encoded into a buffer of this size and hashed when it is full, not one call per message. */
const PIECE = 64 * 1024;

/**
 * A room's message digest: SHA-256 over the concatenation of its messages' digest lines (UTF-8),
 * in order, and their count. Lines are encoded into a buffer and hashed a buffer at a time,
 * which gives the same hash as one update per line at a fraction of the calls (and without
 * flattening a long string of lines).
 */
export class Digest {
  private readonly hash: Hash = createHash('sha256');
  private readonly piece = Buffer.allocUnsafe(PIECE);
  private used = 0;
  count = 0;

  add(line: string): void {
    this.count += 1;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.used + 3 * line.length > PIECE) {
      this.hash.update(this.piece.subarray(0, this.used));
      this.used = 0;
      if (3 * line.length > PIECE) {
        this.hash.update(line);
        return;
      }
    }
    this.used += this.piece.write(line, this.used);
  }

  hex(): string {
    this.hash.update(this.piece.subarray(0, this.used));
    this.used = 0;
    return this.hash.digest('hex');
  }
}

/** `String.prototype.isWellFormed` (ES2024; in Node since 20), which the ES2023 typings lack. */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * One string of a digest line: its length in UTF-16 units, a colon, the string. A string with a
 * lone surrogate (which UTF-8 cannot carry: it would become U+FFFD, indistinguishable from a real
 * one) is written as `!` and its JSON, which escapes the surrogate, length-prefixed the same way.
 */
export function field(s: string): string {
  if (wellFormed(s)) return `${s.length}:${s}`;
  const json = JSON.stringify(s);
  return `!${json.length}:${json}`;
}

/**
 * Builds digest lines. A message's digest line is, exactly,
 *
 *     field(system) field(id) field(authorIdentity) field(at) field(kind) (field(title) or "-") field(text) conversationMark "\n"
 *
 * concatenated without separators (each field carries its own length, so no two different
 * messages give the same line), and the room digest is SHA-256 over the UTF-8 of its lines in
 * order. system and id are the message's identity (its origin, else the source's system key
 * and the source's own id), authorIdentity the identity key of its author (resolved on each side
 * through that side's users, `missing <id>` when unknown), `at` the UTC ISO time with
 * milliseconds. Both sides of a verify build lines here, so they cannot drift apart.
 * (Lengths rather than JSON: JSON.stringify of every text on both sides cost twice as much as
 * the rest of the line and the hashing together.)
 */
export class DigestLines<A> {
  private readonly systems = new Map<string, string>();
  private readonly authors = new Map<A, string>();

  constructor(private readonly authorIdentity: (author: A) => string) {}

  line(system: string, id: string, author: A, at: string, kind: string, title: string | null, text: string, conversation = ''): string {
    let prefix = this.systems.get(system);
    if (prefix === undefined) {
      prefix = field(system);
      this.systems.set(system, prefix);
    }
    let who = this.authors.get(author);
    if (who === undefined) {
      who = field(this.authorIdentity(author));
      this.authors.set(author, who);
    }
    return `${prefix}${field(id)}${who}${field(at)}${field(kind)}${title === null ? '-' : field(title)}${field(text)}${conversation}\n`;
  }
}

/**
 * The end of a digest line for a reply, an edited message or one with reactions (empty for
 * others, so their lines stay as they were): `~`, then `r` and field(the parent's identity) for a
 * reply or `-`, then field(editedAt) or `-`, then field(reactionsMark) when it has reactions. A
 * reply is one on both sides when its parent came earlier in its room in the source, and answers
 * the same message on both: its parent's identity, as the import links it (replies.ts).
 */
export function conversationMark({ reply, editedAt, reactions }: Conversation): string {
  if (reply === null && editedAt === null && reactions === '') return '';
  return `~${reply === null ? '-' : `r${field(reply)}`}${editedAt === null ? '-' : field(editedAt)}${reactions === '' ? '' : field(reactions)}`;
}

/** What a digest line says of a message's conversation, as either side sees it (content.ts). */
export interface Conversation {
  /** A reply whose parent is there (in the source: earlier in its room): the parent's identity, `system/id`; null for none. */
  readonly reply: string | null;
  readonly editedAt: string | null;
  /** reactionsMark of its reactions. */
  readonly reactions: string;
}

/**
 * A message's reactions as one string both sides build alike: each emoji with the identity keys of
 * who reacted, sorted (an import cannot know in which order people reacted), `emoji=a,b;emoji=c`;
 * empty for none.
 */
export function reactionsMark(reactions: readonly { readonly emoji: string; readonly users: readonly string[] }[]): string {
  return reactions
    .map((r) => `${r.emoji}=${[...r.users].sort().join(',')}`)
    .sort()
    .join(';');
}
