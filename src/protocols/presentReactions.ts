import type { Snapshot } from '../app/directory.js';
import type { Reaction } from '../core/model.js';
import type { DomainEvent } from '../ports/events.js';

/**
 * A message's reactions as the HTTP API and the WebSocket protocol show them: each emoji with its
 * count and who reacted (id and display name, in the order they did), in first-reacted order.
 * Empty when there are none, so every message has the same shape.
 */
export function presentReactions(reactions: readonly Reaction[] | undefined, snapshot: Snapshot | null): Record<string, unknown>[] {
  if (!reactions || reactions.length === 0) return [];
  return reactions.map((r) => ({
    emoji: r.emoji,
    count: r.userIds.length,
    users: r.userIds.map((id) => ({ id, name: snapshot?.users.get(id)?.displayName ?? null })),
  }));
}

/** The `message.reactions` frame (WebSocket): the message's new set, and who changed what. */
export function presentReactionEvent(event: DomainEvent & { type: 'message.reactions' }, snapshot: Snapshot | null): Record<string, unknown> {
  const { userId, emoji, added } = event.change;
  return {
    type: 'message.reactions',
    roomId: event.roomId,
    seq: event.seq,
    messageId: event.messageId,
    reactions: presentReactions(event.reactions, snapshot),
    change: { user: { id: userId, name: snapshot?.users.get(userId)?.displayName ?? null }, emoji, added },
  };
}
