import { z } from 'zod';
import { PchatError } from '../core/errors.js';
import type { Message } from '../core/model.js';
import { parentRef } from '../core/replies.js';
import type { Actor } from '../core/permissions.js';
import { validateMessageText, validateTitle } from '../core/validation.js';
import type { AppendResult, NewComplianceEvent } from '../ports/store.js';
import { type AppContext, roomAccess } from './context.js';
import { mentionedUsers } from './mentions.js';
import { clientIdInput, id, parse, timestamp } from './validate.js';

export const postInput = z.strictObject({
  text: z.string(),
  kind: z.enum(['text', 'story', 'notice']).default('text'),
  title: z.string().nullable().default(null),
  clientId: clientIdInput,
  /** A reply: the seq of the message of the same room it answers. */
  replyTo: z.int().positive().nullable().default(null),
});

const seq = z.coerce.number().pipe(z.int().nonnegative());
export const historyQuery = z
  .strictObject({
    before: seq.optional(),
    after: seq.optional(),
    around: seq.optional(),
    at: z.union([z.coerce.number().pipe(z.int().nonnegative()), timestamp]).optional(),
    limit: z.coerce.number().pipe(z.int().min(1).max(500)).optional(),
  })
  .refine((q) => [q.around, q.at].filter((v) => v !== undefined).length + (q.before !== undefined || q.after !== undefined ? 1 : 0) <= 1, {
    message: 'Give either before/after, around, or at.',
  });

export interface HistoryPage {
  readonly messages: Message[];
  /** True when older (resp. newer) messages exist beyond this page. */
  readonly moreBefore: boolean;
  readonly moreAfter: boolean;
  readonly lastSeq: number;
}

