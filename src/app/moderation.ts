import { z } from 'zod';
import { PchatError } from '../core/errors.js';
import { DEFAULT_REPLACEMENT, matchesKeywords } from '../core/moderation.js';
import type { Message } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { validateMessageText } from '../core/validation.js';
import { type AppContext, requireAdmin, roomAccess } from './context.js';
import { id, parse, timestamp } from './validate.js';

export const clearInput = z.strictObject({
  /** Everything from the oldest message through this time is deleted. */
  upTo: timestamp,
});

export const removeInput = z
  .strictObject({
    roomId: id.optional(),
    authorId: id.optional(),
    from: timestamp.optional(),
    to: timestamp.optional(),
    keywords: z.string().trim().min(1).max(1024).optional(),
    match: z.enum(['all', 'any', 'exact']).default('all'),
    caseSensitive: z.boolean().default(false),
    action: z.enum(['remove', 'replace']).default('remove'),
    replacement: z.string().default(DEFAULT_REPLACEMENT),
    /** Count what would be affected and change nothing. */
    dryRun: z.boolean().default(false),
  })
  .refine((s) => s.roomId !== undefined || s.authorId !== undefined || s.from !== undefined || s.to !== undefined || s.keywords !== undefined, {
    message: 'Select messages by at least one of roomId, authorId, from, to or keywords.',
  });

const PAGE = 1000;

/**
 * `filesRemoved` is told when messages (and so their files) were removed, replaced or cleared,
 * so the orphan sweep can delete bytes no file row references any more.
 */
export function moderationUseCases(ctx: AppContext, filesRemoved: () => void = () => undefined) {
  return {
    /** Deletes a room's history from the oldest message through `upTo`. Compliance keeps the originals. */
    async clearRoom(actor: Actor, roomId: number, input: unknown): Promise<{ removed: number }> {
      requireAdmin(actor);
      const { upTo } = parse(clearInput, input);
      await roomAccess(ctx, actor, roomId, 'manage');
      const removed = await ctx.store.messages.clear(roomId, upTo);
      await ctx.bus.publish({ type: 'room.cleared', roomId, upTo });
      if (removed > 0) filesRemoved();
      return { removed };
    },

    /** Removes, or replaces the text of, every message matching the selection. Irreversible. */
    async removeMessages(actor: Actor, input: unknown): Promise<{ matched: number; rooms: number[] }> {
      requireAdmin(actor);
      const s = parse(removeInput, input);
      if (s.roomId !== undefined) await roomAccess(ctx, actor, s.roomId, 'manage');
      const replacement = s.action === 'replace' ? validateMessageText(s.replacement, { maxMessageChars: 16_000 }, 'replacement') : '';
      if (s.from !== undefined && s.to !== undefined && s.from > s.to) {
        throw new PchatError('invalid_input', '"from" is after "to".', { field: 'from' });
      }
      const byRoom = new Map<number, Message[]>();
      let afterId = 0;
      for (;;) {
        const candidates = await ctx.store.messages.select({
          afterId,
          limit: PAGE,
          ...(s.roomId !== undefined && { roomIds: [s.roomId] }),
          ...(s.authorId !== undefined && { authorId: s.authorId }),
          ...(s.from !== undefined && { from: s.from }),
          ...(s.to !== undefined && { to: s.to }),
        });
        const snapshot = await ctx.directory.snapshot();
        for (const m of candidates) {
          // Direct conversations are their participants' alone: moderation neither sees nor counts them.
          if (snapshot.rooms.get(m.roomId)?.direct === true) continue;
          const text = m.title ? `${m.title}\n${m.text}` : m.text;
          if (s.keywords !== undefined && !matchesKeywords(text, { keywords: s.keywords, match: s.match, caseSensitive: s.caseSensitive })) continue;
          const list = byRoom.get(m.roomId) ?? [];
          list.push(m);
          byRoom.set(m.roomId, list);
        }
        if (candidates.length < PAGE) break;
        afterId = candidates.at(-1)?.id ?? afterId;
      }
      let matched = 0;
      for (const [roomId, messages] of byRoom) {
        matched += messages.length;
        if (s.dryRun) continue;
        const ids = messages.map((m) => m.id);
        if (s.action === 'remove') {
          await ctx.store.messages.remove(ids);
          await ctx.bus.publish({ type: 'messages.removed', roomId, seqs: messages.map((m) => m.seq) });
        } else {
          await ctx.store.messages.replaceText(ids, replacement);
          await ctx.bus.publish({ type: 'messages.replaced', roomId, messages: messages.map((m) => ({ ...m, text: replacement, file: null })) });
        }
      }
      // The store dropped the file rows with their messages (a replaced message loses its file too).
      if (!s.dryRun && matched > 0) filesRemoved();
      return { matched, rooms: [...byRoom.keys()] };
    },
  };
}
