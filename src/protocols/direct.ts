import type { Snapshot } from '../app/directory.js';
import type { ConversationView } from '../app/direct.js';
import type { Application } from '../app/index.js';
import type { Hub, Subscriber } from '../delivery/hub.js';
import { presentMessage } from './present.js';

/**
 * Direct conversations at the doors. A session that takes direct messages is subscribed in the
 * hub to every conversation of its user, without joining it as a room: the first message of a
 * conversation reaches an open client that never asked for it. New conversations are added by
 * the hub itself (event `direct.opened`).
 */
export async function watchDirectConversations(app: Application, hub: Hub, subscriber: Subscriber): Promise<number[]> {
  const actor = await app.sessions.actorFor(subscriber.userId);
  const roomIds = await app.direct.roomIds(actor);
  for (const roomId of roomIds) hub.join(roomId, subscriber);
  return roomIds;
}

/** A conversation as the HTTP API and the WebSocket protocol show it to one of its participants. */
export function presentConversation(v: ConversationView, snapshot: Snapshot | null): Record<string, unknown> {
  return {
    roomId: v.room.id,
    participants: v.participants.map((u) => ({ id: u.id, login: u.login, displayName: u.displayName })),
    createdAt: new Date(v.room.createdAt).toISOString(),
    lastSeq: v.lastSeq,
    lastRead: v.lastRead,
    unread: v.unread,
    lastMessage: v.lastMessage ? presentMessage(v.lastMessage, snapshot) : null,
    canPost: v.canPost,
  };
}
