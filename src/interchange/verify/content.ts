import type { Store } from '../../ports/store.js';
import { IsoFormatter } from '../pchat/isoTime.js';
import { roomHistoryPages } from '../pchat/source.js';
import { type RecordSource, recordBatches, systemKey } from '../source.js';
import { type Conversation, conversationMark, Digest, DigestLines, reactionsMark } from './digest.js';
import { keptReactions } from '../import/reactions.js';
import type { MessageRecord } from '../archive/records.js';
import type { Message } from '../../core/model.js';
import type { SourceFiles } from './files.js';
import { SourceParents, TargetParents } from './replies.js';
import type { RoomDigest, Side } from './verify.js';

/** What the target side of a content comparison needs: which rooms, and how to name authors and pchat's own messages. */
export interface TargetDigestRequest {
  readonly roomIds: readonly number[];
  /** The identity system of messages posted in the target itself (they have no origin). */
  readonly nativeSystem: string;
  /** Target user id → identity key, for the authors. */
  readonly userKeys: ReadonlyArray<readonly [number, string]>;
  /** --start-date as epoch ms: older target messages are left out, as the source's are (absent: none). */
  readonly sinceMs?: number;
}

/** One target room's messages, split by the identity system they came from, each in seq order. */
export interface TargetRoomDigests {
  readonly total: number;
  readonly bySystem: Readonly<Record<string, { readonly count: number; readonly digest: string }>>;
}

/**
 * Computes the target rooms' digests: in process by default, or elsewhere (the CLI runs it in a
 * worker thread on its own connection, so reading the target overlaps reading the source).
 */
export type TargetDigester = (request: TargetDigestRequest, signal: AbortSignal) => Promise<Map<number, TargetRoomDigests>>;

const EMPTY = new Digest().hex();

/**
 * Per target room, the count and digest of its messages from each identity system. The source
 * room's digest covers the messages of the systems found in the source room; nearly always that
 * is one system, whose digest is here. (A source room mixing systems is recomputed with its
 * exact set: see `roomDigestFor`.) Independent of the source, so it can run alongside it.
 */
export async function targetRoomDigests(store: Store, request: TargetDigestRequest, signal?: AbortSignal): Promise<Map<number, TargetRoomDigests>> {
  const digestLines = digestLinesOf(request);
  const out = new Map<number, TargetRoomDigests>();
  for (const roomId of request.roomIds) {
    if (signal?.aborted) break;
    const digests = new Map<string, Digest>();
    let total = 0;
    await eachTargetLine(store, roomId, request, digestLines, (system, line) => {
      let digest = digests.get(system);
      if (digest === undefined) {
        digest = new Digest();
        digests.set(system, digest);
      }
      digest.add(line);
      total += 1;
    });
    const bySystem: Record<string, { count: number; digest: string }> = {};
    for (const [system, digest] of digests) bySystem[system] = { count: digest.count, digest: digest.hex() };
    out.set(roomId, { total, bySystem });
  }
  return out;
}

/** A target message's conversation as digest lines and first differences compare it (`parent`: the identity of the message it answers, TargetParents). */
export const targetConversation = (m: Message, parent: string | null, times: IsoFormatter, userKeys: ReadonlyMap<number, string>): Conversation => ({
  reply: parent,
  editedAt: m.editedAt ? times.format(m.editedAt) : null,
  reactions: m.reactions ? reactionsMark(m.reactions.map((r) => ({ emoji: r.emoji, users: r.userIds.map((u) => userKeys.get(u) ?? `missing ${u}`) }))) : '',
});

/**
 * A source message's conversation as the import keeps it: a reply to `parent` (the identity of the
 * message it answers when that came earlier in its room, SourceParents), the reactions
 * import/reactions.ts keeps, their users by identity key.
 */
export const sourceConversation = (m: MessageRecord, parent: string | null, userKeys: ReadonlyMap<string, string>): Conversation => ({
  reply: parent,
  editedAt: m.editedAt ?? null,
  reactions: m.reactions ? reactionsMark(keptReactions(m, userKeys).kept.map((r) => ({ emoji: r.emoji, users: r.users.map((u) => userKeys.get(u)!) }))) : '',
});

/** The target side's digest lines, and its users' identity keys (for the reactions). */
const digestLinesOf = (request: TargetDigestRequest) => {
  const userKeys: ReadonlyMap<number, string> = new Map(request.userKeys);
  return { lines: new DigestLines((author: number) => userKeys.get(author) ?? `missing ${author}`), userKeys };
};

/**
 * Calls `visit` with a target room's digest lines in seq order, each with the identity system of
 * its message, from --start-date on (a callback, not a generator: a million messages would be a
 * million promise turns). Every message of the room goes through TargetParents, those before the
 * start date too, so a reply names its parent whenever it was older.
 */
async function eachTargetLine(
  store: Store,
  roomId: number,
  request: TargetDigestRequest,
  { lines, userKeys }: ReturnType<typeof digestLinesOf>,
  visit: (system: string, line: string) => void,
): Promise<void> {
  const times = new IsoFormatter();
  const parents = new TargetParents(request.nativeSystem);
  for await (const page of roomHistoryPages(store, roomId)) {
    for (const m of page) {
      const parent = parents.parentOf(m);
      if (request.sinceMs !== undefined && m.createdAt < request.sinceMs) continue;
      const system = m.origin?.system ?? request.nativeSystem;
      visit(system, lines.line(system, m.origin?.id ?? String(m.id), m.authorId, times.format(m.createdAt), m.kind, m.title, m.text, conversationMark(targetConversation(m, parent, times, userKeys))));
    }
  }
}

