import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { distinguishingSuffix } from '../../../src/interchange/names.js';
import { groupChatSource } from '../../../src/interchange/sources/groupchat/source.js';
import { pchat } from '../../helpers/interchange.js';
import { cliWorkDir } from '../longNames.js';
import { all, baseTables, chat, group, tempDir, user, writeDump } from './helpers.js';

// A display name of 300 characters (code points: the astral ones count once), one of exactly 256.
const LONG = `Dr. ${'𝒵'.repeat(10)}${'Z'.repeat(286)}`;
const EXACT = 'E'.repeat(256);

/** The base dump with user 102, whose display name is over 256 characters, and user 103 at exactly 256 (both write a message), and group 201 named with 300 characters. */
function longDisplayNameTables() {
  const t = baseTables();
  const carol = user(102, 'carol@example.com');
  carol[4] = LONG;
  const dave = user(103, 'dave@example.com');
  dave[4] = EXACT;
  t.tblPrincipal.rows.push(carol, dave, group(201, 'G'.repeat(300)));
  t.tblPrincipalAffiliations.rows.push([102, 102, -1, 1], [103, 103, -1, 1]);
  t.tblChat.rows.push(chat(10, 3, 102, 'from carol'), chat(10, 4, 103, 'from dave'));
  return t;
}

const SHORTENED = `Dr. ${'𝒵'.repeat(10)}${'Z'.repeat(256 - 4 - 10 - 1 - 10)}… ${distinguishingSuffix('user', '102')}`;

describe('groupchat dump: a user display name or a group name over 256 characters', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  it('is shortened to 256 with the item\'s suffix and reported with the original, not cut silently; 256 is kept', async () => {
    const source = await groupChatSource(await writeDump(dir, longDisplayNameTables()));
    try {
      const users = await all(source, 'users');
      const carol = users.find((u) => u.id === '102')!;
      assert.equal(carol.displayName, SHORTENED);
      assert.equal([...carol.displayName].length, 256);
      assert.equal(users.find((u) => u.id === '103')!.displayName, EXACT);
      const groupName = (await all(source, 'groups')).find((g) => g.id === '201')!.name;
      assert.equal(groupName, `${'G'.repeat(245)}… ${distinguishingSuffix('group', '201')}`, 'a group name the same way');
      const notes = (await all(source, 'notes')).filter((n) => n.code === 'name_shortened');
      assert.deepEqual(notes.map((n) => n.item?.type), ['user', 'group'], JSON.stringify(notes));
      assert.ok(notes[1]!.message.includes(`the original: "${'G'.repeat(300)}"`), notes[1]!.message);
      const note = notes[0]!;
      assert.equal(note.severity, 'conversion');
      assert.deepEqual(note.item, { type: 'user', id: '102', name: 'carol@example.com' });
      assert.ok(note.message.includes(`the original: "${LONG}"`), note.message);
      assert.ok(note.message.includes(`shortened to "${SHORTENED}"`), note.message);
      assert.match(note.message, /has 300 characters; at most 256/);
    } finally {
      await source.close();
    }
  });

  describe('through the CLI', () => {
    const { path, ok } = cliWorkDir('long-display-name');

    it('--what-if lists it with its resolution, the import stores the shortened name, verify finds no difference; --strict refuses', async () => {
      const dump = await writeDump(path('gc'), longDisplayNameTables());
      const archive = path('long.zip');
      await ok(['export', '--from', `groupchat-db:${dump}`, '--out', archive]);
      const db = path('target');
      const json = JSON.parse(await ok(['import', archive, '--what-if', '--json', '--data-dir', db])) as { errors: number; resolutions: { type: string; id: string; code: string; resolution: string }[] };
      assert.equal(json.errors, 0);
      assert.deepEqual(json.resolutions.map((r) => [r.type, r.id, r.code, r.resolution]).sort(), [['group', '201', 'name_shortened', 'shortened'], ['user', '102', 'name_shortened', 'shortened']]);

      const strict = await pchat(['import', archive, '--yes', '--strict', '--data-dir', path('strict')]);
      assert.equal(strict.code, 1, strict.stdout + strict.stderr);

      assert.match(await ok(['import', archive, '--yes', '--data-dir', db]), /4 messages added/);
      const stored = new Database(join(db, 'pchat.db'), { readonly: true });
      try {
        const names = stored.prepare("SELECT origin_id AS origin, display_name AS name FROM users WHERE origin_id IN ('102', '103') ORDER BY origin_id").all();
        assert.deepEqual(names, [{ origin: '102', name: SHORTENED }, { origin: '103', name: EXACT }]);
      } finally {
        stored.close();
      }
      const verified = await pchat(['verify', '--source', `groupchat-db:${dump}`, '--data-dir', db]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    });

    it('a display-name rename replaces the shortening note; a login rename of the same user leaves it', async () => {
      const dump = await writeDump(path('gc-renamed'), longDisplayNameTables());
      const shortened = async (renames: string, name: string) => {
        const file = path(`${name}.csv`);
        writeFileSync(file, `kind,source id,new name\n${renames}\n`);
        const archive = path(`${name}.zip`);
        await ok(['export', '--from', `groupchat-db:${dump}`, '--out', archive, '--renames', file]);
        const json = JSON.parse(await ok(['import', archive, '--what-if', '--json', '--data-dir', path(`${name}-db`)])) as { resolutions: { type: string; id: string; code: string }[] };
        return json.resolutions.filter((r) => r.type === 'user' && r.id === '102').map((r) => r.code).sort();
      };
      assert.deepEqual(await shortened('user,102,Dr. Carol', 'display'), ['name_renamed'], 'the administrator chose the display name');
      assert.deepEqual(await shortened('login,102,carol.c@example.com', 'login'), ['name_renamed', 'name_shortened'], 'the display name is still the shortened one');
    });
  });
});

describe('groupchat dump: two groups sharing a name of 254 characters', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  it('tells the second apart with " (<prinID>)", the name giving way so the suffix survives', async () => {
    const NAME = 'H'.repeat(254);
    const t = baseTables();
    t.tblPrincipal.rows.push(group(201, NAME), group(202, NAME));
    const source = await groupChatSource(await writeDump(dir, t));
    try {
      const groups = await all(source, 'groups');
      assert.equal(groups.find((g) => g.id === '201')!.name, NAME);
      const renamed = groups.find((g) => g.id === '202')!.name;
      assert.equal(renamed, `${'H'.repeat(256 - 6 - 1)}… (202)`);
      assert.equal([...renamed].length, 256);
      const note = (await all(source, 'notes')).find((n) => n.code === 'group_renamed');
      assert.deepEqual(note?.item, { type: 'group', id: '202', name: renamed });
      assert.ok(note.message.includes(`shares the name "${NAME}"`) && note.message.endsWith(`renamed "${renamed}".`), note.message);
    } finally {
      await source.close();
    }
  });
});
