import { roomNotFound } from '../../../core/errors.js';
import type { ChatContext, JoinedRoom } from './context.js';
import { XccosError, xccosErrorOf } from './envelope.js';
import { chatElement, joinEntry } from './present.js';
import { releaseHeld } from '../../liveRoom.js';

/**
 * Joining and leaving rooms over XCCOS. A join subscribes to the room before it reads the
 * room's last seq, holding live messages back meanwhile; live delivery starts after that seq
 * and `bccontext` history ends at it, so the client sees no gap and no repeat.
 */
export async function joinRooms(ctx: ChatContext, uris: readonly string[], batch: boolean): Promise<string> {
  const snapshot = await ctx.app.directory.snapshot();
  const actor = await ctx.actor();
  const chanibs: string[] = [];
  const uibs = new Map<number, string>();
  let firstError: XccosError | null = null;
  for (const uri of uris) {
    const room = ctx.names.roomOf(uri, snapshot);
    try {
      if (!room) throw roomNotFound();
      if (!ctx.joined.has(room.id)) await enter(ctx, actor, room.id, uri);
      const entry = joinEntry(ctx.names, await ctx.app.directory.snapshot(), room, ctx.hub.participants(room.id));
      chanibs.push(entry.chanib);
      for (const [uid, uib] of entry.uibs) uibs.set(uid, uib);
    } catch (error) {
      const mapped = xccosErrorOf(error);
      if (!mapped) throw error;
      firstError ??= mapped;
    }
  }
  // A batch join (the rooms a client remembers) answers for the rooms it could join.
  if (chanibs.length === 0 || (!batch && firstError)) throw firstError ?? roomNotFound();
  return chanibs.join('') + [...uibs.values()].join('');
}

async function enter(ctx: ChatContext, actor: Awaited<ReturnType<ChatContext['actor']>>, roomId: number, uri: string): Promise<JoinedRoom> {
  const state: JoinedRoom = { uri, lastSeq: 0, joinedSeq: 0, held: [] };
  ctx.joined.set(roomId, state);
  ctx.hub.join(roomId, ctx.subscriber);
  try {
    // Records JOIN (compliance) and checks 'enter'; history comes with bccontext.
    const page = await ctx.app.messages.open(actor, roomId, Number.MAX_SAFE_INTEGER);
    state.joinedSeq = page.lastSeq;
    state.lastSeq = page.lastSeq;
  } catch (error) {
    ctx.joined.delete(roomId);
    ctx.hub.part(roomId, ctx.subscriber);
    throw error;
  }
  releaseHeld(state, (event) => ctx.subscriber.onRoomEvent(event));
  return state;
}

export async function partRoom(ctx: ChatContext, uri: string): Promise<void> {
  const entry = [...ctx.joined].find(([, j]) => j.uri.toLowerCase() === uri.toLowerCase());
  if (!entry) return; // leaving a room one is not in is already done
  forgetRoom(ctx, entry[0]);
  await ctx.app.messages.leave({ userId: ctx.userId }, entry[0]);
}

export function forgetRoom(ctx: ChatContext, roomId: number): void {
  ctx.joined.delete(roomId);
  ctx.hub.part(roomId, ctx.subscriber);
}

/** The last `count` messages up to the join point (or the newest, when not joined), as `<msg>` elements. */
export async function roomHistory(ctx: ChatContext, uri: string, count: number): Promise<string> {
  const snapshot = await ctx.app.directory.snapshot();
  const room = ctx.names.roomOf(uri, snapshot);
  if (!room) throw roomNotFound();
  const joined = ctx.joined.get(room.id);
  const page = await ctx.app.messages.history(await ctx.actor(), room.id, { limit: count, ...(joined && { before: joined.joinedSeq + 1 }) });
  const roomUri = ctx.names.roomUri(room);
  const messages = page.messages.map((m) => chatElement('msg', ctx.names, snapshot, roomUri, m)).join('');
  return `<chanib uri="${roomUri.replace(/"/g, '&quot;')}">${messages}</chanib>`;
}
