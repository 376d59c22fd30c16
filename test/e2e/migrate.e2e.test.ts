import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/childServer.js';
import { Api, expectStatus } from '../helpers/http.js';
import { seedDatabase } from '../helpers/interchange.js';
import { FrameworkClient } from '../irc/clients.js';
import { cli, deployment, migratedRecords, ok, runInterruptedAtEveryStep, serve, type Served, stateOf } from './migrateFlow.js';
import { plainText } from '../../src/core/richText.js';

const DUMP = resolve('examples/groupchat-dump');
const PASSWORD = 'migrated-password-1';

/** Signs in over IRC at the legacy address and joins `channel`: the replayed history's texts. */
async function ircHistory(port: number, login: string, channel: string, expectLast: string): Promise<{ client: FrameworkClient; greeting: string }> {
  const client = await FrameworkClient.connect(port, login.split('@')[0]!, { password: `${login}:${PASSWORD}` });
  client.raw(`JOIN ${channel}`);
  await client.next((l) => l.endsWith(`PRIVMSG ${channel} :${expectLast}`), 10_000);
  return { client, greeting: client.lines.find((l) => / 001 /.test(l)) ?? '' };
}

describe('pchat migrate, end to end through the real CLI', () => {
  const work = mkdtempSync(join(tmpdir(), 'pchat-migrate-e2e-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  describe('(a) the sample Group Chat dump into a new pchat deployment', () => {
    const target = deployment(mkdtempSync(join(work, 'a-target-')));
    const reference = deployment(mkdtempSync(join(work, 'a-reference-')));
    const plan = join(target.dir, 'migration.json');
    let server: Served;
    let ircPort: number;

    before(async () => {
      server = await serve(target); // the deployment exists (and answers /healthz) before planning
      await ok(['pool', 'status', '--database', reference.database]);
      ircPort = await freePort();
    });
    after(async () => server.stop());

    it('plans read-only: inventory, conversions, file references, estimates from a calibration run', async () => {
      const before = await migratedRecords(target, join(work, 'a-before.zip'));
      const out = await ok([
        'migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', target.database, '--to-config', target.config,
        '--irc-listen', `127.0.0.1:${ircPort}`, '--irc-server-name', 'legacy-chat.example.com', '--web-url', server.url, '--out', plan, '--json',
      ]);
      const p = JSON.parse(out);
      assert.equal(p.inventory.counts.rooms, 7, 'the dump holds 8 rooms; the disabled one is not migrated');
      assert.ok(p.conversions.some((n: any) => n.code === 'room_disabled_skipped'));
      assert.ok(p.inventory.counts.messages > 2000);
      assert.ok(p.conversions.some((n: any) => n.code === 'category_flattened'));
      assert.ok(p.files.length > 0, 'file references are listed');
      assert.equal(p.errors.length, 0);
      assert.ok(p.calibration.messages > 0 && p.estimates.full.totalSeconds > 0);
      assert.ok(p.estimates.full.recommendedMinutes >= 30);
      assert.deepEqual(await migratedRecords(target, join(work, 'a-after-plan.zip')), before, 'planning changed nothing in the target');
    });

    it('refuses to freeze a legacy source without the operator\'s confirmation when nobody can be asked', async () => {
      // The first step is killed once too, before the run that stops at the freeze.
      assert.deepEqual(await runInterruptedAtEveryStep(plan, [], 'freeze-source'), ['check-target']);
      const run = await cli(['migrate', 'run', '--plan', plan]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /Stopped at freeze-source: .*--legacy-stopped/);
      assert.equal(stateOf(plan).steps.find((s) => s.name === 'freeze-source')?.status, 'stopped');
    });

    it('a run killed inside every step in turn resumes to the same result as an uninterrupted one', async () => {
      // check-target was killed and resumed above; every later step is killed once, then resumed.
      const killed = await runInterruptedAtEveryStep(plan, ['--legacy-stopped', '--yes']);
      assert.deepEqual(killed, ['freeze-source', 'export', 'import-what-if', 'import', 'verify', 'cut-over', 'enable-client', 'decommission']);
      const state = stateOf(plan);
      assert.equal(state.verify?.ok, true, 'verify is clean');
      assert.match(state.archive?.sha256 ?? '', /^[0-9a-f]{64}$/);

      const refPlan = join(reference.dir, 'migration.json');
      await ok(['migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', reference.database, '--to-config', reference.config, '--out', refPlan, '--calibrate', '100']);
      await ok(['migrate', 'run', '--plan', refPlan, '--legacy-stopped', '--yes']);
      assert.deepEqual(await migratedRecords(target, join(work, 'a-target.zip')), await migratedRecords(reference, join(work, 'a-reference.zip')));
      const verify = await cli(['verify', '--source', `groupchat-db:${DUMP}`, '--target', target.database]);
      assert.equal(verify.code, 0, verify.stdout);
    });

    it('legacy IRC clients find their rooms and history at the legacy address after the restart', async () => {
      await server.stop();
      server = await serve(target); // reads the cut-over's endpoint from the config file
      await ok(['user', 'set', 'alice@example.com', '--password', PASSWORD, '--database', target.database]);
      const alice = await Api.login(server.url, 'alice@example.com', PASSWORD);
      const rooms = expectStatus(await alice.get('/api/v1/rooms'), 200);
      const general = (rooms.rooms ?? rooms).find((r: any) => r.name === 'eng-general');
      const history = expectStatus(await alice.get(`/api/v1/rooms/${general.id}/messages`), 200);
      // IRC shows a migrated link `[label](url)` as `label (url)` (core/richText.ts).
      const last = plainText(history.messages.at(-1).text.split('\n').at(-1));
      const { client, greeting } = await ircHistory(ircPort, 'alice@example.com', '#eng-general', last);
      assert.match(greeting, /^:legacy-chat\.example\.com 001 /, 'the endpoint answers with the legacy server name');
      client.close();
    });

    it('rollback is refused once the source is decommissioned', async () => {
      const run = await cli(['migrate', 'rollback', '--plan', plan]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /decommissioned.*no longer possible/);
    });
  });

  describe('(b) a live pchat server, incrementally: bulk while it serves, the delta in the window', () => {
    const source = deployment(mkdtempSync(join(work, 'b-source-')));
    const target = deployment(mkdtempSync(join(work, 'b-target-')));
    const reference = deployment(mkdtempSync(join(work, 'b-reference-')));
    const plan = join(target.dir, 'migration.json');
    let sourceServer: Served;
    let targetServer: Served;
    let ircPort: number;

    before(async () => {
      await seedDatabase(source.dir, 300);
      sourceServer = await serve(source);
      targetServer = await serve(target);
      await ok(['pool', 'status', '--database', reference.database]);
      ircPort = await freePort();
      await ok(['user', 'set', 'alice@example.com', '--password', PASSWORD, '--database', source.database]);
    });
    after(async () => {
      await sourceServer.stop();
      await targetServer.stop();
    });

    it('plans both windows, bulk-imports while live, then freezes, moves the delta, and decommissions; resumes after a kill in every step', async () => {
      const planned = JSON.parse(
        await ok([
          'migrate', 'plan', '--from', source.database, '--to', target.database, '--to-config', target.config, '--incremental',
          '--irc-listen', `127.0.0.1:${ircPort}`, '--web-url', targetServer.url, '--out', plan, '--json',
        ]),
      );
      assert.ok(planned.estimates.delta, 'an incremental plan shows the delta window too');
      assert.ok(planned.estimates.delta.messages < planned.estimates.full.messages);

      // The bulk, while the source still serves (killed once in each bulk step).
      const bulkSteps = await runInterruptedAtEveryStep(plan, ['--yes'], 'freeze-source');
      assert.deepEqual(bulkSteps, ['check-target', 'bulk-export', 'bulk-import', 'bulk-verify']);
      assert.equal(stateOf(plan).steps.find((s) => s.name === 'freeze-source')?.status, 'pending');

      // Users keep chatting on the source after the bulk.
      const alice = await Api.login(sourceServer.url, 'alice@example.com', PASSWORD);
      const rooms = expectStatus(await alice.get('/api/v1/rooms'), 200);
      const general = (rooms.rooms ?? rooms).find((r: any) => r.name === 'general');
      for (const text of ['after the bulk 1', 'after the bulk 2']) expectStatus(await alice.post(`/api/v1/rooms/${general.id}/messages`, { text }), 201);

      await runInterruptedAtEveryStep(plan, ['--yes']);
      const state = stateOf(plan);
      assert.equal(state.verify?.ok, true);
      const exported = state.steps.find((s) => s.name === 'export') as any;
      assert.equal(exported.counts.messages, 2, 'the window moved only the delta');

      // The frozen, then decommissioned source: the running server refuses with the new address.
      const refused = await fetch(`${sourceServer.url}/api/v1/rooms`);
      assert.equal(refused.status, 503);
      assert.match(((await refused.json()) as any).error.message, new RegExp(targetServer.url.replace(/[.:/]/g, '\\$&')));

      // Incremental ≡ full: a full migration of the same (now frozen) source gives the same target.
      const refPlan = join(reference.dir, 'migration.json');
      await ok(['migrate', 'plan', '--from', source.database, '--to', reference.database, '--to-config', reference.config, '--out', refPlan, '--calibrate', '100']);
      await ok(['migrate', 'run', '--plan', refPlan, '--yes']);
      assert.deepEqual(await migratedRecords(target, join(work, 'b-target.zip')), await migratedRecords(reference, join(work, 'b-reference.zip')));
      assert.equal((await cli(['verify', '--source', source.database, '--target', target.database])).code, 0);
    });

    it('IRC clients find the room with the delta at the legacy address', async () => {
      await targetServer.stop();
      targetServer = await serve(target);
      await ok(['user', 'set', 'alice@example.com', '--password', PASSWORD, '--database', target.database]);
      const { client } = await ircHistory(ircPort, 'alice@example.com', '#general', 'after the bulk 2');
      client.close();
    });
  });

  describe('rollback before decommissioning', () => {
    it('unfreezes a pchat source and takes the legacy address off the target', async () => {
      const source = deployment(mkdtempSync(join(work, 'r-source-')));
      const target = deployment(mkdtempSync(join(work, 'r-target-')));
      await seedDatabase(source.dir, 20);
      await ok(['pool', 'status', '--database', target.database]);
      const plan = join(target.dir, 'migration.json');
      const port = await freePort();
      await ok(['migrate', 'plan', '--from', source.database, '--to', target.database, '--to-config', target.config, '--irc-listen', `127.0.0.1:${port}`, '--out', plan, '--calibrate', '10']);
      await ok(['migrate', 'run', '--plan', plan, '--yes', '--stop-before', 'decommission']);
      assert.match(await ok(['pool', 'status', '--database', source.database]), /maintenance: ON/);
      assert.match(await ok(['endpoint', 'list', '--config', target.config]), new RegExp(`127\\.0\\.0\\.1:${port}`));
      const rolled = await ok(['migrate', 'rollback', '--plan', plan]);
      assert.match(rolled, /lifted read-only maintenance/);
      assert.match(await ok(['pool', 'status', '--database', source.database]), /maintenance: off/);
      assert.doesNotMatch(await ok(['endpoint', 'list', '--config', target.config]), new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.equal(stateOf(plan).status, 'rolled-back');
      const status = await ok(['migrate', 'status', '--plan', plan]);
      assert.match(status, /migration: rolled-back/);
    });
  });
});
