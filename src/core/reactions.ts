import { PchatError } from './errors.js';
import type { Reaction } from './model.js';

/**
 * Emoji reactions on messages (migration 0019): the one rule for what an emoji is, the cap on
 * distinct emoji per message, and the grouping both stores use, so every door (HTTP, WebSocket,
 * IRC's `+draft/react`, imports) agrees.
 */

export const MAX_EMOJI_CHARS = 64;
/** Distinct emoji on one message: enough for any real conversation, small enough that a message's chips fit on a line or two. */
export const MAX_REACTION_EMOJI = 20;

export const EMOJI_RULE =
  `A reaction is one Unicode emoji (e.g. 👍, 👍🏽, 🏳️‍🌈) or a custom emoji name between colons (e.g. :party-parrot:), ` +
  `at most ${MAX_EMOJI_CHARS} characters, without spaces or control characters.`;

// One fully-qualified emoji sequence (flags, keycaps, skin tones, ZWJ sequences). Built with
// RegExp because the `v` flag is ES2024 and the compiler targets ES2022; Node 20 has it. Built
// at first use: compiling it takes about 30 ms, which every process and worker thread paid at
// start-up (5% of `pchat import --help`) whether it met an emoji or not.
let rgiEmoji: RegExp | null = null;
const isRgiEmoji = (value: string): boolean => (rgiEmoji ??= new RegExp('^\\p{RGI_Emoji}$', 'v')).test(value);
// One pictograph without its emoji variation selector (IRC clients often send ❤ for ❤️).
const BARE_PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
// Slack and Mattermost custom emoji (`:party-parrot:`), and Slack's skin-tone form `:+1::skin-tone-2:`.
const CUSTOM_NAME = /^:[A-Za-z0-9_+-]+(?:::[A-Za-z0-9_+-]+)*:$/;

/**
 * Emoji already accepted, with their stored form: an import checks one reaction after another with
 * the same few emoji, and the RGI pattern costs microseconds a test (5 % of a Slack import's
 * checking thread). Bounded, as values come from clients.
 */
const accepted = new Map<string, string>();
const ACCEPTED_KEPT = 1024;

function storedForm(value: string): string | null {
  if (isRgiEmoji(value) || CUSTOM_NAME.test(value)) return value;
  if (BARE_PICTOGRAPH.test(value)) return isRgiEmoji(`${value}\uFE0F`) ? `${value}\uFE0F` : value;
  return null;
}

/**
 * The emoji as stored, or invalid_input naming `field` and the rule. A bare pictograph whose
 * fully-qualified form is an emoji is stored in that form (❤ becomes ❤️), so both count as one.
 */
export function validateEmoji(value: unknown, field = 'emoji'): string {
  if (typeof value === 'string' && value.length <= MAX_EMOJI_CHARS) {
    const known = accepted.get(value);
    if (known !== undefined) return known;
    const stored = storedForm(value);
    if (stored !== null) {
      if (accepted.size >= ACCEPTED_KEPT) accepted.clear();
      accepted.set(value, stored);
      return stored;
    }
  }
  throw new PchatError('invalid_input', `${field}: ${EMOJI_RULE}`, { field, details: [{ field, message: EMOJI_RULE }] });
}

/** Whether `value` is an emoji as validateEmoji accepts it (for doors that fall back to something else, e.g. IRC's relayed TAGMSG). */
export function isEmoji(value: string): boolean {
  try {
    validateEmoji(value);
    return true;
  } catch {
    return false;
  }
}

/** The message already has MAX_REACTION_EMOJI different emoji and this is another one. */
export const tooManyReactions = (): PchatError =>
  new PchatError('conflict', `A message can have at most ${MAX_REACTION_EMOJI} different reactions; add one of those it has.`, {
    details: { limit: MAX_REACTION_EMOJI },
  });

/** One stored reaction, as both stores read it. */
export interface ReactionRow {
  readonly messageId: number;
  readonly emoji: string;
  readonly userId: number;
  readonly createdAt: number;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Groups reaction rows by message: each message's emoji in the order first reacted with, each
 * emoji's users in the order they reacted (ties by emoji code units, then user id, so both
 * stores and every door see one order whatever the database's collation).
 */
export function summarizeReactions(rows: readonly ReactionRow[]): Map<number, Reaction[]> {
  const sorted = [...rows].sort((a, b) => a.messageId - b.messageId || a.createdAt - b.createdAt || byCodeUnits(a.emoji, b.emoji) || a.userId - b.userId);
  const result = new Map<number, Reaction[]>();
  let current: Map<string, number[]> | null = null;
  let currentId = 0;
  const flush = () => {
    if (current) result.set(currentId, [...current].map(([emoji, userIds]) => ({ emoji, userIds })));
  };
  for (const row of sorted) {
    if (row.messageId !== currentId || !current) {
      flush();
      current = new Map();
      currentId = row.messageId;
    }
    const users = current.get(row.emoji);
    if (users) users.push(row.userId);
    else current.set(row.emoji, [row.userId]);
  }
  flush();
  return result;
}

/** Adds each message's reactions (only to those that have some: a message without keeps no `reactions` key). */
export function withReactions<M extends { readonly id: number }>(messages: M[], summaries: ReadonlyMap<number, readonly Reaction[]>): M[] {
  if (summaries.size === 0) return messages;
  return messages.map((m) => {
    const reactions = summaries.get(m.id);
    return reactions ? { ...m, reactions } : m;
  });
}

/** The REACT / UNREACT compliance record's data. */
export const reactionRecord = (message: { readonly id: number; readonly seq: number }, emoji: string): Record<string, unknown> => ({
  messageId: message.id,
  seq: message.seq,
  emoji,
});
