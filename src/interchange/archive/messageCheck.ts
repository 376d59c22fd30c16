import type { MessageRecord } from './records.js';

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
  // Nine fields, all of them present above (undefined failed every check): so no unknown one.
  if (Object.keys(m).length !== 9) return null;
  return { id, room, seq, author, at, kind, title, text, origin: checkedOrigin };
}
