import type { Snapshot } from '../../app/directory.js';
import { plainText } from '../../core/richText.js';
import type { DomainEvent } from '../../ports/events.js';
import { ircCommandOf, ircReplyQuote, messageLines, msgidOf, serverTime, splitLine, textBudget } from './present.js';
import type { Reply } from './reply.js';
import type { IrcSession, Out } from './session.js';

/**
 * Authors' edits and deletions of their own messages on IRC (docs/irc.md, "Editing and deleting
 * messages"). A deletion reaches a client that negotiated `draft/message-redaction` as `REDACT
 * <target> <msgid> [reason]` from the author, one per line the message took on IRC (each line has
 * its own msgid, present.ts); any other client gets one NOTICE from the server saying so. An edit
 * has no IRCv3 form: every client gets one NOTICE line with the new text. Administrators'
 * moderation is not shown live (it shows in history), as before.
 */

export const REDACTION_CAP = 'draft/message-redaction';

/** A REDACT command under way on a connection: its own REDACT goes into the command's reply, so it carries the label (labeled-response). */
const redacting = new WeakMap<IrcSession, { readonly messageId: number; readonly reply: Reply }>();

/** Runs `remove` with the command's reply waiting for the connection's own REDACT of message `messageId`. */
export async function redactingWith<T>(session: IrcSession, messageId: number, reply: Reply, remove: () => Promise<T>): Promise<T> {
  redacting.set(session, { messageId, reply });
  try {
    return await remove();
  } finally {
    redacting.delete(session);
  }
}

const nickOf = (session: IrcSession, userId: number, snapshot: Snapshot | null): string => session.maskOf(userId, snapshot).split('!')[0] as string;

/**
 * Shows a removal or replacement to one connection, where `target` is the channel (or, for a
 * direct conversation, the nick its messages show). Moderation's (no `byAuthor`) shows nothing.
 */
export function showOwnChange(session: IrcSession, event: DomainEvent & { type: 'messages.removed' | 'messages.replaced' }, target: string): void {
  const snapshot = session.deps.app.directory.peek();
  const server = session.deps.serverName;
  if (event.type === 'messages.replaced') {
    if (!event.byAuthor) return;
    for (const m of event.messages) {
      const said = `${nickOf(session, m.authorId, snapshot)} edited a message: `;
      const text = plainText(m.text).replace(/\s*\n\s*/g, ' ');
      session.write({ source: server, command: 'NOTICE', params: [target, said + shortened(text, textBudget(server, 'NOTICE', target) - Buffer.byteLength(said))] });
    }
    return;
  }
  const by = event.byAuthor;
  if (!by) return;
  const m = by.message;
  if (!session.caps.has(REDACTION_CAP)) {
    const said = `${nickOf(session, m.authorId, snapshot)} removed a message`;
    session.write({ source: server, command: 'NOTICE', params: [target, by.reason ? `${said}: ${by.reason}` : said] });
    return;
  }
  // As many REDACTs as the message took lines here (render in events.ts splits it the same way).
  const source = session.maskOf(m.authorId, snapshot);
  const lines = Math.max(1, messageLines(m, textBudget(source, ircCommandOf(m), target), '', session.deps.publicUrl, ircReplyQuote(m, snapshot)).length);
  const time = serverTime(Date.now());
  const outs: Out[] = [];
  for (let i = 0; i < lines; i++) {
    outs.push({ tags: { time }, source, command: 'REDACT', params: by.reason ? [target, msgidOf(m, i), by.reason] : [target, msgidOf(m, i)] });
  }
  const pending = redacting.get(session);
  const into = pending?.messageId === m.id ? pending.reply : null;
  for (const out of outs) {
    if (into) into.send(out);
    else session.write(out);
  }
}

/** At most `budget` bytes of `text`, with an ellipsis when cut. */
function shortened(text: string, budget: number): string {
  if (Buffer.byteLength(text) <= budget) return text;
  return `${splitLine(text, Math.max(8, budget - 3))[0] ?? ''}…`;
}