interface SourceRoom {
  readonly room: string;
  readonly count: number;
  readonly digest: string;
  readonly systems: ReadonlySet<string>;
}

/**
 * Per source room (in the order the source gives them), its message count and digest, and the
 * target room's count and digest over the messages that came from the source room's systems.
 */
export async function compareContent(
  source: RecordSource,
  s: Side,
  t: Side,
  store: Store,
  nativeSystem: string,
  hooks: { onMessages?(n: number): void; targetDigests?: TargetDigester },
  /** Gathers the files the source's messages carry, for compareFiles. */
  files?: SourceFiles,
  sinceMs?: number,
): Promise<RoomDigest[]> {
  const targetRoomIds = new Map([...t.rooms].map(([k, r]) => [k, Number(r.id)]));
  const request: TargetDigestRequest = {
    roomIds: [...new Set([...s.rooms.keys()].map((k) => targetRoomIds.get(k)).filter((id) => id !== undefined))],
    nativeSystem,
    userKeys: [...t.users].map(([k, u]) => [Number(u.id), k] as const),
    ...(sinceMs !== undefined && { sinceMs }),
  };
  const stop = new AbortController();
  const pending = (hooks.targetDigests ?? ((r, signal) => targetRoomDigests(store, r, signal)))(request, stop.signal);
  // Read after the source; a source that fails first must not leave this rejection unhandled.
  pending.catch(() => {});
  let sourceRooms: SourceRoom[];
  try {
    sourceRooms = await sourceDigests(source, s, hooks.onMessages, files);
  } catch (error) {
    stop.abort(); // the target's digests are of no use now: a worker stops reading
    throw error;
  }
  const theirs = await pending;
  const out: RoomDigest[] = [];
  for (const r of sourceRooms) {
    const roomKey = s.keyOf.room.get(r.room);
    const name = (roomKey === undefined ? undefined : s.rooms.get(roomKey))?.name ?? r.room;
    const targetId = roomKey === undefined ? undefined : targetRoomIds.get(roomKey);
    const other = targetId === undefined ? { count: 0, digest: EMPTY, other: 0 } : await roomDigestFor(store, targetId, r.systems, theirs.get(targetId), request);
    out.push({ room: r.room, name, sourceCount: r.count, targetCount: other.count, sourceDigest: r.digest, targetDigest: other.digest, otherInTarget: other.other, systems: [...r.systems], targetRoomId: targetId ?? null });
  }
  return out;
}

/** Each source room's count, digest and the identity systems of its messages, in the source's order. */
async function sourceDigests(source: RecordSource, s: Side, onMessages?: (n: number) => void, files?: SourceFiles): Promise<SourceRoom[]> {
  const rooms: SourceRoom[] = [];
  const lines = new DigestLines((author: string) => s.keyOf.user.get(author) ?? `missing ${author}`);
  const sourceSystem = systemKey(source.description);
  let room: string | null = null;
  let digest = new Digest();
  let systems = new Set<string>();
  let parents = new SourceParents(sourceSystem);
  const close = () => {
    if (room !== null) rooms.push({ room, count: digest.count, digest: digest.hex(), systems });
  };
  for await (const batch of recordBatches(source, 'messages')) {
    for (const m of batch) {
      if (m.room !== room) {
        close();
        room = m.room;
        digest = new Digest();
        systems = new Set();
        parents = new SourceParents(sourceSystem);
      }
      const system = m.origin?.system ?? sourceSystem;
      systems.add(system);
      // A reply whose parent is not earlier in its room is imported as a plain message (import/plan.ts).
      const parent = parents.parentOf(m);
      digest.add(lines.line(system, m.origin?.id ?? m.id, m.author, m.at, m.kind, m.title, m.text, conversationMark(sourceConversation(m, parent, s.keyOf.user))));
      if (m.file && files) files.add(m.room, system, m.origin?.id ?? m.id, m.id, m.file);
    }
    onMessages?.(batch.length);
  }
  close();
  return rooms;
}

/** The target room's count and digest over the messages from `systems`, and how many others it holds. */
async function roomDigestFor(store: Store, roomId: number, systems: ReadonlySet<string>, digests: TargetRoomDigests | undefined, request: TargetDigestRequest) {
  if (digests && systems.size === 1) {
    const [system] = systems as Set<string>;
    const mine = digests.bySystem[system!] ?? { count: 0, digest: EMPTY };
    return { count: mine.count, digest: mine.digest, other: digests.total - mine.count };
  }
  // Several systems in one source room: their messages interleave, so read the room again for exactly them.
  const digest = new Digest();
  let other = 0;
  await eachTargetLine(store, roomId, request, digestLinesOf(request), (system, line) => {
    if (systems.has(system)) digest.add(line);
    else other += 1;
  });
  return { count: digest.count, digest: digest.hex(), other };
}
