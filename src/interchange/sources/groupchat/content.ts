import { linkText } from '../../../core/richText.js';

/**
 * A tblChat `content` value → message kind, title, plain text and file references.
 *
 * - Stories: content starting with `[STORY]` (any case). If a line break follows later, the
 *   first line after the marker is the title (empty → no title) and the rest the text;
 *   otherwise everything after the marker is the text and there is no title.
 * - A link stored as an HTML anchor keeps its label and its target as pchat's inline link
 *   `[label](URL)` (core/richText.ts: the web client shows a link, IRC and SIP `label (URL)`); the
 *   URL alone when the label is empty or the URL itself; `label (URL)` as plain text when the
 *   target is not http, https or mailto (an `ma-filelink:` stays findable below). No HTML is
 *   kept; other `<…>` text was typed by users and stays as it is (content is plain text).
 * - Every `ma-filelink:` reference is returned so the plan can list the files to carry over;
 *   the reference itself stays in the text.
 */

export interface ConvertedContent {
  readonly kind: 'text' | 'story';
  readonly title: string | null;
  readonly text: string;
  readonly files: readonly string[];
}

export const MAX_TITLE = 256;
const STORY = /^\[story\]/i;
const ANCHOR = /<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;
const FILELINK = /ma-filelink:[^\s"'<>]+/gi;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };
const decode = (s: string) => s.replace(/&(?:amp|lt|gt|quot|apos|#39);/g, (e) => ENTITIES[e] ?? e);
const stripTags = (s: string) => s.replace(/<[^>]*>/g, '');

function unlink(text: string): string {
  return text.replace(ANCHOR, (_all, dq: string | undefined, sq: string | undefined, bare: string | undefined, inner: string) => {
    const url = decode(dq ?? sq ?? bare ?? '').trim();
    return linkText(decode(stripTags(inner)), url);
  });
}

export function convertContent(raw: string): ConvertedContent {
  let text = raw.includes('<') ? unlink(raw) : raw;
  let kind: ConvertedContent['kind'] = 'text';
  let title: string | null = null;
  if (text.startsWith('[') && STORY.test(text)) {
    kind = 'story';
    const rest = text.slice('[STORY]'.length);
    const nl = rest.indexOf('\n');
    if (nl === -1) text = rest;
    else {
      title = rest.slice(0, nl).replace(/\r$/, '').trim() || null;
      text = rest.slice(nl + 1);
    }
  }
  const files = text.includes(':') ? (text.match(FILELINK) ?? []) : [];
  return { kind, title, text, files };
}
