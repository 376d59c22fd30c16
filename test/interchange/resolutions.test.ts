import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type ExportOptions, type RecordOf, type RecordType } from '../../src/interchange/archive/records.js';
import { writeArchive } from '../../src/interchange/archive/writer.js';
import { distinctName, distinguishingSuffix, shortenName } from '../../src/interchange/names.js';
import { parseRenames } from '../../src/interchange/renames.js';
import type { RecordSource } from '../../src/interchange/source.js';
import { pchat } from '../helpers/interchange.js';
import { writeDump } from './groupchat/helpers.js';

// Issue 16, point 1: one bad item never blocks the migration. Resolutions of item-level problems,
// the rename file, and --strict, through the real `pchat` executable on real SQLite databases.

import { cliWorkDir, longNameTables, P, Q, rooms } from './longNames.js';

describe('item-level problems: resolutions, renames and --strict', () => {
  const { path, ok } = cliWorkDir('resolutions');

  it('shortens a name to the limit with a stable suffix from the source id, keeping two long names with one prefix apart', () => {
    const base = `Cat / ${P} / ${Q}`;
    const a = shortenName(`${base} / oncall`, 'room', '11');
    const b = shortenName(`${base} / oncall-2`, 'room', '12');
    assert.equal(a, shortenName(`${base} / oncall`, 'room', '11'), 'the same on every run');
    assert.notEqual(a, b);
    assert.ok([...a].length <= 256 && [...b].length <= 256);
    assert.ok(a.endsWith(`… / oncall ${distinguishingSuffix('room', '11')}`), a);
    assert.match(distinguishingSuffix('room', '11'), /^~[0-9a-f]{8}$/);
    assert.notEqual(distinguishingSuffix('room', '11'), distinguishingSuffix('category', '11'));
    assert.equal(distinctName('Ops', 'group', '7'), `Ops ${distinguishingSuffix('group', '7')}`);
    // A name without segments is cut at the end.
    assert.equal([...shortenName('z'.repeat(400), 'group', '1')].length, 256);
  });

  it('reads a rename file strictly and names the line of every error', () => {
    const good = parseRenames('kind,source id,new name\r\nroom,11,"On-call, storage"\n\ncategory, 4 ,"The ""Q"" team"\nuser,100,Alice A.\nlogin,101,bob2@example.com\n', 'r.csv');
    assert.deepEqual(good.list.map((r) => [r.kind, r.id, r.name, r.line]), [['room', '11', 'On-call, storage', 2], ['category', '4', 'The "Q" team', 4], ['user', '100', 'Alice A.', 5], ['login', '101', 'bob2@example.com', 6]]);
    const bad: [string, RegExp][] = [
      ['room,1,x\n', /r\.csv line 1: the first line must be the header "kind,source id,new name"/],
      ['kind,source id,new name\nroom,1,a\nchannel,2,b\n', /r\.csv line 3: unknown kind "channel"/],
      ['kind,source id,new name\nroom,1\n', /r\.csv line 2: expected 3 fields \(kind, source id, new name\), found 2/],
      ['kind,source id,new name\nroom,1,a,b\n', /line 2: expected 3 fields/],
      ['kind,source id,new name\nroom,1,  \n', /line 2: the new name is empty/],
      ['kind,source id,new name\nroom,,a\n', /line 2: the source id must have 1 to 512 characters/],
      [`kind,source id,new name\nroom,1,a\nroom,2,${'n'.repeat(257)}\n`, /line 3: the new name has 257 characters; at most 256/],
      ['kind,source id,new name\nroom,1,a\u0007b\n', /line 2: the new name contains a control character/],
      ['kind,source id,new name\nroom,1,a\nroom,1,b\n', /line 3: room "1" is renamed on line 2 already/],
      ['kind,source id,new name\nroom,1,Same\nroom,2,same\n', /line 3: room "2" would get the name "same", which line 2 gives room "1"/],
      ['kind,source id,new name\nlogin,1,a b\n', /line 2: a login cannot contain spaces/],
      ['kind,source id,new name\nroom,1,"open\n', /line 2: a quoted field is not closed/],
      ['kind,source id,new name\nroom,1,say "hi"\n', /line 2: a quote inside an unquoted field at column 12/],
    ];
    for (const [text, error] of bad) assert.throws(() => parseRenames(text, 'r.csv'), error, text);
  });

  it('a dump with over-long room names migrates whole: the long rooms under shortened names, every message, idempotently; --strict refuses', async () => {
    const dump = await writeDump(path('long'), longNameTables());
    const archive = path('long.zip');
    const exported = await ok(['export', '--from', `groupchat-db:${dump}`, '--out', archive]);
    assert.doesNotMatch(exported, /error/i);

    // --what-if lists each item with its resolution, in text, JSON and the HTML report.
    const db = path('long-target');
    const whatIf = await ok(['import', archive, '--what-if', '--data-dir', db, '--report', path('what-if.html')]);
    assert.match(whatIf, /3 item-level problems, each resolved/);
    assert.match(whatIf, new RegExp(`shortened: room 11 "Cat / P+ / Q+… / oncall ${distinguishingSuffix('room', '11')}" \\(name_shortened\\): The room name "Cat / ${P} / ${Q} / oncall" has 278 characters`));
    assert.match(whatIf, /shortened: category 4 "Cat \/ P+ \/ Q+… ~[0-9a-f]{8}" \(name_shortened\)/);
    assert.match(whatIf, /shortened: room 12 /);
    const json = JSON.parse(await ok(['import', archive, '--what-if', '--json', '--data-dir', db])) as { errors: number; resolutions: { type: string; id: string; code: string; resolution: string; refused: boolean }[] };
    assert.equal(json.errors, 0);
    assert.deepEqual(json.resolutions.map((r) => [r.type, r.id, r.code, r.resolution, r.refused]), [['category', '4', 'name_shortened', 'shortened', false], ['room', '11', 'name_shortened', 'shortened', false], ['room', '12', 'name_shortened', 'shortened', false]]);
    const html = readFileSync(path('what-if.html'), 'utf8');
    assert.match(html, /Item-level problems and their resolutions/);
    assert.ok(html.includes(`The room name &quot;Cat / ${P} / ${Q} / oncall&quot;`), 'the report keeps the original name');

    // --strict: all or nothing, as before resolutions existed.
    const strictDb = path('strict-target');
    const strict = await pchat(['import', archive, '--yes', '--strict', '--data-dir', strictDb]);
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
    assert.match(strict.stdout, /3 item-level problems \(--strict: each refuses the import/);
    assert.match(strict.stdout, /Refused: 3 errors\. Nothing was changed\./);
    assert.deepEqual(rooms(join(strictDb, 'pchat.db')), []);

    const first = await ok(['import', archive, '--yes', '--data-dir', db]);
    assert.match(first, /5 messages added/);
    const imported = rooms(join(db, 'pchat.db'));
    assert.deepEqual(imported.map((r) => [r.origin, r.messages]), [['10', 2], ['11', 2], ['12', 1]]);
    const long11 = imported[1]!;
    assert.ok(long11.name.endsWith(`… / oncall ${distinguishingSuffix('room', '11')}`) && [...long11.name].length <= 256, long11.name);
    assert.notEqual(imported[2]!.name, long11.name);

    // A re-run finds every item by its origin: nothing new, the same rooms under the same names.
    const again = await ok(['import', archive, '--yes', '--data-dir', db]);
    assert.match(again, /Imported: 0 created, 0 updated, \d+ unchanged, 0 messages added/);
    assert.deepEqual(rooms(join(db, 'pchat.db')), imported);
    // Verify reads the dump again: the same shortened names, no difference.
    const verified = await pchat(['verify', '--source', `groupchat-db:${dump}`, '--data-dir', db]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });

  it('an item that cannot be imported is skipped with what depends on it, the rest migrates; --strict refuses it all', async () => {
    const archive = path('items.zip');
    await writeArchive(archive, memorySource({
      users: [user('u1'), user('u2'), user('u3', 'U1@example.com')],
      groups: [{ id: 'g1', name: 'team', description: '', origin: null }, { id: 'g2', name: 'Team', description: '', origin: null }],
      memberships: [{ group: 'g1', member: { kind: 'user', id: 'u1' } }, { group: 'g1', member: { kind: 'user', id: 'nobody' } }, { group: 'g1', member: { kind: 'group', id: 'g2' } }, { group: 'g2', member: { kind: 'group', id: 'g1' } }],
      addins: [{ id: 'a1', name: 'bad', url: 'javascript:alert(1)' }],
      categories: [{ id: 'c1', name: 'Cat', description: '', allowed: [{ kind: 'group', id: 'g1' }, { kind: 'user', id: 'ghost' }], denied: [], creators: [], invitations: true, fileUpload: true, chatHistory: true, origin: null }],
      rooms: [room('r1', 'c1', { addin: 'a1', members: [{ kind: 'user', id: 'u1' }, { kind: 'user', id: 'ghost' }] }), room('r2', 'nope'), room('r3', 'c1', { legacyUri: 'ma-chan://example.com/1' }), room('r4', 'c1', { legacyUri: 'ma-chan://example.com/1' })],
      messages: [msg('m1', 'r1', 1, 'u1'), msg('m2', 'r1', 2, 'ghost'), msg('m3', 'r1', 3, 'u2'), msg('m4', 'r2', 1, 'u1'), msg('m5', 'r2', 2, 'u1'), msg('m6', 'r9', 1, 'u1'), msg('m7', 'r3', 1, 'u3')],
    }), OPTIONS);

    const strictDb = path('items-strict');
    const strict = await pchat(['import', archive, '--yes', '--strict', '--data-dir', strictDb]);
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /Refused: \d+ errors\. Nothing was changed\./);
    assert.deepEqual(rooms(join(strictDb, 'pchat.db')), []);

    const db = path('items-target');
    const whatIf = JSON.parse(await ok(['import', archive, '--what-if', '--json', '--data-dir', db])) as { errors: number; resolutions: { type: string; id: string; code: string; resolution: string }[] };
    assert.equal(whatIf.errors, 0);
    const listed = whatIf.resolutions.map((r) => `${r.code} ${r.type} ${r.id}`);
    for (const expected of [
      'name_deduplicated user u3', // U1@example.com clashes with u1's login (ignoring case)
      'name_deduplicated group g2',
      'membership_skipped membership g1', // the member "nobody"
      'membership_skipped group g2', // closes the cycle g1 → g2 → g1
      'item_skipped addin a1',
      'reference_dropped category c1', // allowed names "ghost"
      'reference_dropped room r1', // the skipped add-in, and member "ghost"
      'item_skipped room r2',
      'legacy_uri_dropped room r4',
      'message_skipped message m2',
      'message_skipped room r2',
      'message_skipped room r9',
    ]) assert.ok(listed.includes(expected), `${expected} in ${listed.join(', ')}`);

    const run = await ok(['import', archive, '--yes', '--data-dir', db]);
    assert.match(run, /Imported: .* 3 messages added/);
    assert.match(run, /Written in one transaction while the archive was checked/, 'the bulk writer');
    assert.deepEqual(rooms(join(db, 'pchat.db')).map((r) => [r.origin, r.messages]), [['r1', 2], ['r3', 1], ['r4', 0]], 'r2 and its messages are skipped; m2 (unknown author) is skipped');
    const d = new Database(join(db, 'pchat.db'), { readonly: true });
    assert.deepEqual(d.prepare("SELECT addin_id, legacy_uri FROM rooms WHERE origin_id IN ('r1','r4') ORDER BY origin_id").all(), [{ addin_id: null, legacy_uri: null }, { addin_id: null, legacy_uri: null }]);
    assert.deepEqual(d.prepare("SELECT legacy_uri FROM rooms WHERE origin_id = 'r3'").get(), { legacy_uri: 'ma-chan://example.com/1' });
    assert.equal((d.prepare("SELECT login FROM users WHERE origin_id = 'u3'").get() as { login: string }).login, `U1@example.com${distinguishingSuffix('user', 'u3')}`);
    assert.equal((d.prepare('SELECT count(*) AS n FROM addins').get() as { n: number }).n, 0);
    d.close();
    assert.match(await ok(['import', archive, '--yes', '--data-dir', db]), /Imported: 0 created, 0 updated, \d+ unchanged, 0 messages added/);
    // Written batch by batch after the check (the other writer), the same items are skipped.
    const batched = path('items-batched');
    assert.match(await ok(['import', archive, '--yes', '--batched', '--data-dir', batched]), /Written batch by batch/);
    assert.deepEqual(rooms(join(batched, 'pchat.db')).map((r) => [r.origin, r.name, r.messages]), rooms(join(db, 'pchat.db')).map((r) => [r.origin, r.name, r.messages]));
  });
});

const OPTIONS: ExportOptions = { level: 'all', scope: [], startDate: null, disableExported: false };
const user = (id: string, login = `${id}@example.com`): RecordOf['users'] => ({ id, login, displayName: id, email: null, disabled: false, isAdmin: false, origin: null });
const room = (id: string, category: string, o: Partial<RecordOf['rooms']> = {}): RecordOf['rooms'] => ({
  id, name: `room ${id}`, description: '', category, privacy: 'open', type: 'normal', members: [], managers: [], presenters: [], invitations: 'inherit', addin: null, disabled: false, createdAt: '2012-01-01T00:00:00.000Z', origin: null, ...o,
});
const msg = (id: string, roomId: string, seq: number, author: string): RecordOf['messages'] => ({ id, room: roomId, seq, author, at: new Date(Date.UTC(2012, 0, 1) + seq * 1000).toISOString(), kind: 'text', title: null, text: `text ${id}`, origin: null });

/** Records held in memory as a source (the archive writer writes them as any export would). */
function memorySource(records: Partial<{ [T in RecordType]: RecordOf[T][] }>): RecordSource {
  return {
    description: { system: 'test', version: '1', instance: 'resolutions' },
    records: (async function* <T extends RecordType>(type: T) {
      yield* (records[type] ?? []) as RecordOf[T][];
    }) as RecordSource['records'],
    close: async () => {},
  };
}

