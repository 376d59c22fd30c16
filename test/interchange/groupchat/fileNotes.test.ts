import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { groupChatSource } from '../../../src/interchange/sources/groupchat/source.js';
import { all, baseTables, chat, tempDir, writeDump } from './helpers.js';

// Issue 18: a file note says what the message carries. A message that names its one file twice
// (the link and the link again as its label, say) carries that file: no note may say a file of it
// is not carried. A second, different file is not carried and is said so.

describe('the group chat file notes', () => {
  let work: { dir: string; done: () => Promise<void> };
  before(async () => {
    work = await tempDir();
  });
  after(() => work.done());

  it('say "not attached" only of a file the message does not carry', async () => {
    const t = baseTables();
    t.tblChat.rows = [
      chat(10, 1, 100, 'ma-filelink://x/c/one.txt (again: ma-filelink://x/c/one.txt)'),
      chat(10, 2, 101, 'two: ma-filelink://x/c/one.txt and ma-filelink://x/c/two.txt'),
    ];
    const dump = await writeDump(work.dir, t);
    mkdirSync(join(dump, 'filestore', 'c'), { recursive: true });
    writeFileSync(join(dump, 'filestore', 'c', 'one.txt'), 'one');
    writeFileSync(join(dump, 'filestore', 'c', 'two.txt'), 'two');
    const source = await groupChatSource(dump);
    try {
      const messages = await all(source, 'messages');
      assert.deepEqual(messages.map((m) => [m.id, m.file?.name]), [['10:1', 'one.txt'], ['10:2', 'one.txt']]);
      const notes = (await all(source, 'notes')).filter((n) => n.severity === 'file');
      assert.deepEqual(notes.map((n) => [n.code, n.item?.id]), [['file_not_attached', '10:2']], 'the file 10:1 names twice is carried');
      assert.match(notes[0]!.message, /^File "two\.txt" of message 10:2 .* it carries "one\.txt" and this one is not carried/);
    } finally {
      await source.close();
    }
  });
});
