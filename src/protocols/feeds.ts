import type { FeedView } from '../app/feeds/feeds.js';
import { roomNameFor } from '../app/search.js';
import type { Snapshot } from '../app/directory.js';
import type { DomainEvent } from '../ports/events.js';
import { presentMessage } from './present.js';

/**
 * A feed event as one user's sessions see it (WebSocket): only that user's hits, each with its
 * message as every door presents it and the room's name as the user knows it. Null when
 * nothing in it is theirs.
 */
export function presentFeedEvent(event: DomainEvent & { type: 'feed.hits' | 'feed.changed' }, userId: number, snapshot: Snapshot | null): Record<string, unknown> | null {
  if (event.type === 'feed.changed') return event.userId === userId ? { type: 'feed.changed', filterId: event.filterId } : null;
  const mine = event.hits.filter((h) => h.userId === userId);
  if (mine.length === 0) return null;
  const messages = new Map(event.messages.map((m) => [m.id, m]));
  const actor = snapshot?.actor(userId) ?? null;
  const hits = mine.flatMap((h) => {
    const message = messages.get(h.messageId);
    if (!message) return [];
    return [
      {
        filterId: h.filterId,
        hitId: h.hitId,
        roomName: actor && snapshot ? roomNameFor(actor, snapshot, message.roomId) : '',
        authorName: snapshot?.users.get(message.authorId)?.displayName ?? '',
        message: presentMessage(message, snapshot),
      },
    ];
  });
  return { type: 'feed.hits', hits };
}

/** A topic feed as every door shows it: times as ISO 8601, like messages'. */
export function presentFeed(view: FeedView): Record<string, unknown> {
  return { ...view, createdAt: new Date(view.createdAt).toISOString() };
}
