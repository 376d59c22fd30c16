import type { DomainEvent } from '../../../ports/events.js';
import type { ChatContext } from './context.js';
import { notice } from './envelope.js';
import { forgetRoom } from './membership.js';
import { AIB_CHANOP, AIB_PARTICIPANT, chatElement, joinEntry } from './present.js';
import { element } from '../xml.js';
import { admitLive } from '../../liveRoom.js';

// A live message is rendered once per event and shared by every SIP recipient (same names for all).
const rendered = new WeakMap<DomainEvent, string>();

/** What the hub pushes to a SIP connection: live messages of joined rooms (its own included, as Lync does). */
export function deliverRoomEvent(ctx: ChatContext, event: DomainEvent & { roomId: number }): void {
  const state = ctx.joined.get(event.roomId);
  if (!state || !admitLive(state, event)) return;
  // A legacy client cannot take a line back: removals and replacements show in history only.
  if (event.type !== 'message.posted') return;
  const m = event.message;
  let xml = rendered.get(event);
  if (xml === undefined) {
    xml = chatElement('grpchat', ctx.names, ctx.app.directory.peek(), state.uri, m);
    rendered.set(event, xml);
  }
  ctx.sendXccos(xml);
}

/** Someone came into or left a joined room: ntc:join / ntc:part (not above participantUpdateLimit). */
export function deliverPresence(ctx: ChatContext, roomId: number, userId: number, present: boolean, count: number): void {
  const state = ctx.joined.get(roomId);
  if (!state || state.held || userId === ctx.userId) return;
  const snapshot = ctx.app.directory.peek();
  if (count > (snapshot?.config.participantUpdateLimit ?? 0)) return;
  const uri = ctx.names.userUriOf(userId, snapshot);
  if (!present) {
    ctx.sendXccos(notice('ntc:part', element('chanib', { uri: state.uri }, element('uib', { uri }))));
    return;
  }
  const room = snapshot?.rooms.get(roomId);
  const chanop = room && snapshot ? joinEntry(ctx.names, snapshot, room, [userId]).chanib.includes(`key="${AIB_CHANOP}"`) : false;
  const [domain, path] = splitRoomUri(state.uri);
  const aib = element('aib', { key: chanop ? AIB_CHANOP : AIB_PARTICIPANT, domain, value: path });
  ctx.sendXccos(notice('ntc:join', element('uib', { id: userId, uri, dn: snapshot?.users.get(userId)?.displayName }, aib)));
}

/**
 * An access change (room, category, group, policy or user change): every joined room is
 * re-checked through the use cases; a room the user may no longer read is left with ntc:part
 * of the user themself, which the client shows as being removed from the room.
 */
export async function recheckRooms(ctx: ChatContext, close: (reason: string) => void): Promise<void> {
  const actor = await ctx.actor().catch(() => null);
  if (!actor) return close('The account is disabled.');
  if (ctx.joined.size === 0) return;
  const verdicts = await ctx.app.rooms.recheck(ctx.userId, ctx.joined.keys());
  for (const [roomId, verdict] of verdicts) {
    const state = ctx.joined.get(roomId);
    if (!state || verdict === 'ok') continue;
    forgetRoom(ctx, roomId);
    ctx.sendXccos(notice('ntc:part', element('chanib', { uri: state.uri, reason: verdict }, element('uib', { uri: ctx.selfUri }))));
    await ctx.app.messages.leave({ userId: ctx.userId }, roomId).catch(() => undefined);
  }
}

function splitRoomUri(uri: string): [string, string] {
  const match = /^ma-chan:\/\/([^/]+)\/(.+)$/i.exec(uri);
  return match ? [match[1] as string, match[2] as string] : ['', uri];
}
