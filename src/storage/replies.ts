import { type Message, REPLY_EXCERPT, type ReplyRef } from '../core/model.js';

/**
 * Replies as both stores read them (migration 0018). A message row carries its parent's id and
 * its own reply count; what a reply shows of its parent (seq, author, the start of its text) is
 * read in one more query per page, only for a page that holds a reply, as files are.
 */

/** The columns a parent is read by, in both dialects (`substr` counts characters in both). */
export const PARENT_COLUMNS = `id, seq, author_id, substr(text, 1, ${REPLY_EXCERPT}) AS excerpt`;
export interface ParentRow {
  id: number;
  seq: number;
  author_id: number;
  excerpt: string;
}

/** A reply's parent before it is looked up, and what it stays when the parent was removed. */
export const removedParent = (id: number): ReplyRef => ({ id, seq: null, authorId: null, excerpt: '' });

/** The parents a page of messages needs looked up (each once). */
export function parentIdsOf(messages: readonly Message[]): number[] {
  const ids = new Set<number>();
  for (const m of messages) if (m.replyTo) ids.add(m.replyTo.id);
  return [...ids];
}

/** The messages with their parents filled in from the rows found (a parent not found stays removed). */
export function withParents(messages: Message[], parents: readonly ParentRow[]): Message[] {
  if (parents.length === 0) return messages;
  const byId = new Map(parents.map((p) => [Number(p.id), p]));
  return messages.map((m) => {
    const parent = m.replyTo && byId.get(m.replyTo.id);
    return parent ? { ...m, replyTo: { id: m.replyTo!.id, seq: Number(parent.seq), authorId: Number(parent.author_id), excerpt: parent.excerpt } } : m;
  });
}
