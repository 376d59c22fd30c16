import type { MessageRecord, ReactionRecord } from './records.js';

/**
 * `at`: UTC with milliseconds, a real calendar date (29 February only in leap years), as
 * messageRecordSchema's `z.iso.datetime({ precision: 3 })` accepts it.
 */
const TIMESTAMP =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8])))T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 512;

/**
 * The message record of a well-formed line, checked by hand: the schema's checks cost more than
 * parsing the line, and an archive holds millions of messages. It says yes only to what
 * messageRecordSchema accepts (a test holds the two together), and returns the record as the
 * schema would, fields in its order; null means "ask the schema", which accepts or names the fault.
 */
export function checkedMessage(json: unknown): MessageRecord | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const m = json as Record<string, unknown>;
  const { id, room, seq, author, at, kind, title, text, origin } = m;
  if (!isId(id) || !isId(room) || !isId(author)) return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return null;
  if (typeof at !== 'string' || !TIMESTAMP.test(at)) return null;
  if (kind !== 'text' && kind !== 'story' && kind !== 'notice') return null;
  if (title !== null && (typeof title !== 'string' || title.length > 256)) return null;
  if (typeof text !== 'string') return null;
  let checkedOrigin: MessageRecord['origin'] = null;
  if (origin !== null) {
    if (typeof origin !== 'object' || origin === undefined || Array.isArray(origin)) return null;
    const o = origin as Record<string, unknown>;
    if (typeof o.system !== 'string' || o.system.length < 1 || o.system.length > 128 || !isId(o.id) || Object.keys(o).length !== 2) return null;
    checkedOrigin = { system: o.system, id: o.id };
  }
  // Version 3's fields, each optional (a file is left to the schema): the nine above plus those
  // present are all the fields there are, so no unknown one.
  const { replyTo, editedAt, reactions } = m;
  let fields = 9;
  if (replyTo !== undefined && (++fields, !isId(replyTo))) return null;
  if (editedAt !== undefined && (++fields, typeof editedAt !== 'string' || !TIMESTAMP.test(editedAt))) return null;
  if (reactions !== undefined && (++fields, !areReactions(reactions))) return null;
  if (Object.keys(m).length !== fields) return null;
  const record: MessageRecord = { id, room, seq, author, at, kind, title, text, origin: checkedOrigin };
  if (replyTo !== undefined) record.replyTo = replyTo as string;
  if (editedAt !== undefined) record.editedAt = editedAt as string;
  if (reactions !== undefined) record.reactions = (reactions as ReactionRecord[]).map((r) => ({ emoji: r.emoji, users: [...r.users] }));
  return record;
}

/** reactionRecordSchema's emoji: no white space, no control character. */
const EMOJI = /^[^\s\p{Cc}]+$/u;

/** A non-empty array of `{emoji, users}` as reactionRecordSchema accepts them. */
function areReactions(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const r of value as unknown[]) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return false;
    const { emoji, users } = r as Record<string, unknown>;
    if (typeof emoji !== 'string' || emoji.length < 1 || emoji.length > 64 || !EMOJI.test(emoji)) return false;
    if (!Array.isArray(users) || users.length === 0 || !users.every(isId) || Object.keys(r).length !== 2) return false;
  }
  return true;
}
