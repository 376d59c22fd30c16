import { z } from 'zod';
import { notFound, PchatError } from '../core/errors.js';
import type { Message } from '../core/model.js';
import { checkOwnEdit } from '../core/ownMessages.js';
import type { Actor } from '../core/permissions.js';
import { validateMessageText } from '../core/validation.js';
import { type AppContext, type RoomAccess, roomAccess } from './context.js';
import { mentionedUsers } from './mentions.js';
import { id, parse } from './validate.js';

export const editInput = z.strictObject({ text: z.string() });

export const MAX_REASON_CHARS = 256;
// One line: a reason travels as one IRC parameter (REDACT) and must not carry a line break.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NOT_ONE_LINE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/u;
export const removeOwnInput = z.strictObject({
  /** Why, in a few words (IRC's REDACT may give one): shown to IRC clients, kept in the compliance record. */
  reason: z
    .string()
    .trim()
    .max(MAX_REASON_CHARS, `A reason can have at most ${MAX_REASON_CHARS} characters.`)
    .refine((r) => !NOT_ONE_LINE.test(r), 'A reason is one line without control characters.')
    .nullable()
    .default(null)
    .transform((r) => (r === '' ? null : r)),
});

const seqInput = z.strictObject({ seq: id });

/**
 * Authors editing and deleting their own messages (docs: README, "Editing and deleting your
 * messages"), for every door: only the author, only within the chat configuration's
 * `editOwnMessages` window, only where they may still post (so rooms they cannot find answer
 * room_not_found, as a post would, and read-only maintenance refuses), with the text rule of a
 * post. The store writes the change and its compliance record (EDIT with the previous text,
 * DELETE with the text removed) in one transaction; then the existing events tell every door.
 * Administrators' moderation (moderation.ts) is separate and unchanged.
 *
 * `filesRemoved` is told when a deleted message took a file with it (the orphan sweep).
 */
export function ownMessageUseCases(ctx: AppContext, filesRemoved: () => void = () => undefined) {
  const target = async (actor: Actor, roomId: number, seq: number, messageId?: number): Promise<{ access: RoomAccess; message: Message }> => {
    const access = await roomAccess(ctx, actor, parse(id, roomId), 'post');
    if (access.snapshot.maintenance) throw new PchatError('read_only', access.snapshot.maintenance.message);
    const message = await ctx.store.messages.getBySeq(roomId, parse(seqInput, { seq }).seq);
    if (!message || (messageId !== undefined && message.id !== messageId)) throw notFound('message');
    checkOwnEdit(message, actor.userId, access.snapshot.config.editOwnMessages, ctx.clock.now());
    return { access, message };
  };

  return {
    /** Replaces the text of one's own message; answers the message as it now is (with `editedAt`). The same text changes nothing. */
    async edit(actor: Actor, roomId: number, seq: number, input: unknown): Promise<Message> {
      const { text: raw } = parse(editInput, input);
      const { access, message } = await target(actor, roomId, seq);
      const text = validateMessageText(raw, access.snapshot.config);
      if (text === message.text) return message;
      const mentions = mentionedUsers(access.snapshot, access.room, access.category, text, actor.userId);
      const done = await ctx.store.messages.editOwn({ id: message.id, authorId: actor.userId, text, at: ctx.clock.now(), mentions });
      if (!done) throw notFound('message');
      await ctx.bus.publish({ type: 'messages.replaced', roomId, messages: [done.after], byAuthor: true });
      return done.after;
    },

    /**
     * Deletes one's own message (and its file); `input.reason` is optional. `messageId`, when
     * given, must be the message's id too (an IRC msgid names both), else it is not found.
     * Answers the message removed.
     */
    async remove(actor: Actor, roomId: number, seq: number, input: unknown = {}, messageId?: number): Promise<Message> {
      const { reason } = parse(removeOwnInput, input);
      const { message } = await target(actor, roomId, seq, messageId);
      const removed = await ctx.store.messages.removeOwn({ id: message.id, authorId: actor.userId, at: ctx.clock.now(), reason });
      if (!removed) throw notFound('message');
      await ctx.bus.publish({ type: 'messages.removed', roomId, seqs: [removed.seq], byAuthor: { message: removed, reason } });
      if (removed.file) filesRemoved();
      return removed;
    },
  };
}
