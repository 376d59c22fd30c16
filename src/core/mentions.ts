/**
 * @mentions. A message mentions a user when its text has `@` followed by the user's login,
 * case-insensitively, where the `@` starts a word (the text's start, or after a space or an
 * opening bracket/quote, so `bob@example.com` mentions nobody) and the login ends the word or is
 * followed by punctuation (`@alice,` `@alice:` `(@alice)` `@alice.`). Logins may themselves hold
 * punctuation (`sip:alice@contoso.com`, `bob.smith`), so each word yields its full form and the
 * forms with trailing punctuation removed; the application keeps those that are logins.
 *
 * Display names may contain spaces and are not unique, so they are never parsed: a mention is
 * always by login (the web client's completion inserts `@login` whichever the user typed).
 * This file is pure and shared by the server and the web client (web/src imports it).
 */

/** The most mentions one message records (a message listing a whole department notifies nobody extra past this). */
export const MAX_MENTIONS = 50;

// The `@` must start a word: at the start, or after whitespace or an opening bracket or quote.
const WORD = /(?:^|[\s([{"'«“‘<])@([^\s@]+(?:@[^\s@]+)?)/gu;
// Punctuation that may follow a login without being part of it.
const TRAILING = /[.,:;!?)\]}>"'»”’…]+$/u;

/**
 * The candidate logins a text mentions, lower-cased, without repeats, in order of appearance;
 * at most `MAX_MENTIONS` words are looked at. Costs one `indexOf` for a text without `@`.
 */
export function mentionCandidates(text: string): string[] {
  if (text.indexOf('@') === -1) return [];
  const found = new Set<string>();
  let words = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[1]!.toLowerCase();
    found.add(word);
    const trimmed = word.replace(TRAILING, '');
    if (trimmed !== '' && trimmed !== word) found.add(trimmed);
    if (++words >= MAX_MENTIONS) break;
  }
  return [...found];
}

/** Whether `text` mentions the user with this login (as the server decides, for one reader). */
export function mentionsLogin(text: string, login: string): boolean {
  if (text.indexOf('@') === -1) return false;
  return mentionCandidates(text).includes(login.toLowerCase());
}

/** Pieces of a text: plain runs and `@login` tokens that name one of `isLogin`'s users (for rendering chips). */
export type MentionPiece = { readonly text: string } | { readonly text: string; readonly login: string };

/**
 * Splits `text` into plain runs and mention tokens (the `@` and the login, trailing punctuation
 * left as text), keeping only the tokens `isLogin` accepts. Joining every piece's text gives `text` back.
 */
export function splitMentions(text: string, isLogin: (lowerCased: string) => boolean): MentionPiece[] {
  if (text.indexOf('@') === -1) return [{ text }];
  const pieces: MentionPiece[] = [];
  let at = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[1]!;
    const start = match.index + match[0].length - word.length - 1;
    const login = isLogin(word.toLowerCase()) ? word : word.replace(TRAILING, '');
    if (login === '' || !isLogin(login.toLowerCase())) continue;
    if (start > at) pieces.push({ text: text.slice(at, start) });
    pieces.push({ text: `@${login}`, login });
    at = start + 1 + login.length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}

/** A user's notification setting for one room: every message, mentions of them (the default), or nothing. */
export const NOTIFY_LEVELS = ['all', 'mentions', 'none'] as const;
export type NotifyLevel = (typeof NOTIFY_LEVELS)[number];
export const DEFAULT_NOTIFY_LEVEL: NotifyLevel = 'mentions';

/**
 * Whether a browser notification is shown for a new message: only while the page is hidden, never
 * for one's own messages, and as the room's setting says. The mention badge counts regardless.
 */
export function shouldNotify(level: NotifyLevel, options: { readonly hidden: boolean; readonly own: boolean; readonly mentionsMe: boolean }): boolean {
  if (!options.hidden || options.own) return false;
  return level === 'all' || (level === 'mentions' && options.mentionsMe);
}
