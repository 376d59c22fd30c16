/**
 * The safe Markdown subset messages are shown with: **bold**, *italic* (or _italic_), `code`,
 * fenced code blocks, "> " quotes, and links (linkify.ts). The result is a tree of plain data
 * that Text.tsx turns into elements: nothing is ever parsed as HTML, so `<b>` stays the four
 * characters it is. What is not this subset (headings, lists, tables, images) shows as written.
 */

export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong' | 'em'; readonly children: readonly Inline[] };

export type Block =
  | { readonly kind: 'lines'; readonly children: readonly Inline[] }
  | { readonly kind: 'codeBlock'; readonly text: string }
  | { readonly kind: 'quote'; readonly children: readonly Block[] };

const FENCE = /^```[^`\n]*$/;

/** Splits `text` into blocks: fenced code, quotes (consecutive "> " lines), and runs of other lines. */
export function parseBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let plain: string[] = [];
  const flushPlain = () => {
    if (plain.length > 0) blocks.push({ kind: 'lines', children: parseInline(plain.join('\n')) });
    plain = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) {
      let end = i + 1;
      while (end < lines.length && !lines[end]!.startsWith('```')) end++;
      // An unclosed fence is not a code block: it shows as written.
      if (end < lines.length) {
        flushPlain();
        blocks.push({ kind: 'codeBlock', text: lines.slice(i + 1, end).join('\n') });
        i = end;
        continue;
      }
    }
    if (line.startsWith('>')) {
      const quoted: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('>')) quoted.push(lines[i++]!.replace(/^> ?/, ''));
      i--;
      flushPlain();
      blocks.push({ kind: 'quote', children: parseBlocks(quoted.join('\n')) });
      continue;
    }
    plain.push(line);
  }
  flushPlain();
  return blocks;
}

/**
 * Inline marks. A delimiter run only opens when followed by a non-space and closes when
 * preceded by one, and only at word boundaries, for `*` too (unlike CommonMark), so that
 * snake_case_names and 2*3*4 stay as written.
 * Code spans are taken first: nothing inside them is a mark.
 */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    CODE_SPAN.lastIndex = i;
    const code = CODE_SPAN.exec(text);
    if (code) {
      flush();
      out.push({ kind: 'code', text: code[1]! });
      i += code[0].length;
      continue;
    }
    const mark = emphasisAt(text, i);
    if (mark) {
      flush();
      out.push({ kind: mark.kind, children: parseInline(mark.inner) });
      i = mark.end;
      continue;
    }
    plain += text[i];
    i++;
  }
  flush();
  return out;
}

const WORD = /[\p{L}\p{N}]/u;
/** A code span starting exactly at lastIndex (sticky). */
const CODE_SPAN = /`([^`\n]+)`/y;
/**
 * How far ahead a closing delimiter is looked for: emphasis spans a phrase, and the bound keeps a
 * long text full of `*` from costing time quadratic in its length.
 */
const MAX_EMPHASIS_CHARS = 1000;

function emphasisAt(text: string, i: number): { kind: 'strong' | 'em'; inner: string; end: number } | null {
  for (const [delimiter, kind] of [
    ['**', 'strong'],
    ['__', 'strong'],
    ['*', 'em'],
    ['_', 'em'],
  ] as const) {
    if (!text.startsWith(delimiter, i)) continue;
    const innerStart = i + delimiter.length;
    const first = text[innerStart];
    if (first === undefined || /\s/.test(first) || first === delimiter[0]) continue;
    if (i > 0 && WORD.test(text[i - 1]!)) continue;
    const limit = innerStart + MAX_EMPHASIS_CHARS;
    let close = text.indexOf(delimiter, innerStart + 1);
    while (close !== -1 && close <= limit) {
      const before = text[close - 1]!;
      const after = text[close + delimiter.length];
      const wordAfter = after !== undefined && WORD.test(after);
      // `**` inside `*…*` is not the end of the italic run.
      const doubled = delimiter.length === 1 && text[close + 1] === delimiter;
      if (!/\s/.test(before) && !wordAfter && !doubled && !text.slice(innerStart, close).includes('\n\n')) break;
      close = text.indexOf(delimiter, close + (doubled ? 2 : 1));
    }
    if (close === -1 || close > limit) continue;
    return { kind, inner: text.slice(innerStart, close), end: close + delimiter.length };
  }
  return null;
}
