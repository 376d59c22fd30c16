import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../src/core/model.js';
import { openArchive } from '../../src/interchange/archive/reader.js';
import type { MessageRecord } from '../../src/interchange/archive/records.js';
import { roomHistoryPages } from '../../src/interchange/pchat/source.js';
import { all } from './groupchat/helpers.js';
import { craft } from '../helpers/craftArchive.js';
import { openDir, pchat, pchatOk, seedDatabase } from '../helpers/interchange.js';

/** The messages of one room of a database, in seq order. */
async function roomMessages(dataDir: string, roomName: string): Promise<Message[]> {
  const local = await openDir(dataDir);
  try {
    const room = [...(await local.app.directory.snapshot()).rooms.values()].find((r) => r.name === roomName)!;
    const out: Message[] = [];
    for await (const page of roomHistoryPages(local.store, room.id)) out.push(...page);
    return out;
  } finally {
    await local.close();
  }
}

/** Posts a reply to the message with `parentText` in pchat itself, through the application (as every door does), and edits one message. */
async function converse(dataDir: string, roomName: string, parentText: string, text: string): Promise<void> {
  const local = await openDir(dataDir);
  try {
    const snapshot = await local.app.directory.snapshot();
    const room = [...snapshot.rooms.values()].find((r) => r.name === roomName)!;
    const alice = [...snapshot.users.values()].find((u) => u.login === 'alice@example.com')!;
    const actor = await local.app.sessions.actorFor(alice.id);
    let parent: Message | undefined;
    for await (const page of roomHistoryPages(local.store, room.id)) parent ??= page.find((m) => m.text === parentText);
    const { message } = await local.app.messages.post(actor, room.id, { text, replyTo: parent!.seq });
    await local.store.messages.editOwn({ id: message.id, authorId: alice.id, text: `${text} (edited)`, at: Date.UTC(2026, 0, 2) });
    // Two people react to the parent (once each per migration: the same reactions again change nothing).
    const bob = [...snapshot.users.values()].find((u) => u.login === 'bob@example.com')!;
    await local.app.reactions.add(actor, room.id, parent!.seq, '👍');
    await local.app.reactions.add(await local.app.sessions.actorFor(bob.id), room.id, parent!.seq, '👍');
    await local.app.reactions.add(actor, room.id, message.seq, ':party-parrot:');
  } finally {
    await local.close();
  }
}

/** A room's messages as [text, the parent's text or null, reply count, edited, how many reacted with what]. */
const shape = (messages: readonly Message[]) => {
  const bySeq = new Map(messages.map((m) => [m.seq, m]));
  return messages.map((m) => [
    m.text,
    m.replyTo ? (bySeq.get(m.replyTo.seq!)?.text ?? 'removed') : null,
    m.replyCount ?? 0,
    m.editedAt !== undefined,
    (m.reactions ?? []).map((r) => `${r.emoji}×${r.userIds.length}`).join(' '),
  ]);
};

