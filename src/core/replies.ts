import { type Message, REPLY_EXCERPT, type ReplyRef } from './model.js';

/** The parent as a reply written now shows it (the writer has the parent at hand). */
export const parentRef = (parent: Message): ReplyRef => ({ id: parent.id, seq: parent.seq, authorId: parent.authorId, excerpt: parent.text.slice(0, REPLY_EXCERPT) });

/**
 * The short quote of a parent that doors without replies of their own show before a reply's
 * text (IRC, SIP): `> alice: the start of what alice wrote…`, on one line, at most `max`
 * characters of the parent. A removed parent reads as such.
 */
export function quoteOf(parent: ReplyRef, authorName: string | null, max = 60): string {
  if (parent.seq === null || authorName === null) return '> (a removed message)';
  const flat = parent.excerpt.replace(/\s+/g, ' ').trim();
  const cut = [...flat];
  const text = cut.length > max ? `${cut.slice(0, max - 1).join('').trimEnd()}…` : flat;
  return `> ${authorName}: ${text}`;
}
