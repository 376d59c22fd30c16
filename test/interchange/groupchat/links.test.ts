import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { messageLines } from '../../../src/protocols/irc/present.js';
import { chatText } from '../../../src/protocols/sip/xccos/present.js';
import { openDir, pchat } from '../../helpers/interchange.js';
import { baseTables, chat, tempDir, writeDump } from './helpers.js';

describe('groupchat dump: links keep their label and target through export, import and every client', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  it('carries <a href> as an inline link that the web client links, and IRC and SIP show as label (url); verify agrees', async () => {
    const t = baseTables();
    t.tblChat.rows.splice(
      0,
      2,
      chat(10, 1, 100, 'See <a href="https://example.com/plan?a=1&amp;b=2">the plan</a> and <a href="https://example.com/x">https://example.com/x</a>.'),
      chat(10, 2, 101, 'Typed, not a link: [click](javascript:alert(1)) and label (https://old.example/form)'),
    );
    const dump = await writeDump(dir, t);
    const archive = join(dir, 'links.zip');
    assert.equal((await pchat(['export', '--from', `groupchat-db:${dump}`, '--out', archive])).code, 0);
    const data = join(dir, 'target');
    const imported = await pchat(['import', archive, '--yes', '--data-dir', data]);
    assert.equal(imported.code, 0, imported.stderr);

    const local = await openDir(data);
    try {
      const room = [...(await local.app.directory.snapshot()).rooms.values()].find((r) => r.name === 'room')!;
      const [linked, typed] = await local.store.messages.history({ roomId: room.id, limit: 10 });
      assert.equal(linked!.text, 'See [the plan](https://example.com/plan?a=1&b=2) and https://example.com/x.');
      assert.equal(typed!.text, 'Typed, not a link: [click](javascript:alert(1)) and label (https://old.example/form)', 'text that is not the form stays as written');
      const plain = 'See the plan (https://example.com/plan?a=1&b=2) and https://example.com/x.';
      assert.deepEqual(messageLines(linked!, 400), [plain], 'IRC');
      assert.equal(chatText(linked!, 'https://chat.example.com'), plain, 'SIP (Lync clients)');
      assert.deepEqual(messageLines(typed!, 400), [typed!.text]);
    } finally {
      await local.close();
    }
    const verified = await pchat(['verify', '--source', `groupchat-db:${dump}`, '--target', join(data, 'pchat.db'), '--json']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });
});
