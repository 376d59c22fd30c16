import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { normalisedRecords, pchat } from '../helpers/interchange.js';
import { writeDump } from './groupchat/helpers.js';
import { cliWorkDir, longNameTables, rooms } from './longNames.js';

// Issue 16, point 1: the rename file (--renames), through the real `pchat` executable on real
// SQLite databases: plan, export, import, verify and the guided run apply the same names.

describe('the rename file', () => {
  const { path, ok } = cliWorkDir('renames');

  it('a rename file applies in plan, export, import and verify alike; a renamed item stays the same item on a re-run', async () => {
    const dump = await writeDump(path('renamed'), longNameTables());
    const renames = path('renames.csv');
    writeFileSync(renames, 'kind,source id,new name\nroom,11,Storage on-call\ncategory,4,"Platform, storage"\nuser,100,Alice Example\n');
    const db = path('renamed-target');
    // Import an archive made without the renames, then with them: the rooms are updated in place.
    const plain = path('plain.zip');
    await ok(['export', '--from', `groupchat-db:${dump}`, '--out', plain]);
    await ok(['import', plain, '--yes', '--data-dir', db]);
    const before = rooms(join(db, 'pchat.db'));

    const whatIf = await ok(['import', plain, '--what-if', '--renames', renames, '--data-dir', db]);
    assert.match(whatIf, /renamed: room 11 "Storage on-call" \(name_renamed\): room 11: name "Cat \/ P+ \/ Q+… \/ oncall ~[0-9a-f]{8}" set to "Storage on-call" by .*renames\.csv line 2/);
    assert.doesNotMatch(whatIf, /shortened: room 11 /, 'the rename replaces the shortening');
    assert.match(whatIf, /shortened: room 12 /);
    await ok(['import', plain, '--yes', '--renames', renames, '--data-dir', db]);
    const after_ = rooms(join(db, 'pchat.db'));
    assert.deepEqual(after_.map((r) => [r.id, r.origin, r.messages]), before.map((r) => [r.id, r.origin, r.messages]), 'the same rooms, nothing twice');
    assert.equal(after_.find((r) => r.origin === '11')!.name, 'Storage on-call');
    const d = new Database(join(db, 'pchat.db'), { readonly: true });
    assert.deepEqual(d.prepare("SELECT name FROM categories WHERE origin_id = '4'").get(), { name: 'Platform, storage' });
    assert.deepEqual(d.prepare("SELECT display_name FROM users WHERE origin_id = '100'").get(), { display_name: 'Alice Example' });
    d.close();
    // Re-run with the same renames: unchanged.
    assert.match(await ok(['import', plain, '--yes', '--renames', renames, '--data-dir', db]), /Imported: 0 created, 0 updated, \d+ unchanged, 0 messages added/);

    // Verify without the renames sees the renamed items as differences; with them, none.
    const unrenamed = await pchat(['verify', '--source', `groupchat-db:${dump}`, '--data-dir', db]);
    assert.equal(unrenamed.code, 1);
    assert.match(unrenamed.stdout, /Storage on-call/);
    await ok(['verify', '--source', `groupchat-db:${dump}`, '--renames', renames, '--data-dir', db]);

    // Export with the renames writes the chosen names (and the notes that say so) into the archive.
    const renamedArchive = path('renamed.zip');
    await ok(['export', '--from', `groupchat-db:${dump}`, '--renames', renames, '--out', renamedArchive]);
    const records = await normalisedRecords(renamedArchive);
    assert.ok((records.rooms as { name: string }[]).some((r) => r.name === 'Storage on-call'));
    assert.ok((records.notes as { code: string; item: { id: string } | null }[]).some((n) => n.code === 'name_renamed' && n.item?.id === '11'));
    assert.ok(!(records.notes as { code: string; item: { id: string } | null }[]).some((n) => n.code === 'name_shortened' && n.item?.id === '11'));
    await ok(['verify', '--source', renamedArchive, '--data-dir', db]);

    // migrate plan keeps the file's text in the plan and lists the renames with the other resolutions.
    const planFile = path('plan.json');
    const planned = await ok(['migrate', 'plan', '--from', `groupchat-db:${dump}`, '--to', join(db, 'pchat.db'), '--renames', renames, '--calibrate', '10', '--out', planFile]);
    assert.match(planned, /Item-level problems and the resolution that will apply; everything else migrates \(4\):/);
    assert.match(planned, /renamed: room 11 "Storage on-call"/);
    assert.match(planned, /shortened: room 12 /);
    assert.match(planned, /Rename file: .*renames\.csv \(kept in this plan; every step applies it\)/);
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { renames: { text: string }; resolutions: { code: string }[]; errors: unknown[] };
    assert.equal(plan.renames.text, readFileSync(renames, 'utf8'));
    assert.deepEqual(plan.errors, []);

    // The guided run applies the planned renames in its export and verify steps (into a new target here).
    const fresh = path('renamed-fresh');
    await ok(['export', '--data-dir', fresh, '--out', path('empty.zip')]); // creates the target database
    const freshPlan = path('fresh-plan.json');
    await ok(['migrate', 'plan', '--from', `groupchat-db:${dump}`, '--to', join(fresh, 'pchat.db'), '--to-config', path('fresh.config.json'), '--renames', renames, '--calibrate', '10', '--out', freshPlan]);
    writeFileSync(renames, 'kind,source id,new name\nroom,11,changed after planning\n'); // the plan kept the text it was made with
    const guided = await pchat(['migrate', 'run', '--plan', freshPlan, '--legacy-stopped', '--yes', '--stop-before', 'cut-over', '--json']);
    assert.equal(guided.code, 0, guided.stdout + guided.stderr);
    const state = JSON.parse(guided.stdout) as { verify: { ok: boolean; conflicts: number } };
    assert.deepEqual([state.verify.ok, state.verify.conflicts], [true, 0], 'verify applied the same renames as the export');
    assert.equal(rooms(join(fresh, 'pchat.db')).find((r) => r.origin === '11')!.name, 'Storage on-call');
  });

  it('a rename line naming an item the source does not have is an error naming the line, in every command, before anything is written', async () => {
    const dump = await writeDump(path('unknown-rename'), longNameTables());
    const renames = path('unknown.csv');
    writeFileSync(renames, 'kind,source id,new name\nroom,11,fine\nroom,999,nowhere\n');
    const pattern = /unknown\.csv line 3: there is no room with the source id "999" in the source/;
    const out = path('never.zip');
    const exported = await pchat(['export', '--from', `groupchat-db:${dump}`, '--renames', renames, '--out', out]);
    assert.equal(exported.code, 1);
    assert.match(exported.stderr, pattern);
    assert.throws(() => readFileSync(out), /ENOENT/, 'no archive is written');
    const archive = path('unknown-plain.zip');
    await ok(['export', '--from', `groupchat-db:${dump}`, '--out', archive]);
    const db = path('unknown-target');
    const imported = await pchat(['import', archive, '--yes', '--renames', renames, '--data-dir', db]);
    assert.equal(imported.code, 1);
    assert.match(imported.stderr, pattern);
    assert.deepEqual(rooms(join(db, 'pchat.db')), [], 'nothing was written');
    const verified = await pchat(['verify', '--source', archive, '--renames', renames, '--data-dir', db]);
    assert.equal(verified.code, 1);
    assert.match(verified.stderr, pattern);
    writeFileSync(path('bad-kind.csv'), 'kind,source id,new name\nchannel,11,x\n');
    const badKind = await pchat(['import', archive, '--what-if', '--renames', path('bad-kind.csv'), '--data-dir', db]);
    assert.equal(badKind.code, 1);
    assert.match(badKind.stderr, /bad-kind\.csv line 2: unknown kind "channel"/);
  });

});
