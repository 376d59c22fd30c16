import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { NewSession } from '../../src/ports/store.js';
import { type Db, openDatabase, withoutFsync } from '../../src/storage/sqlite/database.js';
import { sqliteNodes } from '../../src/storage/sqlite/nodes.js';
import { sqliteSessions } from '../../src/storage/sqlite/sessions.js';

/** A throwaway database in its own directory, removed after the suite. */
function throwawayDatabase(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'pchat-fsync-'));
  const db = openDatabase(join(dir, 'pchat.db'));
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

/**
 * What happens on `db`, in order: each change of `synchronous` (db.pragma is wrapped to note it
 * before passing it on) and each row `triggers` note (temporary triggers that call
 * `note_write(...)`). A row written between "NORMAL" and the setting put back was committed at
 * NORMAL. Answers the list (empty it between steps) and the unwrapped pragma.
 */
function recordWrites(db: Db, triggers: string): { events: string[]; pragma: Db['pragma'] } {
  const events: string[] = [];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: { simple?: boolean }) => {
    if (source.includes('=')) events.push(source.replace(/\s+/g, ' '));
    return pragma(source, options);
  }) as typeof db.pragma;
  db.function('note_write', (what: string) => (events.push(what), 0));
  db.exec(triggers);
  return { events, pragma };
}

// Connections' session rows commit without an fsync; every other write must keep the configured FULL.
describe('sqlite: withoutFsync relaxes only its own commits', () => {
  const db = throwawayDatabase();
  const level = () => db.pragma('synchronous', { simple: true });

  it('commits at NORMAL inside, and puts FULL back after, also when the write throws', () => {
    assert.equal(level(), 2, 'the store opens at FULL');
    assert.equal(withoutFsync(db, () => level()), 1);
    assert.equal(level(), 2);
    assert.throws(() => withoutFsync(db, () => { throw new Error('write failed'); }), /write failed/);
    assert.equal(level(), 2);
  });
});

// The session store's connection writes go through withoutFsync; its other writes do not.
describe('sqlite: connection session rows commit at NORMAL, other session writes at FULL', () => {
  const db = throwawayDatabase();
  const userId = Number(db.prepare("INSERT INTO users (login, display_name, created_at) VALUES ('alice@example.com', 'Alice', 0)").run().lastInsertRowid);
  const session = (tokenHash: string): NewSession => ({
    tokenHash,
    userId,
    kind: 'irc',
    createdAt: 1_000_000,
    expiresAt: 9_000_000,
    userAgent: null,
    address: '192.0.2.7',
  });
  const { events, pragma } = recordWrites(
    db,
    `CREATE TEMP TRIGGER note_insert AFTER INSERT ON sessions BEGIN SELECT note_write('insert ' || NEW.token_hash); END;
     CREATE TEMP TRIGGER note_delete AFTER DELETE ON sessions BEGIN SELECT note_write('delete ' || OLD.token_hash); END;`,
  );
  const sessions = sqliteSessions(db);
  const level = () => pragma('synchronous', { simple: true });

  it('createMany and removeMany write between setting NORMAL and putting FULL back; create does not', async () => {
    assert.equal(level(), 2, 'the store opens at FULL');
    events.length = 0;
    const created = await sessions.createMany([session('conn-1'), session('conn-2')], 0);
    assert.deepEqual(events, ['synchronous = NORMAL', 'insert conn-1', 'insert conn-2', 'synchronous = 2']);
    events.length = 0;
    await sessions.removeMany(created.map((s) => s.id));
    assert.deepEqual(events, ['synchronous = NORMAL', 'delete conn-1', 'delete conn-2', 'synchronous = 2']);
    events.length = 0;
    await sessions.create({ ...session('browser-1'), kind: 'token' }, 0);
    assert.deepEqual(events, ['insert browser-1'], 'a sign-in session commits at the configured FULL');
    assert.equal(level(), 2);
  });
});

// A node's heartbeat (every 5 s, even when idle) commits without an fsync; registering does not.
describe('sqlite: node heartbeats commit at NORMAL, registration at FULL', () => {
  const db = throwawayDatabase();
  const { events } = recordWrites(
    db,
    `CREATE TEMP TRIGGER note_node_insert AFTER INSERT ON nodes BEGIN SELECT note_write('insert ' || NEW.name); END;
     CREATE TEMP TRIGGER note_node_update AFTER UPDATE ON nodes BEGIN SELECT note_write('update ' || NEW.name); END;`,
  );
  const nodes = sqliteNodes(db);

  it('writes the heartbeat between setting NORMAL and putting FULL back', async () => {
    const connections = { websocket: 0, irc: 0 };
    await nodes.register({ name: 'node-a', host: 'a', pid: 1, startedAt: 1, heartbeatAt: 1, connections });
    assert.deepEqual(events, ['insert node-a'], 'registration commits at the configured FULL');
    events.length = 0;
    assert.equal(await nodes.heartbeat('node-a', 2, connections), true);
    assert.deepEqual(events, ['synchronous = NORMAL', 'update node-a', 'synchronous = 2']);
  });
});