describe('replies, edited marks and reactions through migrations: pchat → archive (version 3) → pchat → pchat', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-replies-'));
    await seedDatabase(path('a'), 40);
    const first = (await roomMessages(path('a'), 'general'))[0]!.text;
    await converse(path('a'), 'general', first, 'a reply made in a');
    await pchatOk(['export', '--data-dir', path('a'), '--out', path('a.zip')]);
    await pchatOk(['import', path('a.zip'), '--yes', '--data-dir', path('b')]);
    // In b, a native reply to a message b imported from a: its parent has an origin of its own.
    await converse(path('b'), 'general', first, 'a reply made in b');
    await pchatOk(['export', '--data-dir', path('b'), '--out', path('b.zip')]);
    // The first import is one transaction (bulk, the spool), this one batch by batch: both carry them.
    await pchatOk(['import', path('b.zip'), '--yes', '--batched', '--data-dir', path('c')]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes replies, edited marks and reactions into a version 3 archive', async () => {
    const archive = await openArchive(path('a.zip'));
    try {
      assert.equal(archive.manifest.version, 3);
      const messages = (await all(archive, 'messages')) as MessageRecord[];
      const reply = messages.find((m) => m.text === 'a reply made in a (edited)')!;
      assert.equal(messages.find((m) => m.id === reply.replyTo)?.room, reply.room, 'the parent is a message of the same room');
      assert.equal(reply.editedAt, '2026-01-02T00:00:00.000Z');
      assert.deepEqual(reply.reactions, [{ emoji: ':party-parrot:', users: [reply.author] }], 'the author reacted to her own reply');
      assert.deepEqual(messages.find((m) => m.id === reply.replyTo)?.reactions?.map((r) => [r.emoji, r.users.length]), [['👍', 2]]);
    } finally {
      await archive.close();
    }
  });

  it('imports every reply with its parent, the counts, the edited marks and the reactions, across two migrations', async () => {
    const inA = shape(await roomMessages(path('a'), 'general'));
    const inC = shape(await roomMessages(path('c'), 'general'));
    const first = inA[0]![0];
    assert.deepEqual(inA[0], [first, null, 1, false, '👍×2']);
    assert.deepEqual(inA.at(-1), ['a reply made in a (edited)', first, 0, true, ':party-parrot:×1']);
    assert.deepEqual(inC[0], [first, null, 2, false, '👍×2'], 'both replies answer it in c; the reactions made again in b changed nothing');
    assert.deepEqual(inC.slice(-2), [
      ['a reply made in a (edited)', first, 0, true, ':party-parrot:×1'],
      ['a reply made in b (edited)', first, 0, true, ':party-parrot:×1'],
    ]);
  });

  it('verifies both migrations clean, and notices a reply that lost its link', async () => {
    for (const [source, target] of [['a.zip', 'b'], ['b.zip', 'c']] as const) {
      const out = await pchatOk(['verify', '--source', path(source), '--target', join(path(target), 'pchat.db'), '--json']);
      assert.equal(JSON.parse(out.stdout).ok, true, `${source} → ${target}`);
    }
    // A reply that lost its link in c (the same text, author and time, now a plain message): verify sees it.
    const db = new Database(join(path('c'), 'pchat.db'));
    try {
      assert.equal(db.prepare("UPDATE messages SET reply_to = NULL WHERE text = 'a reply made in b (edited)'").run().changes, 1);
    } finally {
      db.close();
    }
    const out = await pchat(['verify', '--source', path('b.zip'), '--target', join(path('c'), 'pchat.db'), '--json']);
    assert.notEqual(out.code, 0, 'a difference fails verify');
    const result = JSON.parse(out.stdout);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.conflicts.map((c: { name: string; field: string; message: { field: string; source: string; target: string } }) => [c.name, c.field, c.message.field, c.message.source, c.message.target]),
      [['general', 'message digest', 'reply', 'reply', 'not a reply']],
      'the one difference, named down to the message and the field',
    );
  });

  it('imports a reply whose parent is not earlier in its room as a plain message, and leaves out reactions pchat cannot keep, each with a warning', async () => {
    const user = JSON.stringify({ id: 'u1', login: 'u1@example.com', displayName: 'U1', email: null, disabled: false, isAdmin: false, origin: null });
    const category = JSON.stringify({ id: 'c1', name: 'Imported', description: '', allowed: [], denied: [], creators: [], invitations: true, fileUpload: true, chatHistory: true, origin: null });
    const room = JSON.stringify({ id: 'r1', name: 'threads', description: '', category: 'c1', privacy: 'open', type: 'normal', members: [], managers: [], presenters: [], invitations: 'inherit', addin: null, disabled: false, createdAt: '2020-01-01T00:00:00.000Z', origin: null });
    const message = (id: string, seq: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ id, room: 'r1', seq, author: 'u1', at: `2020-01-01T00:00:0${seq}.000Z`, kind: 'text', title: null, text: `m ${id}`, origin: null, ...extra });
    const lines = (...l: string[]) => `${l.join('\n')}\n`;
    await craft(
      path('orphans.zip'),
      {
        'users.ndjson': lines(user),
        'categories.ndjson': lines(category),
        'rooms.ndjson': lines(room),
        'messages.ndjson': lines(
          message('m1', 1, { reactions: [{ emoji: '👍', users: ['u1', 'ghost'] }, { emoji: 'thumbs', users: ['u1'] }] }),
          message('m2', 2, { replyTo: 'm1' }),
          message('m3', 3, { replyTo: 'gone' }),
          message('m4', 4, { replyTo: 'm5' }),
          message('m5', 5),
        ),
      },
      { version: 3 },
    );
    const out = await pchatOk(['import', path('orphans.zip'), '--yes', '--data-dir', path('d'), '--json']);
    const result = JSON.parse(out.stdout);
    const notes = (result.notes as { code: string; item: { id: string }; message: string }[]).filter((n) => n.code === 'reply_parent_missing');
    assert.deepEqual(notes.map((n) => n.item.id), ['m3', 'm4']);
    assert.match(notes[0]!.message, /message "m3" answers message "gone", which is not earlier in its room; it is imported as a plain message/);
    const dropped = (JSON.parse(out.stdout).notes as { code: string; item: { id: string }; message: string }[]).filter((n) => n.code === 'reaction_dropped');
    assert.deepEqual(
      dropped.map((n) => [n.item.id, n.message]),
      [['m1', 'message "m1": reactions left out: 👍 by "ghost" (not users of the source); "thumbs" (not an emoji pchat keeps)']],
    );
    assert.deepEqual(shape(await roomMessages(path('d'), 'threads')), [
      ['m m1', null, 1, false, '👍×1'],
      ['m m2', 'm m1', 0, false, ''],
      ['m m3', null, 0, false, ''],
      ['m m4', null, 0, false, ''],
      ['m m5', null, 0, false, ''],
    ]);
  });
});
