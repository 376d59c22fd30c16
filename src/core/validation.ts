import { PchatError } from './errors.js';

export const MAX_NAME_CHARS = 256;
export const MAX_DESCRIPTION_CHARS = 256;

// C0/C1 control characters (tab and newline excluded where text allows them).
// eslint-disable-next-line no-control-regex
const CONTROL_IN_NAME = /[\u0000-\u001f\u007f-\u009f]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/u;

/**
 * A text's length as the limits count it: in code points (an emoji is one, a lone surrogate
 * one), as `[...value].length` counts them, without building that array for every message.
 */
export function codePoints(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff) continue;
    const next = value.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) {
      count--; // a surrogate pair
      i++;
    }
  }
  return count;
}

/**
 * The one answer to text that is not Unicode text: bytes that are not UTF-8 reach the
 * application as lone surrogates (protocols/text.ts), and a lone surrogate is refused wherever
 * it comes from, so nothing is ever silently replaced by U+FFFD.
 */
export const NOT_UTF8 = 'The text is not valid UTF-8 (a malformed byte sequence or a lone surrogate).';
/** No lone surrogate: `String.prototype.isWellFormed` (ES2024, in Node since 20; the ES2023 typings lack it), ~15x faster than a /\p{Cs}/u scan. */
export const isWellFormedText = (value: string): boolean => (value as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) make a text
 * display in another order than it is stored ("Trojan Source"). They are refused rather than
 * removed, so the text a client had acknowledged is exactly the text stored and shown.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;
/**
 * A visible character: anything but white space, separators, control and format characters,
 * the default-ignorable ones (zero-width spaces and joiners, variation selectors, the Hangul
 * fillers) and the blank Braille pattern, which all show as nothing.
 */
const VISIBLE = /[^\s\p{Z}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** Names of categories, rooms, groups and add-ins: 1–256 characters, no control characters. */
export function validateName(value: string, field = 'name'): string {
  const name = value.normalize('NFC').trim();
  if (name.length === 0) throw new PchatError('invalid_name', 'A name cannot be empty.', { field });
  if (codePoints(name) > MAX_NAME_CHARS) {
    throw new PchatError('invalid_name', `A name can have at most ${MAX_NAME_CHARS} characters.`, { field });
  }
  if (CONTROL_IN_NAME.test(name)) {
    throw new PchatError('invalid_name', 'A name cannot contain control characters.', { field });
  }
  return name;
}

export function validateDescription(value: string, field = 'description'): string {
  const text = value.normalize('NFC');
  if (codePoints(text) > MAX_DESCRIPTION_CHARS) {
    throw new PchatError('invalid_input', `A description can have at most ${MAX_DESCRIPTION_CHARS} characters.`, { field });
  }
  if (CONTROL_IN_TEXT.test(text)) {
    throw new PchatError('invalid_input', 'A description cannot contain control characters.', { field });
  }
  return text;
}

/**
 * URLs that clients open or embed (add-in pages, the room management page): only http and
 * https, so no javascript: or file: URL can reach a browser.
 */
export function validateHttpUrl(value: string, field = 'url', what = 'The add-in URL'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PchatError('invalid_input', `${what} is not a valid absolute URL.`, { field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PchatError('invalid_input', `${what} must use http or https.`, { field });
  }
  return url.toString();
}

export interface MessageLimits {
  readonly maxMessageChars: number;
}

export const MAX_TITLE_CHARS = 256;

/**
 * The one text rule of every door: line endings become \n; refused are text that is not valid
 * UTF-8, a text with no visible character, control characters and bidirectional controls.
 */
export function validateMessageText(value: string, limits: MessageLimits, field = 'text'): string {
  const text = value.replace(/\r\n?/g, '\n');
  if (!isWellFormedText(text)) throw new PchatError('invalid_input', NOT_UTF8, { field });
  if (text.trim().length === 0) throw new PchatError('invalid_input', 'A message cannot be empty.', { field });
  if (!VISIBLE.test(text)) throw new PchatError('invalid_input', 'A message needs at least one visible character.', { field });
  if (codePoints(text) > limits.maxMessageChars) {
    throw new PchatError('too_large', `A message can have at most ${limits.maxMessageChars} characters.`, { field });
  }
  if (CONTROL_IN_TEXT.test(text)) {
    throw new PchatError('invalid_input', 'A message cannot contain control characters.', { field });
  }
  if (BIDI_CONTROL.test(text)) {
    throw new PchatError('invalid_input', 'A message cannot contain bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069).', { field });
  }
  return text;
}

export function validateTitle(value: string, field = 'title'): string {
  const title = value.normalize('NFC').trim();
  if (codePoints(title) > MAX_TITLE_CHARS) {
    throw new PchatError('invalid_input', `A story title can have at most ${MAX_TITLE_CHARS} characters.`, { field });
  }
  if (!isWellFormedText(title)) throw new PchatError('invalid_input', NOT_UTF8, { field });
  if (CONTROL_IN_NAME.test(title)) {
    throw new PchatError('invalid_input', 'A title cannot contain control characters.', { field });
  }
  if (BIDI_CONTROL.test(title)) {
    throw new PchatError('invalid_input', 'A title cannot contain bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069).', { field });
  }
  return title;
}
