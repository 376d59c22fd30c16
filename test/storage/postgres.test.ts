import { postgresMigrations } from '../../src/storage/migrations/postgres/index.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PchatError } from '../../src/core/errors.js';
import type { Store } from '../../src/ports/store.js';
import { post, seedRoom } from '../../src/storage/contract/harness.js';
import { tsQuery } from '../../src/storage/postgres/search.js';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { searchTerms } from '../../src/app/search.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

describe('postgres specifics', () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  /** A store on a schema of its own, and a raw client on the same schema. */
  async function open(): Promise<{ store: Store; raw: pg.Client; url: string; done: () => Promise<void> }> {
    const url = await cluster.createSchema();
    const store = await createPostgresStore(url);
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    return {
      store,
      raw,
      url,
      done: async () => {
        await raw.end();
        await store.close();
        cluster.drop(url);
      },
    };
  }

  it('makes the compliance and audit logs immutable even to raw SQL', async () => {
    const { store, raw, done } = await open();
    try {
      await store.compliance.append([{ type: 'JOIN', roomId: 1, userId: 1, at: 1, data: null }]);
      await assert.rejects(raw.query("UPDATE compliance SET type = 'PART'"), /append-only/);
      await assert.rejects(raw.query('DELETE FROM compliance'), /append-only/);
      await assert.rejects(raw.query('TRUNCATE compliance'), /append-only/);
      assert.equal((await raw.query('SELECT count(*)::int AS n FROM compliance')).rows[0].n, 1);
      await raw.query("INSERT INTO audit (at, actor_id, is_admin, action, outcome) VALUES (1, 0, true, 'x', 'ok')");
      await assert.rejects(raw.query('DELETE FROM audit'), /append-only/);
      await assert.rejects(raw.query("UPDATE audit SET outcome = 'forged'"), /append-only/);
    } finally {
      await done();
    }
  });

  it('migrates a fresh database once, even when two processes start at once', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all([createPostgresStore(url), createPostgresStore(url), createPostgresStore(url)]);
    await Promise.all(stores.map((s) => s.close()));
    const again = await createPostgresStore(url);
    await again.close();
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      const { rows } = await raw.query('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), postgresMigrations.map((m) => m.version).sort((a, b) => a - b));
    } finally {
      await raw.end();
      cluster.drop(url);
    }
  });

  it('refuses a database written by a newer pchat', async () => {
    const { raw, url, done } = await open();
    try {
      await raw.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)");
      await assert.rejects(
        createPostgresStore(url),
        (error: unknown) => error instanceof PchatError && /The database schema \(version 99\) is newer than this pchat/.test(error.message),
      );
    } finally {
      await done();
    }
  });

  it('refuses a database that cannot hold Unicode text', async () => {
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    try {
      await admin.query("CREATE DATABASE pchat_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
      await assert.rejects(createPostgresStore(cluster.url('pchat_latin1')), /pchat needs a database with UTF8 encoding; this one is LATIN1/);
    } finally {
      await admin.end();
      cluster.drop(cluster.url('pchat_latin1'));
    }
  });

  it('locks only the rooms a batch posts to: other rooms go on while one is held', async () => {
    const { store, raw, done } = await open();
    try {
      const a = await seedRoom(store, 'a');
      const b = await seedRoom(store, 'b');
      await raw.query('BEGIN');
      await raw.query('SELECT 1 FROM rooms WHERE id = $1 FOR NO KEY UPDATE', [a.roomId]);
      let aDone = false;
      const toA = store.messages.append([post(a.roomId, a.userId, 'waits')]).then((r) => {
        aDone = true;
        return r;
      });
      const [toB] = await store.messages.append([post(b.roomId, b.userId, 'goes on')]);
      assert.equal(toB?.message.seq, 1);
      assert.equal(aDone, false, 'the post to the held room waits for the lock');
      await raw.query('COMMIT');
      assert.equal((await toA)[0]?.message.seq, 1);
    } finally {
      await raw.query('ROLLBACK').catch(() => undefined);
      await done();
    }
  });

  it('numbers concurrent batches to one room without gaps or repeats', async () => {
    const { store, done } = await open();
    try {
      const { roomId, userId } = await seedRoom(store);
      const batches = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.messages.append(Array.from({ length: 5 }, (_, j) => post(roomId, userId, `m${i}-${j}`)))),
      );
      const seqs = batches.flat().map((r) => r.message.seq).sort((x, y) => x - y);
      assert.deepEqual(seqs, Array.from({ length: 100 }, (_, i) => i + 1));
      assert.equal(await store.rooms.lastSeq(roomId), 100);
    } finally {
      await done();
    }
  });

  it('stores a client id once when two nodes post it at the same moment', async () => {
    const { store, url, done } = await open();
    const other = await createPostgresStore(url);
    try {
      const { roomId, userId } = await seedRoom(store);
      for (let i = 0; i < 10; i++) {
        const same = post(roomId, userId, `race ${i}`, { clientId: `race-${i}` });
        const [[x], [y]] = await Promise.all([store.messages.append([same]), other.messages.append([same])]);
        assert.equal(x?.message.id, y?.message.id);
        assert.deepEqual([x?.duplicate, y?.duplicate].sort(), [false, true]);
      }
      assert.equal(await store.messages.count(roomId), 10);
      assert.equal((await store.compliance.list({ type: 'CHAT', limit: 100 })).length, 10, 'one compliance record per stored post');
    } finally {
      await other.close();
      await done();
    }
  });

  it('never reads search input as tsquery syntax', async () => {
    const { store, raw, done } = await open();
    try {
      const { roomId, userId } = await seedRoom(store);
      await store.messages.append([post(roomId, userId, "it's a back\\slash & a pipe | here: (ok) <-> !not")]);
      const nasty = ["it's", 'back\\slash', '&', '|', '!', '(', ')', ':*', '<->', "'", '\\', 'a:B', 'x:*'];
      for (const term of nasty) await store.messages.search({ terms: [term], roomIds: [roomId], limit: 10 });
      await store.messages.search({ terms: nasty, roomIds: [roomId], limit: 10 });
      assert.equal((await store.messages.search({ terms: ['it', 's', 'back', 'sla'], roomIds: [roomId], limit: 10 })).length, 1);
      assert.equal(await tsQuery(raw, ['&', '|', '!']), null, 'no words, no query');
      assert.equal(await tsQuery(raw, ['Élan', 'RELEASE']), "'elan' & 'release':*");
    } finally {
      await done();
    }
  });

  it('splits words as SQLite does: finds what the SQLite store finds for the same words', async () => {
    const corpus = [
      'see https://wiki.example.com/Deploy_Guide before friday',
      'mail ops@example.com or call +1-555-0100',
      'upgrade to v1.2.3 (not 1.2.4) at 3.14 pm',
      'the e-mail from Zoë about the naïve café',
      'don’t «quote» me — it’s 50% done… really',
      'path /usr/local/bin/pchat and C:\\Program Files\\pchat',
      'snake_case and camelCase and kebab-case',
      'Straße ŒUVRE ½ cup',
      'Привет мир and 東京 and ελληνικά',
    ];
    const queries = [
      'example', 'example.com', 'wiki', 'deploy guide', 'deploy_guide', 'ops', 'ops@example.com', '555', 'v1', '1 2 3', '3.14', '14',
      'email', 'e-mail', 'mail', 'zoe', 'naive cafe', 'don', 't', 'quote', 'it s', '50', 'usr local', 'pchat', 'program files',
      'snake case', 'snake_case', 'camelcase', 'kebab', 'kebab-case', 'strasse', 'straße', 'oeuvre', 'œuvre', 'cup', '1', 'привет', 'мир',
      '東京', 'ελληνικα', 'exam', 'ex', 'c',
    ];
    const dir = mkdtempSync(join(tmpdir(), 'pchat-parity-'));
    const sqlite = createSqliteStore(join(dir, 'parity.db'), { synchronous: 'normal' });
    const { store, done } = await open();
    try {
      const found = async (s: Store) => {
        const { roomId, userId } = await seedRoom(s);
        await s.messages.append(corpus.map((text) => post(roomId, userId, text)));
        const answers: string[][] = [];
        for (const q of queries) answers.push((await s.messages.search({ terms: searchTerms(q), roomIds: [roomId], limit: 50 })).map((m) => m.text));
        return answers;
      };
      const [fromSqlite, fromPostgres] = [await found(sqlite), await found(store)];
      // unaccent folds more than SQLite's remove_diacritics (ß, Œ, ½, Greek accents): there,
      // PostgreSQL finds what SQLite finds, and more.
      const foldsMore = new Set(['strasse', 'oeuvre', '1', 'ελληνικα']);
      const differ = queries.flatMap((q, i) => {
        const [a, b] = [fromSqlite[i] ?? [], fromPostgres[i] ?? []];
        const ok = foldsMore.has(q) ? a.every((t) => b.includes(t)) && b.length > a.length : JSON.stringify(a) === JSON.stringify(b);
        return ok ? [] : [`${q}: sqlite ${JSON.stringify(a)} postgres ${JSON.stringify(b)}`];
      });
      assert.deepEqual(differ, []);
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
      await done();
    }
  });

  it('folds ASCII case only in names, like SQLite', async () => {
    const { store, done } = await open();
    try {
      const make = (name: string) =>
        store.groups.create({ name, description: '', members: [], origin: null });
      await make('Équipe');
      await make('équipe'); // SQLite's NOCASE folds ASCII only: these are different names there too
      await assert.rejects(make('ÉQUIPE'), (e: unknown) => e instanceof PchatError && e.code === 'name_taken' && e.field === 'name');
      assert.equal((await store.groups.getByName('éQUIPE'))?.name, 'équipe');
    } finally {
      await done();
    }
  });
});
