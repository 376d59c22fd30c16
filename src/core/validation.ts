import { PchatError } from './errors.js';

export const MAX_NAME_CHARS = 256;
export const MAX_DESCRIPTION_CHARS = 256;

// C0/C1 control characters (tab and newline excluded where text allows them).
// eslint-disable-next-line no-control-regex
const CONTROL_IN_NAME = /[\u0000-\u001f\u007f-\u009f]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/u;

const codePoints = (value: string): number => [...value].length;

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

/** Normalises and checks message text: line endings become \n, no control characters. */
export function validateMessageText(value: string, limits: MessageLimits, field = 'text'): string {
  const text = value.replace(/\r\n?/g, '\n');
  if (text.trim().length === 0) throw new PchatError('invalid_input', 'A message cannot be empty.', { field });
  if (codePoints(text) > limits.maxMessageChars) {
    throw new PchatError('too_large', `A message can have at most ${limits.maxMessageChars} characters.`, { field });
  }
  if (CONTROL_IN_TEXT.test(text)) {
    throw new PchatError('invalid_input', 'A message cannot contain control characters.', { field });
  }
  return text;
}

export function validateTitle(value: string, field = 'title'): string {
  const title = value.normalize('NFC').trim();
  if (codePoints(title) > MAX_TITLE_CHARS) {
    throw new PchatError('invalid_input', `A story title can have at most ${MAX_TITLE_CHARS} characters.`, { field });
  }
  if (CONTROL_IN_NAME.test(title)) {
    throw new PchatError('invalid_input', 'A title cannot contain control characters.', { field });
  }
  return title;
}
