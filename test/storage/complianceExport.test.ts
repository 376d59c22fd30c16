// PostgreSQL's settled horizon for the compliance export: a cursor never passes an id whose insert
// has not committed yet (ids are drawn before commit). The rest of the export's store is in the
// store contract (src/storage/contract/complianceExport.contract.ts), run against both backends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('compliance export on PostgreSQL', () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  it('the settled horizon waits for an insert that drew a lower id but has not committed', async () => {
    const url = await cluster.createSchema();
    const store = await createPostgresStore(url);
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    try {
      await store.compliance.append([{ type: 'JOIN', roomId: 1, userId: 1, at: 1, data: null }]);
      // A transaction draws the next id and stays open; another insert draws a higher id and commits.
      await slow.query('BEGIN');
      const drawn = (await slow.query<{ id: string }>("INSERT INTO compliance (type, room_id, user_id, at) VALUES ('JOIN', 1, 2, 2) RETURNING id")).rows[0]!.id;
      await store.compliance.append([{ type: 'PART', roomId: 1, userId: 3, at: 3, data: null }]);
      const visible = (await store.compliance.list({ limit: 10 })).map((e) => e.id);
      assert.ok(visible.at(-1)! > Number(drawn) && !visible.includes(Number(drawn)), 'the higher id is visible before the lower one');

      let settled: number | null = null;
      const waiting = store.complianceExport.settled().then((id) => (settled = id));
      await sleep(400);
      assert.equal(settled, null, 'settled() waits while an insert is under way');
      await slow.query('COMMIT');
      await waiting;
      assert.equal(settled, visible.at(-1));
      const span = await store.complianceExport.span({ afterId: 0, upToId: settled!, limit: 100 });
      assert.equal(span?.count, 3, 'every id up to the horizon is visible once it is settled');

      // An insert that stays open longer than the wait: settled() gives up (the export tries again later).
      await slow.query('BEGIN');
      await slow.query("INSERT INTO compliance (type, room_id, user_id, at) VALUES ('JOIN', 1, 2, 4)");
      await assert.rejects(store.complianceExport.settled(), /lock timeout/);
      await slow.query('ROLLBACK');
      // Writers are not held up once settled() gave up.
      await store.compliance.append([{ type: 'JOIN', roomId: 1, userId: 4, at: 5, data: null }]);
      assert.ok((await store.complianceExport.settled()) > settled!);
    } finally {
      await slow.end();
      await store.close();
      cluster.drop(url);
    }
  });
});
