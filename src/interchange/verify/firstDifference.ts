import type { Message } from '../../core/model.js';
import type { Store } from '../../ports/store.js';
import type { MessageRecord } from '../archive/records.js';
import { IsoFormatter } from '../pchat/isoTime.js';
import { roomHistoryPages } from '../pchat/source.js';
import { type RecordSource, recordBatches, systemKey } from '../source.js';
import { sourceConversation, targetConversation } from './content.js';
import type { Conversation } from './digest.js';
import { SourceParents, TargetParents } from './replies.js';
import type { RoomDigest, Side } from './verify.js';

/** The first message of a room where source and target part: what an administrator looks up. */
export interface MessageDifference {
  /** The target message's seq in its room; null when the target has no message there. */
  readonly seq: number | null;
  /** The source message's id; null when the source has no message there (one more in the target). */
  readonly sourceId: string | null;
  /** identity, author, at, kind, title, text, reply, replyTo, editedAt or reactions; `message` when one side has none. */
  readonly field: string;
  /** Both values, shortened around where they first differ. */
  readonly source: string;
  readonly target: string;
}

/** The fields of a message's digest line, in the line's order, as one side sees them. */
interface Compared {
  readonly identity: string;
  readonly author: string;
  readonly at: string;
  readonly kind: string;
  readonly title: string | null;
  readonly text: string;
  /** Whether it is a reply (digest.ts's conversationMark): `reply` or `not a reply`. */
  readonly reply: string;
  /** The identity of the message it answers, `<system>/<id>`; null when it is no reply. */
  readonly replyTo: string | null;
  readonly editedAt: string | null;
  /** digest.ts's reactionsMark: `emoji=who,who;…`, or `(none)`. */
  readonly reactions: string;
}
const FIELDS = ['identity', 'author', 'at', 'kind', 'title', 'text', 'reply', 'replyTo', 'editedAt', 'reactions'] as const;
/** A conversation as the fields of a first difference. */
const compared = (c: Conversation) => ({ reply: c.reply === null ? 'not a reply' : 'reply', replyTo: c.reply, editedAt: c.editedAt, reactions: c.reactions === '' ? '(none)' : c.reactions });

const WINDOW = 60;
const LEAD = 20;

/** The two values from a little before their first differing character, at most WINDOW characters each. */
export function shortenPair(a: string, b: string): [string, string] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  const start = p > LEAD ? p - LEAD : 0;
  const cut = (s: string) => `${start > 0 ? '…' : ''}${s.slice(start, start + WINDOW)}${s.length > start + WINDOW ? '…' : ''}`;
  return [cut(a), cut(b)];
}

const show = (v: string | null) => (v === null ? '(none)' : v);

function differenceOf(source: Compared & { id: string }, target: Compared & { seq: number }): MessageDifference | null {
  for (const field of FIELDS) {
    if (source[field] === target[field]) continue;
    const [a, b] = shortenPair(show(source[field]), show(target[field]));
    return { seq: target.seq, sourceId: source.id, field, source: a, target: b };
  }
  return null;
}

const summary = (m: Compared) => shortenPair(`${m.identity} by ${m.author} at ${m.at}: ${m.text}`, '')[0];

/**
 * For each room whose count or digest differs, the first message where source and target part,
 * found by walking both in order (the target's messages from the source room's identity systems,
 * from --start-date on, as the digests count them). One more pass over the source's messages;
 * verify makes it only when some room differs, and reads only those rooms' target history.
 */
export async function firstDifferences(source: RecordSource, s: Side, store: Store, rooms: readonly RoomDigest[], userKeys: ReadonlyMap<number, string>, nativeSystem: string, sinceMs?: number): Promise<Map<string, MessageDifference>> {
  const wanted = new Map(rooms.map((r) => [r.room, r]));
  const found = new Map<string, MessageDifference>();
  if (wanted.size === 0) return found;
  const sourceSystem = systemKey(source.description);
  // As the digest: a reply is one when its parent came earlier in its room (content.ts).
  let parents = new SourceParents(sourceSystem);
  const sourceSide = (m: MessageRecord): Compared & { id: string } => ({
    id: m.id,
    ...compared(sourceConversation(m, parents.parentOf(m), s.keyOf.user)),
    identity: `${m.origin?.system ?? sourceSystem}/${m.origin?.id ?? m.id}`,
    author: s.keyOf.user.get(m.author) ?? `missing ${m.author}`,
    at: m.at,
    kind: m.kind,
    title: m.title,
    text: m.text,
  });
  const times = new IsoFormatter();
  const targetSide = ({ message: m, parent }: TargetMessage): Compared & { seq: number } => ({
    seq: m.seq,
    identity: `${m.origin?.system ?? nativeSystem}/${m.origin?.id ?? String(m.id)}`,
    author: userKeys.get(m.authorId) ?? `missing ${m.authorId}`,
    at: times.format(m.createdAt),
    kind: m.kind,
    title: m.title,
    text: m.text,
    ...compared(targetConversation(m, parent, times, userKeys)),
  });

  let room: RoomDigest | null = null;
  let target: AsyncGenerator<TargetMessage> | null = null;
  const finishRoom = async () => {
    if (room && target && !found.has(room.room)) {
      const extra = await target.next();
      if (!extra.done) {
        const t = targetSide(extra.value);
        found.set(room.room, { seq: t.seq, sourceId: null, field: 'message', source: '(none: the source room ends here)', target: summary(t) });
      }
    }
    await target?.return(undefined);
    room = null;
    target = null;
  };
  for await (const batch of recordBatches(source, 'messages')) {
    for (const m of batch) {
      if (m.room !== room?.room) {
        await finishRoom();
        parents = new SourceParents(sourceSystem);
        const next = wanted.get(m.room);
        if (next === undefined || found.has(m.room)) continue;
        room = next;
        target = targetMessages(store, next, nativeSystem, sinceMs);
      }
      if (!room || !target || found.has(room.room)) continue;
      const a = sourceSide(m);
      const b = await target.next();
      if (b.done) {
        found.set(room.room, { seq: null, sourceId: a.id, field: 'message', source: summary(a), target: '(none: the target room ends before it)' });
        continue;
      }
      const difference = differenceOf(a, targetSide(b.value));
      if (difference) found.set(room.room, difference);
    }
  }
  await finishRoom();
  return found;
}

/** A target message with the identity of the message it answers (TargetParents). */
interface TargetMessage {
  readonly message: Message;
  readonly parent: string | null;
}

/** The target room's messages of the source room's systems, from `sinceMs` on, in seq order. */
async function* targetMessages(store: Store, room: RoomDigest, nativeSystem: string, sinceMs?: number): AsyncGenerator<TargetMessage> {
  if (room.targetRoomId === null) return;
  const systems = new Set(room.systems);
  const parents = new TargetParents(nativeSystem);
  for await (const page of roomHistoryPages(store, room.targetRoomId)) {
    for (const m of page) {
      const parent = parents.parentOf(m);
      if (sinceMs !== undefined && m.createdAt < sinceMs) continue;
      if (systems.has(m.origin?.system ?? nativeSystem)) yield { message: m, parent };
    }
  }
}

/** One line for a differing message: where it is, which field, both values. */
export function describeDifference(d: MessageDifference): string {
  const where = `${d.seq === null ? 'no target message' : `seq ${d.seq}`}${d.sourceId === null ? '' : ` (source message ${d.sourceId})`}`;
  return `first differing message ${where}: ${d.field}: source ${JSON.stringify(d.source)}, target ${JSON.stringify(d.target)}`;
}
