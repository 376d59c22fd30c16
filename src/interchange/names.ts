import { createHash } from 'node:crypto';
import { codePoints, MAX_NAME_CHARS } from '../core/validation.js';

/**
 * Names an import can always store. A legacy name can be longer than pchat allows (Group Chat's
 * category prefixes make long names longer) or equal to another one; rather than refusing the
 * whole migration, such a name is shortened or told apart by a suffix made from the item's source
 * id: the same item gets the same name on every run (so re-runs and verify agree), and two long
 * names that share their beginning stay distinct.
 */

/** `~` and the first 8 hex digits of SHA-256 of `<kind>:<source id>`: stable, short, and rarely the same for two items. */
export function distinguishingSuffix(kind: string, sourceId: string): string {
  return `~${createHash('sha256').update(`${kind}:${sourceId}`).digest('hex').slice(0, 8)}`;
}

const SEGMENT = ' / ';
const ELLIPSIS = '…';

/**
 * `name` cut to `limit` characters with the suffix ` ~xxxxxxxx` at the end. A name made of
 * ` / `-separated segments (a flattened Group Chat path) keeps its last segment, the item's own
 * name, when that takes at most half the room: the middle of the path gives way (`A / B / … / room ~1a2b3c4d`).
 */
export function shortenName(name: string, kind: string, sourceId: string, limit = MAX_NAME_CHARS): string {
  return shortenedWith(name, ` ${distinguishingSuffix(kind, sourceId)}`, limit);
}

/** `name` cut as shortenName cuts it, so that `suffix` still fits after it. */
function shortenedWith(name: string, suffix: string, limit: number): string {
  const budget = limit - codePoints(suffix);
  const chars = [...name.trim()];
  if (chars.length <= budget) return `${chars.join('')}${suffix}`;
  const cut = name.lastIndexOf(SEGMENT);
  const last = cut >= 0 ? [...name.slice(cut + SEGMENT.length)] : [];
  if (last.length > 0 && last.length + SEGMENT.length + 1 <= budget / 2) {
    const head = chars.slice(0, budget - last.length - SEGMENT.length - 1).join('').trimEnd();
    return `${head}${ELLIPSIS}${SEGMENT}${last.join('')}${suffix}`;
  }
  return `${chars.slice(0, budget - 1).join('').trimEnd()}${ELLIPSIS}${suffix}`;
}

/** `name` told apart from an equal one by the item's suffix (shortened to fit when need be). */
export function distinctName(name: string, kind: string, sourceId: string, limit = MAX_NAME_CHARS): string {
  return nameWithSuffix(name, ` ${distinguishingSuffix(kind, sourceId)}`, limit);
}

/** `name` followed by `suffix`, the name shortened (as shortenName does) when both would not fit: the suffix always survives. */
export function nameWithSuffix(name: string, suffix: string, limit = MAX_NAME_CHARS): string {
  return codePoints(name) + codePoints(suffix) <= limit ? `${name}${suffix}` : shortenedWith(name, suffix, limit);
}

/** A login told apart the same way; logins have no spaces, so the suffix follows directly. */
export function distinctLogin(login: string, sourceId: string, limit = MAX_NAME_CHARS): string {
  const suffix = distinguishingSuffix('user', sourceId);
  return `${[...login].slice(0, limit - suffix.length).join('')}${suffix}`;
}

