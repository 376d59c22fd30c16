/**
 * How rich content travels in pchat's plain message text (docs/archive-format.md, "How rich
 * content is carried"): a link with a label is written inline as `[label](url)`, with `\`, `[`
 * and `]` in the label escaped by a backslash and `(`, `)` and white space in the URL
 * percent-encoded, so the form is unambiguous. Only http:, https: and mailto: URLs make a
 * link; anything else is plain text. The web client renders the form as a link (its own copy of
 * the parser, web/src/linkify.ts); IRC and SIP clients get `label (url)` (see plainText).
 * Text without the form, which is every message written before it existed, means what it says.
 */

export type RichSegment = string | { readonly label: string; readonly href: string };

const SAFE_SCHEME = /^(?:https?:\/\/|mailto:)/i;
// label: one or more characters, `\` `[` `]` only escaped, no line break; url: a safe scheme, no white space, parentheses, <, > or ".
const LINK = /\[((?:[^[\]\\\n]|\\[\\[\]])+)\]\(((?:https?:\/\/|mailto:)[^\s()<>"]+)\)/gi;

/** Whether `url` may become a link: http, https or mailto, and nothing the form cannot carry. */
export const isLinkTarget = (url: string): boolean => SAFE_SCHEME.test(url) && !/[<>"]/.test(url);

const escapeLabel = (label: string) => label.replace(/[\\[\]]/g, (c) => `\\${c}`);
const unescapeLabel = (label: string) => label.replace(/\\([\\[\]])/g, '$1');
const encodeUrl = (url: string) => url.replace(/[\s()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * A link as message text: `[label](url)`; the URL alone when the label is empty or is the URL
 * (clients link bare URLs themselves); `label (url)`, plain, when the URL is not a safe target.
 */
export function linkText(label: string, url: string): string {
  const cleanLabel = label.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const target = url.trim();
  if (cleanLabel === '' || cleanLabel === target) return target;
  if (!isLinkTarget(target)) return `${cleanLabel} (${target})`;
  return `[${escapeLabel(cleanLabel)}](${encodeUrl(target)})`;
}

/** Message text as plain strings and links, in order. */
export function richSegments(text: string): RichSegment[] {
  if (!text.includes('](')) return [text];
  const out: RichSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    out.push({ label: unescapeLabel(match[1]!), href: match[2]! });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The text as clients without links show it (IRC, SIP): `label (url)`, or the URL when the label is the URL. */
export function plainText(text: string): string {
  if (!text.includes('](')) return text;
  return richSegments(text)
    .map((s) => (typeof s === 'string' ? s : s.label === s.href ? s.href : `${s.label} (${s.href})`))
    .join('');
}
