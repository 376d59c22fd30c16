import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { normalisedRecords, openDir, pchat, seedDatabase } from '../helpers/interchange.js';

describe('export → import → export', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-roundtrip-'));
    await seedDatabase(path('a'), 700);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same records, and verify finds no difference', async () => {
    const exported = await pchat(['export', '--data-dir', path('a'), '--out', path('a.zip'), '--report', path('a.html')]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /700 messages/);
    const imported = await pchat(['import', path('a.zip'), '--yes', '--data-dir', path('b'), '--report', path('import.html')]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /700 messages added/);
    const again = await pchat(['export', '--data-dir', path('b'), '--out', path('b.zip')]);
    assert.equal(again.code, 0, again.stderr);
    const [a, b] = [await normalisedRecords(path('a.zip')), await normalisedRecords(path('b.zip'))];
    for (const type of Object.keys(a)) assert.deepEqual(b[type], a[type], `${type} differ after the round trip`);
    assert.equal(a.messages?.length, 700);
    const verified = await pchat(['verify', '--source', path('a.zip'), '--target', join(path('b'), 'pchat.db'), '--conflicts', path('c.json'), '--report', path('v.html')]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.deepEqual(JSON.parse(readFileSync(path('c.json'), 'utf8')).conflicts, []);
    assert.match(readFileSync(path('v.html'), 'utf8'), /no unexplained difference/);
    assert.doesNotMatch(readFileSync(path('v.html'), 'utf8'), /<b>not html<\/b>/, 'message text is escaped in reports');
  });

  it('importing the same archive again changes nothing', async () => {
    const second = await pchat(['import', path('a.zip'), '--yes', '--json', '--data-dir', path('b')]);
    assert.equal(second.code, 0, second.stderr);
    const outcome = JSON.parse(second.stdout);
    assert.equal(outcome.newMessages, 0);
    assert.deepEqual(Object.keys(outcome.actions), ['unchanged'], `every item unchanged: ${JSON.stringify(outcome.actions)}`);
    assert.equal(outcome.result.messagesAdded, 0);
    await pchat(['export', '--data-dir', path('b'), '--out', path('b2.zip')]);
    assert.deepEqual(await normalisedRecords(path('b2.zip')), await normalisedRecords(path('b.zip')));
  });

  it('a later archive of the same source adds only what is new', async () => {
    const local = await openDir(path('a'));
    const room = (await local.app.directory.snapshot()).rooms;
    const general = [...room.values()].find((r) => r.name === 'general')!;
    const alice = [...(await local.app.directory.snapshot()).users.values()].find((u) => u.login === 'alice@example.com')!;
    await local.store.messages.append([{ roomId: general.id, authorId: alice.id, kind: 'text', title: null, text: 'one more', createdAt: Date.now(), clientId: null, origin: null, keep: true }]);
    await local.app.rooms.update(SYSTEM_ACTOR, general.id, { description: 'now described' });
    await local.close();
    await pchat(['export', '--data-dir', path('a'), '--out', path('a2.zip')]);
    const plan = JSON.parse((await pchat(['import', path('a2.zip'), '--what-if', '--json', '--data-dir', path('b')])).stdout);
    assert.equal(plan.newMessages, 1);
    assert.deepEqual(plan.items.filter((i: { action: string }) => i.action !== 'unchanged').map((i: { name: string; action: string }) => [i.name, i.action]), [['general', 'update']]);
    const run = JSON.parse((await pchat(['import', path('a2.zip'), '--yes', '--json', '--data-dir', path('b')])).stdout);
    assert.equal(run.result.messagesAdded, 1);
    assert.equal((await pchat(['verify', '--source', path('a2.zip'), '--target', join(path('b'), 'pchat.db')])).code, 0);
  });

  it('verify exits non-zero and names the room when content differs', async () => {
    const local = await openDir(path('b'));
    const release = [...(await local.app.directory.snapshot()).rooms.values()].find((r) => r.name === 'release')!;
    const [first] = await local.store.messages.history({ roomId: release.id, limit: 1 });
    await local.store.messages.replaceText([first!.id], 'tampered');
    await local.close();
    const verified = await pchat(['verify', '--source', path('a2.zip'), '--target', join(path('b'), 'pchat.db'), '--json']);
    assert.equal(verified.code, 1);
    const out = JSON.parse(verified.stdout);
    assert.deepEqual(out.conflicts.map((c: { name: string; field: string }) => [c.name, c.field]), [['release', 'message digest']]);
  });
});
