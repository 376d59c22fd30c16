import { PchatError } from '../../../core/errors.js';
import { editRefusalOf } from '../../../core/ownMessages.js';
import { sameChannel } from '../channels.js';
import { redactingWith } from '../ownEdits.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { resolveChannel } from './resolve.js';

/**
 * REDACT <target> <msgid> [reason] (IRCv3 draft/message-redaction): deletes one's own message
 * through the same use case as every door (ownMessages.remove: only its author, within the
 * configured window). The REDACT itself reaches the clients as the removal's live event
 * (ownEdits.ts), the sender's own with the command's label. Refusals are the spec's FAIL codes.
 */

/** A msgid of ours (present.ts msgidOf): "<message id>-<seq>", "-<line>" after the first line. */
function messageOf(msgid: string): { id: number; seq: number } | null {
  const m = /^([1-9]\d{0,15})-([1-9]\d{0,15})(?:-\d{1,6})?$/.exec(msgid);
  return m ? { id: Number(m[1]), seq: Number(m[2]) } : null;
}

/** The room a REDACT names: a channel (joined, or one the caller may find), or the nick of a one-to-one conversation; null when none. */
async function roomOf(session: IrcSession, target: string): Promise<number | null> {
  if (target.startsWith('#')) {
    for (const [roomId, state] of session.rooms) if (sameChannel(state.channel, target)) return roomId;
    try {
      return (await resolveChannel(session, target)).room.id;
    } catch (error) {
      if (error instanceof PchatError && error.code === 'room_not_found') return null;
      throw error;
    }
  }
  const snapshot = await session.deps.app.directory.snapshot();
  const userId = session.deps.registry.userOf(target, snapshot.users);
  return userId === undefined ? null : (snapshot.directPair(session.userId, userId)?.id ?? null);
}

async function redact(session: IrcSession, params: readonly string[], reply: Reply): Promise<void> {
  const [target = '', msgid = ''] = params;
  const reason = params[2] ? params[2] : null;
  const roomId = await roomOf(session, target);
  if (roomId === null) return reply.fail('REDACT', 'INVALID_TARGET', target, `You cannot delete messages from ${target}`);
  const message = messageOf(msgid);
  if (!message) return reply.fail('REDACT', 'UNKNOWN_MSGID', target, msgid, 'This message does not exist or is too old');
  try {
    const actor = await session.actor();
    await redactingWith(session, message.id, reply, () => session.deps.app.ownMessages.remove(actor, roomId, message.seq, { reason }, message.id));
  } catch (error) {
    const refusal = editRefusalOf(error);
    if (refusal?.rule === 'window') {
      return reply.fail('REDACT', 'REDACT_WINDOW_EXPIRED', target, msgid, String(refusal.windowSeconds ?? 0), (error as PchatError).message);
    }
    if (!(error instanceof PchatError)) throw error;
    if (error.code === 'not_permitted') return reply.fail('REDACT', 'REDACT_FORBIDDEN', target, msgid, error.message);
    if (error.code === 'not_found') return reply.fail('REDACT', 'UNKNOWN_MSGID', target, msgid, 'This message does not exist or is too old');
    if (error.code === 'room_not_found') return reply.fail('REDACT', 'INVALID_TARGET', target, `You cannot delete messages from ${target}`);
    reply.error('REDACT', target, error);
  }
}

export const REDACT: IrcCommand = { minParams: 2, needsRegistration: true, run: (s, p, r) => redact(s, p, r) };
