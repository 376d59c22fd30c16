/** Keyword selection for message removal, as Microsoft's moderation tools define it. */
export type KeywordMatch = 'all' | 'any' | 'exact';

export interface KeywordFilter {
  readonly keywords: string;
  readonly match: KeywordMatch;
  readonly caseSensitive: boolean;
}

export const DEFAULT_REPLACEMENT = 'This message was replaced by the Persistent Chat administrator.';

const fold = (text: string, caseSensitive: boolean): string =>
  caseSensitive ? text.normalize('NFC') : text.normalize('NFC').toLocaleLowerCase();

/**
 * `all`: every word appears; `any`: at least one word appears; `exact`: the phrase appears
 * as written (runs of white space compare equal). Words match anywhere in the text.
 */
export function matchesKeywords(text: string, filter: KeywordFilter): boolean {
  const haystack = fold(text, filter.caseSensitive).replace(/\s+/g, ' ');
  const needle = fold(filter.keywords, filter.caseSensitive).trim().replace(/\s+/g, ' ');
  if (needle.length === 0) return true;
  if (filter.match === 'exact') return haystack.includes(needle);
  const words = needle.split(' ');
  return filter.match === 'all' ? words.every((w) => haystack.includes(w)) : words.some((w) => haystack.includes(w));
}
