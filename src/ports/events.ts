import type { Message, Reaction } from '../core/model.js';
import type { FeedHitNotice } from './feeds.js';

/**
 * Domain events, published after the change they describe is committed. Protocols render
 * them for their clients; the directory snapshot uses them to invalidate itself.
 */
export type DomainEvent =
  | {
      readonly type: 'message.posted';
      readonly roomId: number;
      readonly message: Message;
      readonly live: boolean;
      /**
       * Who it mentions (app/mentions.ts: only users who may read the room), as the posting node
       * knows it: the hub tells their sessions that are not in the room (WebSocket `mention`).
       * Absent when none, and on messages another pool node relays (read back by seq).
       */
      readonly mentions?: readonly number[];
    }
  | {
      readonly type: 'messages.removed';
      readonly roomId: number;
      readonly seqs: readonly number[];
      /**
       * Set when the author removed their own message (app/ownMessages.ts; the one in `seqs`):
       * the message as it was, for doors that take it back by its own id (IRC's REDACT names
       * each line's msgid), and the author's reason. Absent for moderation. Never sent to clients as is.
       */
      readonly byAuthor?: { readonly message: Message; readonly reason: string | null };
    }
  | { readonly type: 'room.cleared'; readonly roomId: number; readonly upTo: number }
  /** An import added older history to the room (and may have renumbered its tail): reload it. */
  | { readonly type: 'room.historyMerged'; readonly roomId: number }
  | {
      readonly type: 'messages.replaced';
      readonly roomId: number;
      readonly messages: readonly Message[];
      /** True when the author edited their own message (the one in `messages`, with `editedAt`); absent for moderation. */
      readonly byAuthor?: boolean;
    }
  | { readonly type: 'room.changed'; readonly roomId: number }
  | { readonly type: 'room.deleted'; readonly roomId: number }
  | { readonly type: 'directory.changed'; readonly what: 'category' | 'group' | 'policy' | 'addin' | 'user' | 'config' }
  /**
   * Sessions ended (sign-out, revocation, password change, disabled account): every connection
   * of `userId` authenticated by one of `sessionIds` closes, or, without `sessionIds`, every
   * connection of the user except those of `keepSessionId` (a password change keeps the
   * session that made it). It travels the shared event log, so it reaches every process.
   */
  | {
      readonly type: 'user.signedOut';
      readonly userId: number;
      readonly sessionIds?: readonly number[];
      readonly keepSessionId?: number;
      /** Shown to the user, e.g. why the account was disabled. */
      readonly reason?: string;
    }
  | { readonly type: 'user.invited'; readonly roomId: number; readonly userId: number }
  /**
   * A direct conversation was created: the hub subscribes its participants' connected sessions
   * (those that take direct messages) to it at once, before any message is posted in it, so the
   * first message reaches them; only those sessions hear of it.
   */
  | { readonly type: 'direct.opened'; readonly roomId: number; readonly userIds: readonly number[] }
  /** A node was drained or re-activated, or read-only maintenance began or ended. */
  | { readonly type: 'pool.changed' }
  /**
   * A reaction was added or taken back (app/reactions.ts): the message's whole new set, so every
   * door shows the same state, and the change itself (IRC tells it as a `+draft/react` TAGMSG).
   */
  | {
      readonly type: 'message.reactions';
      readonly roomId: number;
      readonly seq: number;
      readonly messageId: number;
      readonly reactions: readonly Reaction[];
      readonly change: { readonly userId: number; readonly emoji: string; readonly added: boolean };
    }
  /**
   * Topic feeds (app/feeds/): new hits, each addressed to its filter's owner, with the messages
   * they found (each once); the hub hands a session only its user's hits.
   */
  | { readonly type: 'feed.hits'; readonly hits: readonly FeedHitNotice[]; readonly messages: readonly Message[] }
  /** A filter of `userId` was created, changed, read or deleted: matchers reload it, the user's other sessions refresh. */
  | { readonly type: 'feed.changed'; readonly userId: number; readonly filterId: number };

/** Whether a `user.signedOut` event ends a connection of `userId` authenticated by session `sessionId` (0: none known). */
export function signsOut(event: DomainEvent, userId: number, sessionId: number): boolean {
  if (event.type !== 'user.signedOut' || event.userId !== userId || userId === 0) return false;
  if (event.sessionIds) return sessionId !== 0 && event.sessionIds.includes(sessionId);
  return event.keepSessionId === undefined || event.keepSessionId !== sessionId;
}

/** A post's event (the writer publishes a commit's posts together: EventBus.publishAll). */
export type PostedEvent = DomainEvent & { readonly type: 'message.posted' };

export type EventListener = (event: DomainEvent) => void;
/** Takes the posts of one commit at once, in order (EventBus.publishAll). */
export type PostsListener = (events: readonly PostedEvent[]) => void;

export interface EventBus {
  /** Delivers to local listeners now and to other processes through the shared log. */
  publish(event: DomainEvent): Promise<void>;
  /**
   * The posts of one commit, in order: as `publish` of each, except that a listener subscribed
   * with `posts` gets them in one call, so a fan-out can treat a batch as one (protocols/irc/events.ts).
   */
  publishAll(events: readonly PostedEvent[]): Promise<void>;
  subscribe(listener: EventListener, posts?: PostsListener): () => void;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
