import type { Message, Reaction } from '../../core/model.js';
import { reactionRecord, type ReactionRow, summarizeReactions, tooManyReactions, withReactions } from '../../core/reactions.js';
import type { ImportedReaction, ReactionChange, ReactionOutcome, ReactionStore } from '../../ports/reactions.js';
import type { Db } from './database.js';

type RawReaction = [number, string, number, number];
const toRow = ([messageId, emoji, userId, createdAt]: RawReaction): ReactionRow => ({ messageId, emoji, userId, createdAt });

/** Reading the reactions of messages (messages.ts attaches them to pages with flagged messages). */
export function sqliteMessageReactions(db: Db) {
  const COLUMNS = 'message_id, emoji, user_id, created_at';
  const ofMessage = db.prepare(`SELECT ${COLUMNS} FROM message_reactions WHERE message_id = ?`).raw(true);
  const ofMessages = db.prepare(`SELECT ${COLUMNS} FROM message_reactions WHERE message_id IN (SELECT value FROM json_each(?))`).raw(true);
  const summaries = (ids: readonly number[]): Map<number, Reaction[]> => {
    if (ids.length === 0) return new Map();
    const rows = (ids.length === 1 ? ofMessage.all(ids[0]) : ofMessages.all(JSON.stringify(ids))) as RawReaction[];
    return summarizeReactions(rows.map(toRow));
  };
  return {
    summaries,
    /** The messages with the reactions of those whose ids are `flagged` (has_reactions set): one lookup, none without. */
    attach: (messages: Message[], flagged: readonly number[]): Message[] => (flagged.length === 0 ? messages : withReactions(messages, summaries(flagged))),
  };
}

/** See ReactionStore: each change and its compliance record in one IMMEDIATE transaction. */
export function sqliteReactions(db: Db): ReactionStore {
  const read = sqliteMessageReactions(db);
  const message = db.prepare('SELECT room_id AS roomId, seq FROM messages WHERE id = ?');
  const insert = db.prepare('INSERT INTO message_reactions (message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const remove = db.prepare('DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?');
  const emojiThere = db.prepare('SELECT 1 FROM message_reactions WHERE message_id = ? AND emoji = ? LIMIT 1').pluck();
  const distinctEmoji = db.prepare('SELECT count(DISTINCT emoji) FROM message_reactions WHERE message_id = ?').pluck();
  const flag = db.prepare('UPDATE messages SET has_reactions = 1 WHERE id = ? AND has_reactions = 0');
  const reflag = db.prepare('UPDATE messages SET has_reactions = EXISTS (SELECT 1 FROM message_reactions WHERE message_id = ?) WHERE id = ?');
  const record = db.prepare('INSERT INTO compliance (type, room_id, user_id, at, data) VALUES (?, ?, ?, ?, ?)');

  const outcome = (changed: boolean, target: { roomId: number; seq: number }, messageId: number): ReactionOutcome => ({
    changed,
    ...target,
    reactions: read.summaries([messageId]).get(messageId) ?? [],
  });

  const add = db.transaction((c: ReactionChange, maxEmoji: number): ReactionOutcome | null => {
    const target = message.get(c.messageId) as { roomId: number; seq: number } | undefined;
    if (!target) return null;
    if (emojiThere.get(c.messageId, c.emoji) === undefined && (distinctEmoji.get(c.messageId) as number) >= maxEmoji) throw tooManyReactions();
    const changed = insert.run(c.messageId, c.emoji, c.userId, c.at).changes > 0;
    if (changed) {
      flag.run(c.messageId);
      record.run('REACT', target.roomId, c.userId, c.at, JSON.stringify(reactionRecord({ id: c.messageId, seq: target.seq }, c.emoji)));
    }
    return outcome(changed, target, c.messageId);
  });

  const take = db.transaction((c: ReactionChange): ReactionOutcome | null => {
    const target = message.get(c.messageId) as { roomId: number; seq: number } | undefined;
    if (!target) return null;
    const changed = remove.run(c.messageId, c.emoji, c.userId).changes > 0;
    if (changed) {
      reflag.run(c.messageId, c.messageId);
      record.run('UNREACT', target.roomId, c.userId, c.at, JSON.stringify(reactionRecord({ id: c.messageId, seq: target.seq }, c.emoji)));
    }
    return outcome(changed, target, c.messageId);
  });

  const importAll = db.transaction((rows: readonly ImportedReaction[]): number => {
    let inserted = 0;
    const flagged = new Set<number>();
    for (const r of rows) {
      let changes: number;
      try {
        changes = insert.run(r.messageId, r.emoji, r.userId, r.createdAt).changes;
      } catch (error) {
        throw new Error(`cannot import the reaction ${r.emoji} of user ${r.userId} on message ${r.messageId}: no such message or user`, { cause: error });
      }
      inserted += changes;
      if (changes > 0) flagged.add(r.messageId);
    }
    for (const id of flagged) flag.run(id);
    return inserted;
  });

  return {
    add: async (change, maxEmoji) => add.immediate(change, maxEmoji),
    remove: async (change) => take.immediate(change),
    summaries: async (ids) => read.summaries(ids),
    importReactions: async (rows) => (rows.length === 0 ? 0 : importAll.immediate(rows)),
  };
}
