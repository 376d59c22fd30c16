import { type ComponentChildren, Fragment } from 'preact';
import { splitMentions } from '../../../src/core/mentions.js';
import { chat } from '../chat.js';
import { linkify } from '../linkify.js';
import { type Block, type Inline, parseBlocks, parseInline } from '../markdown.js';

/**
 * User text: the safe Markdown subset of markdown.ts, with http/https/mailto links made safe.
 * Everything becomes elements and text nodes, never HTML. `highlight` marks the words of a
 * search in the text (outside code); with `actor` (the author's name) a `/me …` text is an action.
 */
export function Text({ text, highlight = [], actor }: { text: string; highlight?: readonly string[]; actor?: string }) {
  const marker = withMentions(highlighter(highlight));
  // `/me waves` (IRC's ACTION, typed in the web too) reads as "Alice waves", set apart.
  if (actor !== undefined && text.startsWith('/me ')) {
    return (
      <span class="md-action">
        {actor} {parseInline(text.slice(4)).map((inline, i) => renderInline(inline, i, marker))}
      </span>
    );
  }
  return <>{parseBlocks(text).map((block, i) => renderBlock(block, i, marker))}</>;
}

type Marker = (text: string) => ComponentChildren;

function renderBlock(block: Block, key: number, mark: Marker): ComponentChildren {
  switch (block.kind) {
    case 'codeBlock':
      return (
        <code key={key} class="md-code-block">
          {block.text}
        </code>
      );
    case 'quote':
      return (
        <span key={key} class="md-quote">
          {block.children.map((b, i) => renderBlock(b, i, mark))}
        </span>
      );
    case 'lines':
      // A line break between blocks belongs to the block boundary, not to the text.
      return (
        <span key={key} class="md-lines">
          {block.children.map((inline, i) => renderInline(inline, i, mark))}
        </span>
      );
  }
}

function renderInline(inline: Inline, key: number, mark: Marker): ComponentChildren {
  switch (inline.kind) {
    case 'code':
      return <code key={key}>{inline.text}</code>;
    case 'strong':
      return <strong key={key}>{inline.children.map((c, i) => renderInline(c, i, mark))}</strong>;
    case 'em':
      return <em key={key}>{inline.children.map((c, i) => renderInline(c, i, mark))}</em>;
    case 'text':
      return linkify(inline.text).map((s, i) =>
        typeof s === 'string' ? (
          <Fragment key={`${key}.${i}`}>{mark(s)}</Fragment>
        ) : (
          <a key={`${key}.${i}`} href={s.href} target="_blank" rel="noopener noreferrer">
            {mark(s.text)}
          </a>
        ),
      );
  }
}

// Punctuation after a login is not part of it (`@alice,`), as the server reads it (src/core/mentions.ts).
const TRAILING_PUNCTUATION = /[.,:;!?)\]}>"'»”’…]$/u;

/** `@login` tokens as mention chips (yours set apart; the message says "mentions you" in words), then the search marks on the rest. Only text nodes: never HTML. */
function withMentions(mark: Marker): Marker {
  const mine = chat.me?.login.toLowerCase();
  return (text) => {
    const pieces = splitMentions(text, (login) => login === mine || !TRAILING_PUNCTUATION.test(login));
    if (pieces.length === 1 && !('login' in pieces[0]!)) return mark(text);
    return pieces.map((piece, i) =>
      'login' in piece ? (
        <span key={i} class={`mention-chip${piece.login.toLowerCase() === mine ? ' you' : ''}`}>
          {mark(piece.text)}
        </span>
      ) : (
        <Fragment key={i}>{mark(piece.text)}</Fragment>
      ),
    );
  };
}

/** Wraps each occurrence of the search words (case-insensitive, whole or part of a word) in <mark>. */
function highlighter(words: readonly string[]): Marker {
  const wanted = words.map((w) => w.trim()).filter((w) => w.length > 0);
  if (wanted.length === 0) return (text) => text;
  const pattern = new RegExp(`(${wanted.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  return (text) => text.split(pattern).map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part));
}
