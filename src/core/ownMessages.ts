import { PchatError } from './errors.js';
import type { EditWindow, Message } from './model.js';

/**
 * The rule for authors' own edits and deletions (the chat configuration's `editOwnMessages`):
 * only the author, and only within the window. Pure, so every door and the web client's hint
 * agree with the one check in app/ownMessages.ts.
 */

/** Why an edit or deletion was refused, in `details.rule` of the not_permitted error (IRC maps it to REDACT's FAIL codes). */
export type EditRefusal = 'author' | 'off' | 'window';

const refused = (rule: EditRefusal, message: string, extra: Record<string, unknown> = {}): PchatError =>
  new PchatError('not_permitted', message, { details: { rule, ...extra } });

/** Throws not_permitted unless `userId` may edit or delete `message` at `now` under `window`. */
export function checkOwnEdit(message: Pick<Message, 'authorId' | 'createdAt'>, userId: number, window: EditWindow, now: number): void {
  if (message.authorId !== userId) throw refused('author', 'Only its author may edit or delete a message.');
  if (window === 'off') throw refused('off', 'Editing and deleting your own messages is switched off on this server.');
  if (window === 'always') return;
  if (now - message.createdAt > window * 60_000) {
    throw refused('window', `Messages can be edited or deleted for ${window} minute${window === 1 ? '' : 's'} after they are posted; this one is older.`, {
      windowSeconds: window * 60,
    });
  }
}

/** The rule an error of checkOwnEdit names, or null for any other error. */
export function editRefusalOf(error: unknown): { rule: EditRefusal; windowSeconds?: number } | null {
  if (!(error instanceof PchatError) || error.code !== 'not_permitted') return null;
  const details = error.details as { rule?: unknown; windowSeconds?: unknown } | undefined;
  const rule = details?.rule;
  if (rule !== 'author' && rule !== 'off' && rule !== 'window') return null;
  return typeof details?.windowSeconds === 'number' ? { rule, windowSeconds: details.windowSeconds } : { rule };
}

/** The EDIT compliance record's data: the message, its previous text and its new one. */
export const editRecord = (before: Message, text: string): Record<string, unknown> => ({
  messageId: before.id,
  seq: before.seq,
  kind: before.kind,
  title: before.title,
  previousText: before.text,
  text,
});

/** The DELETE compliance record's data: the message as it was removed (its text, its file), and the author's reason if given. */
export function deleteRecord(removed: Message, reason: string | null): Record<string, unknown> {
  const record: Record<string, unknown> = { messageId: removed.id, seq: removed.seq, kind: removed.kind, title: removed.title, text: removed.text, reason };
  if (removed.file) record.file = { id: removed.file.id, name: removed.file.name, contentType: removed.file.contentType, size: removed.file.size, sha256: removed.file.sha256 };
  return record;
}
