import { randomBytes } from 'node:crypto';
import type { Snapshot } from '../../app/directory.js';
import { DOOR_CLIENT_ID_PREFIX, type Message } from '../../core/model.js';
import { withClientTags } from './clientTags.js';
import { historyLines } from './membership.js';
import { seqOfMsgid } from './present.js';
import type { Reply } from './reply.js';
import type { IrcSession } from './session.js';

/** What a PRIVMSG (kind `text`) or NOTICE (kind `notice`, shown as NOTICE everywhere) posts. */
export interface LinePost {
  readonly text: string;
  readonly kind: 'text' | 'notice';
  /** The line's client-only tags (clientTags.ts), or null. */
  readonly clientTags: Readonly<Record<string, string>> | null;
}

/**
 * One connection's own posts: their clientIds carry a prefix of the connection's, so their live
 * echo is recognised, and while a post is under way its command's reply is kept, so the echo
 * (echo-message) goes into it and carries the label.
 */
export class OwnPosts {
  private readonly prefix = `${DOOR_CLIENT_ID_PREFIX}${randomBytes(6).toString('base64url')}-`;
  private count = 0;
  private readonly pending = new Map<string, Reply>();

  /** Whether a message's clientId says this connection posted it. */
  isOwn(clientId: string | null | undefined): clientId is string {
    return clientId?.startsWith(this.prefix) === true;
  }

  /** The reply of the command whose post this is, while it is under way. */
  echoFor(clientId: string): Reply | undefined {
    return this.pending.get(clientId);
  }

  /** Posts to a room through messages.post; the client-only tags go with the live message (clientTags.ts). */
  async post(session: IrcSession, roomId: number, { text, kind, clientTags }: LinePost, reply: Reply): Promise<Message> {
    const clientId = `${this.prefix}${++this.count}`;
    this.pending.set(clientId, reply);
    try {
      const actor = await session.actor();
      // IRCv3 `+draft/reply=<msgid>` names the parent of a reply; a msgid that is not one of ours is a tag like any other.
      const replyTo = clientTags?.['+draft/reply'] === undefined ? null : seqOfMsgid(clientTags['+draft/reply']);
      const input = { text, kind, ...(replyTo !== null && { replyTo }) };
      const options = { onQueued: reply.onQueued, doorClientId: clientId };
      const { message } = await withClientTags(clientId, clientTags, () => session.deps.app.messages.post(actor, roomId, input, options));
      return message;
    } finally {
      this.pending.delete(clientId);
    }
  }
}

/**
 * A live message this connection posted, shown to `target` (a channel, or the nick of a direct
 * conversation): nothing without echo-message; with it, while the post is under way, its lines
 * go into the posting command's reply. True when handled here, false when it is shown as any
 * other live message.
 */
export function handledAsEcho(session: IrcSession, m: Message, target: string, snapshot: Snapshot | null): boolean {
  if (m.authorId !== session.userId || !session.ownPosts.isOwn(m.clientId)) return false;
  if (!session.caps.has('echo-message')) return true;
  const pending = session.ownPosts.echoFor(m.clientId);
  if (!pending) return false;
  for (const out of historyLines(session, m, target, snapshot, {}, true)) pending.send(out);
  return true;
}
