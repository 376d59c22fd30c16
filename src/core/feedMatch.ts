/**
 * Topic feeds' matching, the pure part: how text becomes words, and the inverted index that
 * finds the filters a post satisfies without looking at the others.
 *
 * Words are split and folded as the search index splits them (SQLite FTS5 `unicode61
 * remove_diacritics 2`, PostgreSQL's `pchat_search_vector`: unaccent, lower case, every run of
 * characters that are not letters or digits a separator), so a filter's word matches what a
 * search for it finds. A filter's words are ANDed, in any order, as whole words: no phrases and
 * no prefixes (a prefix could not be looked up in a hash index by the post's words).
 */

/** Letters and digits; everything else separates words (as FTS5's unicode61 and the PostgreSQL function do). */
const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

/** Folds case and diacritics: "Ünïcödé" → "unicode". */
export function foldWord(text: string): string {
  return text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

/** The words of a text, folded, in order, repeats kept. */
export function wordsOf(text: string): string[] {
  return foldWord(text).match(WORD) ?? [];
}

/** The distinct folded words of a post (title and text), the set every filter's words are looked up in. */
export function postWords(text: string, title: string | null = null): Set<string> {
  const words = new Set(wordsOf(text));
  if (title) for (const w of wordsOf(title)) words.add(w);
  return words;
}

/** A filter as the index needs it. */
export interface FeedRule {
  readonly id: number;
  readonly userId: number;
  /** Folded, distinct, at least one. */
  readonly words: readonly string[];
  /** Only posts by this user; null: anyone's. */
  readonly authorId: number | null;
  /** Only posts in these rooms; null: every room the user may read. */
  readonly roomIds: ReadonlySet<number> | null;
}

/**
 * The index: each filter is filed under one of its words, its anchor (the longest, a cheap
 * stand-in for the rarest), so a post costs one hash lookup per distinct word of the post plus a
 * check of the few filters filed under those words; the other words of a candidate are looked up
 * in the post's word set. Filters whose anchor the post does not contain are never touched, so
 * the cost grows with the post's length and the filters that share its words, not with the
 * number of filters.
 */
export class FeedIndex {
  private readonly byAnchor = new Map<string, FeedRule[]>();
  private readonly rules = new Map<number, FeedRule>();

  get size(): number {
    return this.rules.size;
  }

  /** Adds a filter, or replaces the one with its id. */
  put(rule: FeedRule): void {
    this.remove(rule.id);
    const anchor = anchorOf(rule.words);
    if (anchor === null) return;
    this.rules.set(rule.id, rule);
    let list = this.byAnchor.get(anchor);
    if (!list) this.byAnchor.set(anchor, (list = []));
    list.push(rule);
  }

  remove(id: number): void {
    const rule = this.rules.get(id);
    if (!rule) return;
    this.rules.delete(id);
    const anchor = anchorOf(rule.words) ?? '';
    const list = this.byAnchor.get(anchor);
    if (!list) return;
    const at = list.indexOf(rule);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.byAnchor.delete(anchor);
  }

  /**
   * The filters a post satisfies: every word present, and the author and room constraints.
   * Whether the filter's owner may read the room is the caller's question (the directory).
   */
  match(words: ReadonlySet<string>, roomId: number, authorId: number): FeedRule[] {
    const hits: FeedRule[] = [];
    for (const word of words) {
      const list = this.byAnchor.get(word);
      if (!list) continue;
      for (const rule of list) {
        if (rule.authorId !== null && rule.authorId !== authorId) continue;
        if (rule.roomIds !== null && !rule.roomIds.has(roomId)) continue;
        if (rule.words.every((w) => words.has(w))) hits.push(rule);
      }
    }
    return hits;
  }
}

function anchorOf(words: readonly string[]): string | null {
  let anchor: string | null = null;
  for (const w of words) if (anchor === null || w.length > anchor.length || (w.length === anchor.length && w < anchor)) anchor = w;
  return anchor;
}
