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

export function linkify(text: string): Segment[] {
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
