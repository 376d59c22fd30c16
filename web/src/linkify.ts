/**
 * Splits user text into plain strings and links. Only http:, https: and mailto: become links;
 * the caller renders strings as text nodes, never as HTML.
 */
export type Segment = string | { readonly href: string; readonly text: string };

const PATTERN = /\b(?:https?:\/\/[^\s<>"']+|mailto:[^\s<>"']+@[^\s<>"']+|www\.[^\s<>"']+\.[^\s<>"']+)/gi;
const TRAILING = /[).,;:!?\]}'"]+$/;

export function safeHref(raw: string): string | null {
  const candidate = /^www\./i.test(raw) ? `https://${raw}` : raw;
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}

// pchat's inline link `[label](url)` (src/core/richText.ts, docs/archive-format.md "How rich content
// is carried"): label with `\`, `[`, `]` escaped, URL without white space, parentheses, <, > or ".
const LABELLED = /\[((?:[^[\]\\\n]|\\[\\[\]])+)\]\(((?:https?:\/\/|mailto:)[^\s()<>"]+)\)/gi;

/** Text as strings and links: inline `[label](url)` links first, then bare URLs in the rest. */
export function linkify(text: string): Segment[] {
  if (!text.includes('](')) return linkifyBare(text);
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(LABELLED)) {
    const href = safeHref(match[2]!);
    if (!href) continue;
    if (match.index > last) out.push(...linkifyBare(text.slice(last, match.index)));
    out.push({ href, text: match[1]!.replace(/\\([\\[\]])/g, '$1') });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(...linkifyBare(text.slice(last)));
  return out;
}

function linkifyBare(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(PATTERN)) {
    let raw = match[0];
    // Sentence punctuation after a link is not part of it, but a balanced ")" is (Wikipedia links).
    const trail = TRAILING.exec(raw)?.[0] ?? '';
    if (trail && !(trail.startsWith(')') && raw.includes('('))) raw = raw.slice(0, raw.length - trail.length);
    const start = match.index;
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push({ href, text: raw });
    last = start + raw.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
