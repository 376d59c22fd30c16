import type { Reaction } from '../core/model.js';

/** One user's reaction to change: who, on which message, with which emoji (validated by core/reactions.ts), and when. */
export interface ReactionChange {
  readonly messageId: number;
  readonly userId: number;
  readonly emoji: string;
  readonly at: number;
}

/** The outcome of an add or remove: null from the store when the message does not exist (in a kept history). */
export interface ReactionOutcome {
  /** False when nothing changed (added twice, or removed what was not there): no compliance record, no event. */
  readonly changed: boolean;
  readonly roomId: number;
  readonly seq: number;
  /** The message's reactions after the change, in first-reacted order (empty when none are left). */
  readonly reactions: readonly Reaction[];
}

/** A reaction brought in by an import or a benchmark's set-up: it keeps its time. */
export interface ImportedReaction {
  readonly messageId: number;
  readonly userId: number;
  readonly emoji: string;
  readonly createdAt: number;
}

/**
 * Emoji reactions on messages (migration 0019: `message_reactions`, and `messages.has_reactions`
 * so that reads look reactions up only for messages that have some). Rows go with their message
 * (ON DELETE CASCADE). Message reads (history, getBySeq, search, select) attach `reactions` to
 * the messages that have any.
 */
export interface ReactionStore {
  /**
   * Adds the reaction in one transaction with its REACT compliance record (only when it is new).
   * Throws conflict (core/reactions.ts tooManyReactions) when the emoji is new to the message and
   * it already has `maxEmoji` others, decided inside the transaction.
   */
  add(change: ReactionChange, maxEmoji: number): Promise<ReactionOutcome | null>;
  /** Removes the reaction in one transaction with its UNREACT compliance record (only when there was one). */
  remove(change: ReactionChange): Promise<ReactionOutcome | null>;
  /** The reactions of these messages (those without any are absent from the map), each in first-reacted order. */
  summaries(messageIds: readonly number[]): Promise<Map<number, readonly Reaction[]>>;
  /**
   * Stores reactions as they were elsewhere, skipping those already stored (same message, emoji
   * and user), so a re-run adds nothing twice. No compliance records (importing is not reacting)
   * and no cap (the source's state is kept as it was). Rows naming a message that does not exist
   * are refused (foreign key) with the whole batch. Returns how many were new. (An archive's
   * reactions are written by importHistory with their messages, in the same transaction.)
   */
  importReactions(rows: readonly ImportedReaction[]): Promise<number>;
}
