import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser } from '../helpers/fixtures.js';
import { pchat, seedDatabase } from '../helpers/interchange.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

describe('an import into a running server', () => {
  let dir: string;
  let server: TestServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-live-import-'));
    await seedDatabase(join(dir, 'legacy'), 200);
    assert.equal((await pchat(['export', '--data-dir', join(dir, 'legacy'), '--out', join(dir, 'a.zip')])).code, 0);
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges older history into a live room in timestamp order, and live clients see imported rooms appear', async () => {
    const admin = await adminApi(server.url);
    // A live room whose name collides with an imported one: it is overwritten, and its history merged.
    const categoryId = await createCategory(admin, 'Live', { allowed: [] });
    const roomId = await createRoom(admin, 'general', categoryId, { privacy: 'open' });
    const ws = await WsClient.connect(server.url, admin.token);
    await ws.next((f) => f.type === 'ready');
    await ws.call({ type: 'join', roomId });
    const live = await ws.call({ type: 'post', roomId, text: 'posted live today' });
    assert.equal(live.type, 'ack');
    await createUser(admin, "watcher@example.com");

    const imported = await pchat(['import', join(dir, 'a.zip'), '--yes', '--json', '--database', server.database], { timeout: 120_000 });
    assert.equal(imported.code, 0, imported.stderr);
    const outcome = JSON.parse(imported.stdout);
    assert.ok(outcome.result.roomsRenumbered >= 1, 'the live room was renumbered');

    const merged = await ws.next((f) => f.type === 'room.historyMerged' && f.roomId === roomId, 5000);
    assert.equal(merged.roomId, roomId);
    const history = await ws.call({ type: 'history', roomId, limit: 500 });
    const texts: string[] = history.messages.map((m: { text: string }) => m.text);
    assert.equal(texts.at(-1), 'posted live today', 'the live message stays newest');
    assert.ok(texts.length > 1);
    const times: number[] = history.messages.map((m: { createdAt: number }) => m.createdAt);
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'history reads in timestamp order');
    const seqs: number[] = history.messages.map((m: { seq: number }) => m.seq);
    assert.ok(seqs.every((s) => s > live.message.seq), 'renumbered above the old highest seq');
    const next = await ws.call({ type: 'post', roomId, text: 'after the import' });
    assert.equal(next.message.seq, Math.max(...seqs) + 1);

    // Imported rooms appear in the running server's directory.
    const listed = (await admin.get('/api/v1/rooms')).body as { rooms: { name?: string; room?: { name: string } }[] };
    const names = listed.rooms.map((r) => r.name ?? r.room?.name);
    for (const name of ['release', 'incident', 'town hall']) assert.ok(names.includes(name), `${name} appears in ${names}`);
    ws.close();
  });
});
