import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { craft } from '../helpers/craftArchive.js';
import { normalisedRecords, pchat, seedDatabase } from '../helpers/interchange.js';

const user = (id: string, login = `${id}@example.com`) => JSON.stringify({ id, login, displayName: id, email: null, disabled: false, isAdmin: false, origin: null });
const category = (id: string) =>
  JSON.stringify({ id, name: `cat ${id}`, description: '', allowed: [], denied: [], creators: [], invitations: true, fileUpload: true, chatHistory: true, origin: null });
const room = (id: string, cat = 'c1') =>
  JSON.stringify({ id, name: `room ${id}`, description: '', category: cat, privacy: 'open', type: 'normal', members: [], managers: [], presenters: [], invitations: 'inherit', addin: null, disabled: false, createdAt: '2020-01-01T00:00:00.000Z', origin: null });
const message = (id: string, roomId: string, seq: number, author = 'u1') =>
  JSON.stringify({ id, room: roomId, seq, author, at: '2020-01-01T00:00:00.000Z', kind: 'text', title: null, text: `m ${id}`, origin: null });
const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('import refuses bad archives and leaves the target exactly as it was', () => {
  let dir: string;
  let before_: Record<string, unknown[]>;
  const path = (name: string) => join(dir, name);
  const target = () => path('target');
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-bad-archive-'));
    await seedDatabase(target(), 50);
    assert.equal((await pchat(['export', '--data-dir', target(), '--out', path('before.zip')])).code, 0);
    before_ = await normalisedRecords(path('before.zip'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refused = async (file: string, pattern: RegExp) => {
    const run = await pchat(['import', file, '--yes', '--data-dir', target()]);
    assert.notEqual(run.code, 0, `import of ${file} should fail:\n${run.stdout}`);
    assert.match(run.stdout + run.stderr, pattern);
    const check = path(`after-${Math.random()}.zip`);
    assert.equal((await pchat(['export', '--data-dir', target(), '--out', check])).code, 0);
    assert.deepEqual(await normalisedRecords(check), before_, 'the target is unchanged');
    return run;
  };

  it('a truncated zip', async () => {
    await pchat(['export', '--data-dir', target(), '--out', path('good.zip')]);
    writeFileSync(path('truncated.zip'), readFileSync(path('good.zip')).subarray(0, Math.floor(statSync(path('good.zip')).size / 2)));
    await refused(path('truncated.zip'), /not a readable zip archive|corrupt/);
  });

  it('a corrupt entry (flipped bytes inside the compressed data)', async () => {
    await pchat(['export', '--data-dir', target(), '--out', path('flip.zip')]);
    const bytes = readFileSync(path('flip.zip'));
    for (let i = 200; i < 260; i++) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(path('flip.zip'), bytes);
    await refused(path('flip.zip'), /invalid_archive/);
  });

  it('a checksum mismatch', async () => {
    const users = lines(user('u1'));
    await craft(path('sha.zip'), { 'users.ndjson': users }, {}, { 'users.ndjson': { records: 1, sha256: '0'.repeat(64), bytes: Buffer.byteLength(users) } });
    await refused(path('sha.zip'), /users\.ndjson does not match its SHA-256/);
  });

  it('an unknown format version', async () => {
    await craft(path('v9.zip'), { 'users.ndjson': lines(user('u1')) }, { version: 9 });
    await refused(path('v9.zip'), /format version 9 is not supported/);
  });

  it('an entry that tries to escape the target directory', async () => {
    // zip writers refuse such names, so write a harmless one of the same length and patch it in.
    await craft(path('slip.zip'), { 'users.ndjson': lines(user('u1')), 'xx/xx/etc/evil.ndjson': 'x\n' });
    const bytes = readFileSync(path('slip.zip'));
    writeFileSync(path('slip.zip'), Buffer.from(bytes.toString('latin1').replaceAll('xx/xx/etc/', '../../etc/'), 'latin1'));
    const run = await refused(path('slip.zip'), /has a path|invalid relative path|refused/);
    assert.equal(existsSync('/etc/evil.ndjson'), false);
    void run;
  });

  it('a decompression bomb', async () => {
    const bomb = Buffer.alloc(64 << 20, 0x20); // 64 MiB of spaces deflate about 1000-fold
    await craft(path('bomb.zip'), { 'messages.ndjson': bomb }, {}, { 'messages.ndjson': { records: 0, sha256: createHash('sha256').update(bomb).digest('hex'), bytes: bomb.length } });
    assert.ok(statSync(path('bomb.zip')).size < 1 << 20);
    await refused(path('bomb.zip'), /decompression bomb/);
  });

  it('a malformed line, named by file and line', async () => {
    await craft(path('json.zip'), { 'users.ndjson': lines(user('u1'), '{"id": "u2", oops', user('u3')) });
    await refused(path('json.zip'), /users\.ndjson line 2: not valid JSON/);
  });

  it('a record with a wrong field, named by file, line and field', async () => {
    await craft(path('field.zip'), { 'users.ndjson': lines(user('u1'), user('u2').replace('"disabled":false', '"disabled":"no"')) });
    await refused(path('field.zip'), /users\.ndjson line 2: field "disabled"/);
  });

  it('references to missing items and duplicate ids', async () => {
    await craft(path('refs.zip'), {
      'users.ndjson': lines(user('u1'), user('u1', 'other@example.com')),
      'categories.ndjson': lines(category('c1')),
      'rooms.ndjson': lines(room('r1'), room('r2', 'nope')),
      'messages.ndjson': lines(message('m1', 'r1', 1), message('m2', 'r1', 2, 'ghost'), message('m2', 'r1', 3), message('m4', 'r9', 1)),
    });
    // Duplicate ids are the archive's own damage: they refuse it. The item-level problems are listed with their resolutions.
    const run = await refused(path('refs.zip'), /Refused: 2 errors/);
    assert.match(run.stdout, /duplicate user id "u1"/);
    assert.match(run.stdout, /duplicate message id "m2"/);
    assert.match(run.stdout, /skipped: room r2 "room r2" \(item_skipped\): room "room r2" is in category "nope", which is not in the source/);
    assert.match(run.stdout, /skipped: message m2 \(message_skipped\): message "m2" is by user "ghost", who is not in the source/);
    assert.match(run.stdout, /skipped: room r9 "r9" \(message_skipped\): 1 message\(s\) skipped: room "r9" is not in the source/);
  });

  it('a truncated file (fewer bytes than the manifest says)', async () => {
    const users = lines(user('u1'), user('u2'));
    await craft(path('short.zip'), { 'users.ndjson': users }, {}, { 'users.ndjson': { records: 2, sha256: createHash('sha256').update(users).digest('hex'), bytes: Buffer.byteLength(users) + 10 } });
    await refused(path('short.zip'), /manifest says/);
  });

  it('an unknown source kind, for export and for verify', async () => {
    for (const args of [['export', '--from', 'nosuch:dir', '--out', path('x.zip')], ['verify', '--source', 'nosuch:dir']]) {
      const run = await pchat([...args, '--data-dir', target()]);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /unknown source kind "nosuch"; known: groupchat-db/);
    }
    assert.equal(existsSync(path('x.zip')), false);
  });

  it('not an archive at all', async () => {
    writeFileSync(path('text.zip'), 'hello');
    await refused(path('text.zip'), /not a readable zip archive/);
    truncateSync(path('text.zip'), 0);
  });
});
