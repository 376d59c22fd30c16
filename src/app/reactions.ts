import { z } from 'zod';
import { notFound, notPermitted, PchatError } from '../core/errors.js';
import type { Reaction } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { MAX_REACTION_EMOJI, validateEmoji } from '../core/reactions.js';
import { type AppContext, roomAccess } from './context.js';
import { id, parse } from './validate.js';

/** A reaction's target: the message by room and seq (every door names messages so). */
const target = z.strictObject({ roomId: id, seq: id });

/** What an add or remove answers: the message's reactions after it. */
export interface ReactionsView {
  readonly roomId: number;
  readonly seq: number;
  readonly messageId: number;
  readonly reactions: readonly Reaction[];
  /** False when it changed nothing (added twice, removed what was not there). */
  readonly changed: boolean;
}

/**
 * Emoji reactions on messages (docs: README "Reactions"), for every door. Whoever may read a room
 * may react in it (so rooms they cannot find answer room_not_found, and direct conversations only
 * their participants), not during read-only maintenance; the emoji follows core/reactions.ts and
 * a message has at most MAX_REACTION_EMOJI different ones. The store writes the change with its
 * REACT or UNREACT compliance record in one transaction; then `message.reactions` tells every
 * door the message's new set.
 */
export function reactionUseCases(ctx: AppContext) {
  const change = async (actor: Actor, roomId: number, seq: number, rawEmoji: unknown, added: boolean, messageId?: number): Promise<ReactionsView> => {
    const where = parse(target, { roomId, seq });
    const emoji = validateEmoji(rawEmoji);
    const access = await roomAccess(ctx, actor, where.roomId, 'read');
    // The local administrator (the CLI) reads every room but is nobody in it.
    if (actor.userId === 0) throw notPermitted('Reactions are made by users; the local administrator has no chat identity.');
    if (access.snapshot.maintenance) throw new PchatError('read_only', access.snapshot.maintenance.message);
    const message = await ctx.store.messages.getBySeq(where.roomId, where.seq);
    if (!message || (messageId !== undefined && message.id !== messageId)) throw notFound('message');
    const reaction = { messageId: message.id, userId: actor.userId, emoji, at: ctx.clock.now() };
    const outcome = added ? await ctx.store.reactions.add(reaction, MAX_REACTION_EMOJI) : await ctx.store.reactions.remove(reaction);
    if (!outcome) throw notFound('message'); // removed meanwhile
    if (outcome.changed) {
      await ctx.bus.publish({
        type: 'message.reactions',
        roomId: outcome.roomId,
        seq: outcome.seq,
        messageId: message.id,
        reactions: outcome.reactions,
        change: { userId: actor.userId, emoji, added },
      });
    }
    return { roomId: outcome.roomId, seq: outcome.seq, messageId: message.id, reactions: outcome.reactions, changed: outcome.changed };
  };

  return {
    /** Adds the actor's reaction `emoji` to message `seq` of the room. `messageId`, when given (an IRC msgid names both), must be its id too. */
    add: (actor: Actor, roomId: number, seq: number, emoji: unknown, messageId?: number) => change(actor, roomId, seq, emoji, true, messageId),
    /** Takes the actor's reaction `emoji` back. */
    remove: (actor: Actor, roomId: number, seq: number, emoji: unknown, messageId?: number) => change(actor, roomId, seq, emoji, false, messageId),
  };
}
