import { randomBytes } from 'node:crypto';
import { validateEmoji } from '../../core/reactions.js';
import type { DomainEvent } from '../../ports/events.js';
import { accountName } from './channels.js';
import { msgidOf, serverTime } from './present.js';
import type { Reply } from './reply.js';
import type { IrcSession, Out } from './session.js';

/**
 * Emoji reactions on IRC (docs/irc.md, "Reactions"), through the IRCv3 client tags
 * `+draft/react` and `+draft/unreact` with `+draft/reply=<msgid>` on a TAGMSG to a channel.
 * A TAGMSG that names one of our messages (present.ts msgidOf) with a valid emoji
 * (core/reactions.ts) is stored through app.reactions, like a reaction from any door; anything
 * else stays a relayed TAGMSG (commands/tagmsg.ts). Every reaction, from whichever door, reaches
 * the connections in the room that negotiated message-tags as a TAGMSG from the person who
 * reacted; clients without message-tags get nothing (there is no plain-text form worth a line).
 */

export const REACT_TAG = '+draft/react';
export const UNREACT_TAG = '+draft/unreact';
const REPLY_TAG = '+draft/reply';

/** A msgid of ours: "<message id>-<seq>", "-<line>" after the first line. */
function messageOf(msgid: string): { id: number; seq: number } | null {
  const m = /^([1-9]\d{0,15})-([1-9]\d{0,15})(?:-\d{1,6})?$/.exec(msgid);
  return m ? { id: Number(m[1]), seq: Number(m[2]) } : null;
}

/** What a TAGMSG's tags ask, when they are a reaction pchat stores: the message, the emoji, add or remove. */
export function reactionOf(tags: Readonly<Record<string, string>>): { id: number; seq: number; emoji: string; added: boolean } | null {
  const added = tags[REACT_TAG] !== undefined;
  const raw = tags[REACT_TAG] ?? tags[UNREACT_TAG];
  const message = messageOf(tags[REPLY_TAG] ?? '');
  if (raw === undefined || !message) return null;
  try {
    return { ...message, emoji: validateEmoji(raw), added }; // as stored (❤ becomes ❤️), so the echo matches the event
  } catch {
    return null;
  }
}

/** A reaction TAGMSG under way on a connection: its own copy goes into the command's reply (echo-message, with the label). */
const reacting = new WeakMap<IrcSession, { readonly messageId: number; readonly emoji: string; readonly reply: Reply; echoed: boolean }>();
/** One msgid per event, shared by every connection that sees it. */
const msgids = new WeakMap<DomainEvent, string>();
const newMsgid = (): string => `t-${randomBytes(9).toString('hex')}`;

function tagmsgOf(session: IrcSession, event: DomainEvent & { type: 'message.reactions' }, target: string, msgid: string): Out {
  const { userId, emoji, added } = event.change;
  const snapshot = session.deps.app.directory.peek();
  const account = snapshot ? accountName(snapshot.users, userId) : null;
  return {
    tags: {
      [added ? REACT_TAG : UNREACT_TAG]: emoji,
      [REPLY_TAG]: msgidOf({ id: event.messageId, seq: event.seq }),
      msgid,
      time: serverTime(Date.now()),
      ...(account && { account }),
    },
    source: session.maskOf(userId, snapshot),
    command: 'TAGMSG',
    params: [target],
  };
}

/** Shows a reaction change to one connection in the room (`target`: its channel name). */
export function showReaction(session: IrcSession, event: DomainEvent & { type: 'message.reactions' }, target: string): void {
  if (!session.caps.has('message-tags')) return;
  let msgid = msgids.get(event);
  if (!msgid) msgids.set(event, (msgid = newMsgid()));
  const out = tagmsgOf(session, event, target, msgid);
  const mine = reacting.get(session);
  if (mine && mine.messageId === event.messageId && mine.emoji === event.change.emoji && event.change.userId === session.userId) {
    mine.echoed = true;
    if (session.caps.has('echo-message')) mine.reply.send(out);
    return;
  }
  session.write(out);
}

/**
 * Stores the reaction a TAGMSG to `channel` (room `roomId`) asks for; the connection's own copy
 * comes back through the event with the command's label, or, when nothing changed (a repeat),
 * straight from here, so an echo-message client always sees its line.
 */
export async function storeReaction(session: IrcSession, roomId: number, channel: string, reaction: NonNullable<ReturnType<typeof reactionOf>>, reply: Reply): Promise<void> {
  const { app } = session.deps;
  const actor = await session.actor();
  const state = { messageId: reaction.id, emoji: reaction.emoji, reply, echoed: false };
  reacting.set(session, state);
  try {
    const view = reaction.added
      ? await app.reactions.add(actor, roomId, reaction.seq, reaction.emoji, reaction.id)
      : await app.reactions.remove(actor, roomId, reaction.seq, reaction.emoji, reaction.id);
    if (!state.echoed && session.caps.has('echo-message') && session.caps.has('message-tags')) {
      const event = { type: 'message.reactions', roomId, seq: view.seq, messageId: view.messageId, reactions: view.reactions, change: { userId: session.userId, emoji: reaction.emoji, added: reaction.added } } as const;
      reply.send(tagmsgOf(session, event, channel, newMsgid()));
    }
  } finally {
    reacting.delete(session);
  }
}