export function messageUseCases(ctx: AppContext) {
  const record = (event: NewComplianceEvent): Promise<void> => ctx.compliance.submit(event);
  const backchat = (actor: Actor, roomId: number, page: Message[]) =>
    record({ type: 'BACKCHAT', roomId, userId: actor.userId, at: ctx.clock.now(), data: { count: page.length, fromSeq: page[0]?.seq ?? null } });

  const page = async (roomId: number, q: { before?: number; after?: number; limit: number }): Promise<HistoryPage> => {
    const rows = await ctx.store.messages.history({
      roomId,
      limit: q.limit + 1,
      ...(q.before !== undefined && { beforeSeq: q.before }),
      ...(q.after !== undefined && { afterSeq: q.after }),
    });
    const lastSeq = await ctx.store.rooms.lastSeq(roomId);
    const extra = rows.length > q.limit;
    if (q.after !== undefined) {
      const messages = extra ? rows.slice(0, q.limit) : rows;
      return { messages, moreBefore: q.after > 0, moreAfter: extra, lastSeq };
    }
    const messages = extra ? rows.slice(1) : rows;
    return { messages, moreBefore: extra, moreAfter: q.before !== undefined && (messages.at(-1)?.seq ?? 0) < lastSeq, lastSeq };
  };

  /** The gate every post passes: the actor may post in the room, and the pool is not in read-only maintenance. */
  const postingGate = async (actor: Actor, roomId: number) => {
    const access = await roomAccess(ctx, actor, parse(id, roomId), 'post');
    // Read-only maintenance (pool-wide, from the directory snapshot): every door posts through here.
    if (access.snapshot.maintenance) throw new PchatError('read_only', access.snapshot.maintenance.message);
    return access;
  };

  /** A reply's parent: a kept message of the same room (the poster may read it: they may post there). */
  const parentOf = async (roomId: number, seq: number, kept: boolean) => {
    if (!kept) throw new PchatError('invalid_input', 'Replies need chat history, which is off in this category.', { field: 'replyTo' });
    const parent = await ctx.store.messages.getBySeq(roomId, seq);
    if (!parent) throw new PchatError('invalid_input', `There is no message ${seq} in this room to reply to.`, { field: 'replyTo' });
    return parentRef(parent);
  };

  return {
    /**
     * Refuses as `post` would, without posting: for what is said in a room but not kept (an IRC
     * TAGMSG, a typing notification), which must pass the same gate.
     */
    async mayPost(actor: Actor, roomId: number): Promise<void> {
      await postingGate(actor, roomId);
    },

    /**
     * Durable when it returns. A repeated clientId returns the stored message with duplicate = true.
     * `onQueued` is called once the post is queued for its commit, behind every post queued before
     * it: a connection may then start its next post without overtaking this one. `doorClientId`
     * is the id a door gave the post itself (IRC; core/model.ts DOOR_CLIENT_ID_PREFIX), which no
     * client may send.
     */
    async post(actor: Actor, roomId: number, input: unknown, options: { onQueued?: () => void; doorClientId?: string } = {}): Promise<AppendResult> {
      const data = parse(postInput, input);
      const { snapshot, room, category } = await postingGate(actor, roomId);
      const text = validateMessageText(data.text, snapshot.config);
      if (data.kind !== 'story' && data.title !== null) {
        throw new PchatError('invalid_input', 'Only stories have titles.', { field: 'title' });
      }
      const replyTo = data.replyTo === null ? null : await parentOf(roomId, data.replyTo, category.chatHistory);
      const committed = ctx.writer.submit({
        roomId,
        authorId: actor.userId,
        kind: data.kind,
        title: data.title === null ? null : validateTitle(data.title) || null,
        text,
        createdAt: ctx.clock.now(),
        clientId: options.doorClientId ?? data.clientId,
        origin: null,
        keep: category.chatHistory,
        mentions: mentionedUsers(snapshot, room, category, text, actor.userId),
        ...(replyTo && { replyTo }),
      });
      options.onQueued?.();
      return committed;
    },

    /** History pages by keyset: before/after a seq, around a seq, or around a point in time. */
    async history(actor: Actor, roomId: number, query: unknown = {}): Promise<HistoryPage> {
      const q = parse(historyQuery, query);
      const { snapshot } = await roomAccess(ctx, actor, parse(id, roomId), 'read');
      const limit = q.limit ?? snapshot.config.defaultChatHistory;
      let result: HistoryPage;
      let center = q.around;
      if (q.at !== undefined) center = (await ctx.store.messages.seqAtOrAfter(roomId, q.at)) ?? (await ctx.store.rooms.lastSeq(roomId)) + 1;
      if (center !== undefined) {
        const half = Math.floor(limit / 2);
        const older = await page(roomId, { before: center, limit: half });
        const newer = await page(roomId, { after: center - 1, limit: limit - older.messages.length });
        result = { messages: [...older.messages, ...newer.messages], moreBefore: older.moreBefore, moreAfter: newer.moreAfter, lastSeq: newer.lastSeq };
      } else {
        result = await page(roomId, { ...q, limit });
      }
      await backchat(actor, roomId, result.messages);
      return result;
    },

    /** Entering a room: records JOIN and returns what to show, the last N messages or everything after `since`. */
    async open(actor: Actor, roomId: number, since: number | null, limit = 1000): Promise<HistoryPage> {
      const { snapshot } = await roomAccess(ctx, actor, parse(id, roomId), 'enter');
      const result =
        since === null ? await page(roomId, { limit: snapshot.config.defaultChatHistory }) : await page(roomId, { after: since, limit });
      await Promise.all([
        record({ type: 'JOIN', roomId, userId: actor.userId, at: ctx.clock.now(), data: null }),
        result.messages.length > 0 ? backchat(actor, roomId, result.messages) : undefined,
      ]);
      return result;
    },

    /** Records PART. Needs no permission: leaving is always allowed, even after access is gone. */
    async leave(actor: Pick<Actor, 'userId'>, roomId: number): Promise<void> {
      await record({ type: 'PART', roomId, userId: actor.userId, at: ctx.clock.now(), data: null });
    },
  };
}
