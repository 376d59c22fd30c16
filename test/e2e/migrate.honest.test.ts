import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { MigrationState } from '../../src/interchange/migrate/types.js';
import { seedDatabase } from '../helpers/interchange.js';
import { baseTables, chat, writeDump } from '../interchange/groupchat/helpers.js';
import { cli, deployment, ok, stateOf } from './migrateFlow.js';

// Issue 16, point 5: exit codes and estimates that do not claim what is not so. Everything
// through the real `pchat` executable.

const DUMP = resolve('examples/groupchat-dump');

/** A small dump whose tblChat has messages of a channel that is not in tblNode: the reader reports an error (room_missing). */
function tablesWithAnError() {
  const tables = baseTables();
  tables.tblChat.rows.push(chat(99, 1, 100, 'posted in a channel that is not in tblNode'));
  return tables;
}

describe('honest exit codes and estimates (real CLI)', () => {
  const work = mkdtempSync(join(tmpdir(), 'pchat-honest-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  describe('pchat export: a source with errors', () => {
    it('exits 1, saying how many errors and where they are listed; the archive is written all the same', async () => {
      const dump = await writeDump(join(work, 'export-errors'), tablesWithAnError());
      const archive = join(work, 'errors.zip');
      const report = join(work, 'errors.html');
      const run = await cli(['export', '--from', `groupchat-db:${dump}`, '--out', archive, '--report', report]);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /room_missing \[room 99\]: 1 message\(s\) belong to channel 99/);
      assert.match(run.stdout, new RegExp(`1 error in the source, all listed in ${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(section Errors\\)\\. Fix them .* or give --allow-errors`));
      assert.ok(existsSync(archive), 'the archive is written');
      assert.match(readFileSync(report, 'utf8'), /room_missing/);

      const json = await cli(['export', '--from', `groupchat-db:${dump}`, '--out', archive, '--json']);
      assert.equal(json.code, 1);
      assert.equal(JSON.parse(json.stdout).errors, 1);
    });

    it('exits 0 with --allow-errors, still stating the count', async () => {
      const dump = await writeDump(join(work, 'export-allowed'), tablesWithAnError());
      const run = await cli(['export', '--from', `groupchat-db:${dump}`, '--out', join(work, 'allowed.zip'), '--allow-errors']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /1 error in the source, all listed in the archive's notes .*; accepted \(--allow-errors\)/);
    });

    it('exits 0 for a source without errors', async () => {
      const dump = await writeDump(join(work, 'export-clean'), baseTables());
      const run = await cli(['export', '--from', `groupchat-db:${dump}`, '--out', join(work, 'clean.zip')]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.doesNotMatch(run.stdout, /in the source/);
    });
  });

  describe('pchat migrate run: the export step and a source that gained an error after the plan', () => {
    it('stops at export saying how many errors, and goes on past it with --allow-errors', async () => {
      const dir = join(work, 'migrate-errors');
      const dump = await writeDump(dir, baseTables());
      const target = deployment(mkdtempSync(join(work, 'migrate-target-')));
      await ok(['pool', 'status', '--database', target.database]);
      const plan = join(target.dir, 'migration.json');
      await ok(['migrate', 'plan', '--from', `groupchat-db:${dump}`, '--to', target.database, '--to-config', target.config, '--out', plan, '--calibrate', '10']);
      await writeDump(dir, tablesWithAnError()); // the dump was taken again, and now has an error

      const stopped = await cli(['migrate', 'run', '--plan', plan, '--legacy-stopped', '--yes']);
      assert.equal(stopped.code, 1, stopped.stdout + stopped.stderr);
      assert.match(stopped.stdout, /Stopped at export: 1 error in the source, all listed in the notes of .*archive\.zip .*run with --allow-errors|Stopped at export: 1 error in the source.*--allow-errors/);
      assert.match(stopped.stdout, /room_missing/);
      assert.equal(stateOf(plan).steps.find((s) => s.name === 'export')?.status, 'stopped');

      await cli(['migrate', 'run', '--plan', plan, '--legacy-stopped', '--yes', '--allow-errors']);
      const exported = (JSON.parse(readFileSync(plan.replace(/\.json$/, '.state.json'), 'utf8')) as MigrationState).steps.find((s) => s.name === 'export');
      assert.equal(exported?.status, 'done');
      assert.ok(exported?.warnings.some((w) => /1 error in the source.*accepted \(--allow-errors\)/.test(w)), JSON.stringify(exported?.warnings));
    });
  });

  describe('pchat verify: the export\'s filters, and the first differing message', () => {
    const source = join(work, 'verify-source');
    const targetDb = join(work, 'verify-target.db');
    const filters = ['--scope', 'Engineering', '--start-date', '2019-01-05'];

    it('verifies a partial migration with the options it was exported with, and only then finds no difference', async () => {
      await seedDatabase(source, 300);
      const archive = join(work, 'partial.zip');
      await ok(['export', '--data-dir', source, '--out', archive, ...filters]);
      await ok(['import', archive, '--database', targetDb, '--yes']);

      const unfiltered = await cli(['verify', '--source', join(source, 'pchat.db'), '--target', targetDb]);
      assert.equal(unfiltered.code, 1, 'without the filters, the categories, rooms and messages left out differ');
      const filtered = await cli(['verify', '--source', join(source, 'pchat.db'), '--target', targetDb, ...filters]);
      assert.equal(filtered.code, 0, filtered.stdout + filtered.stderr);
      assert.match(filtered.stdout, /No unexplained difference/);
      assert.match(filtered.stdout, /\b1 category\b/);
      // --level user compares what a user-level export carries: users and groups, nothing else.
      const users = await cli(['verify', '--source', join(source, 'pchat.db'), '--target', targetDb, '--level', 'user']);
      assert.equal(users.code, 0, users.stdout + users.stderr);
      assert.match(users.stdout, /^Compared 4 users, 2 groups, 0 messages\.$/m);
    });

    it('names the first differing message (room, seq, field, both values) in text, --json and the HTML report', async () => {
      const db = new Database(targetDb);
      const victim = db.prepare("SELECT m.id, m.seq, m.text, r.name FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.name = 'general' ORDER BY m.seq LIMIT 1 OFFSET 3").get() as { id: number; seq: number; text: string; name: string };
      db.prepare('UPDATE messages SET text = ? WHERE id = ?').run(`${victim.text} (edited)`, victim.id);
      db.close();

      const report = join(work, 'verify.html');
      const text = await cli(['verify', '--source', join(source, 'pchat.db'), '--target', targetDb, ...filters, '--report', report]);
      assert.equal(text.code, 1);
      assert.match(text.stdout, new RegExp(`content general: message digest: .*first differing message seq ${victim.seq} \\(source message \\d+\\): text: source ".*", target ".*\\(edited\\)"`));
      const html = readFileSync(report, 'utf8');
      assert.match(html, /First differing message per room/);
      assert.match(html, /\(edited\)/);

      const json = await cli(['verify', '--source', join(source, 'pchat.db'), '--target', targetDb, ...filters, '--json']);
      assert.equal(json.code, 1);
      const conflict = (JSON.parse(json.stdout) as { conflicts: { name: string; message?: { seq: number; field: string; source: string; target: string } }[] }).conflicts.find((c) => c.name === 'general');
      assert.equal(conflict?.message?.seq, victim.seq);
      assert.equal(conflict?.message?.field, 'text');
      assert.ok(conflict?.message?.target.endsWith('(edited)'));
      assert.ok(!conflict?.message?.source.includes('(edited)'));
    });

    it('names a message missing from the target by its identity', async () => {
      const db = new Database(targetDb);
      const gone = db.prepare("SELECT m.id, m.seq FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.name = 'release' ORDER BY m.seq LIMIT 1 OFFSET 2").get() as { id: number; seq: number };
      db.prepare('DELETE FROM messages WHERE id = ?').run(gone.id);
      db.close();
      const json = await cli(['verify', '--source', join(source, 'pchat.db'), '--target', targetDb, ...filters, '--json']);
      const conflict = (JSON.parse(json.stdout) as { conflicts: { name: string; field: string; message?: { seq: number; field: string } }[] }).conflicts.find((c) => c.name === 'release');
      assert.equal(conflict?.field, 'message count');
      assert.equal(conflict?.message?.field, 'identity', 'the next message stands where the missing one was');
      assert.ok((conflict?.message?.seq ?? 0) > gone.seq);
    });
  });

  describe('accounts without a password: migrate plan and import count the same', () => {
    it('prints the same number for the same source and target', async () => {
      const target = deployment(mkdtempSync(join(work, 'passwords-')));
      await ok(['pool', 'status', '--database', target.database]);
      const plan = JSON.parse(await ok(['migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', target.database, '--to-config', target.config, '--out', join(target.dir, 'm.json'), '--calibrate', '50', '--json'])) as { needCredentials: string[] };
      const planText = await ok(['migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', target.database, '--to-config', target.config, '--out', join(target.dir, 'm.json'), '--calibrate', '50']);
      const count = plan.needCredentials.length;
      assert.ok(count > 0);
      assert.match(planText, new RegExp(`Accounts imported without a credential: ${count} imported accounts will have no password yet`));

      const archive = join(target.dir, 'legacy.zip');
      await ok(['export', '--from', `groupchat-db:${DUMP}`, '--out', archive]);
      const whatIf = JSON.parse(await ok(['import', archive, '--database', target.database, '--what-if', '--json'])) as { needCredentials: string[] };
      assert.deepEqual(whatIf.needCredentials, plan.needCredentials);
      const imported = await ok(['import', archive, '--database', target.database, '--yes']);
      assert.match(imported, new RegExp(`^${count} imported accounts have no password yet`, 'm'));
    });
  });

  describe('migrate plan: estimates from the real work, with their basis', () => {
    it('times a full pass over the source and a directory-only and a sample run, and derives every phase from them', async () => {
      const target = deployment(mkdtempSync(join(work, 'estimate-')));
      await ok(['pool', 'status', '--database', target.database]);
      const p = JSON.parse(await ok(['migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', target.database, '--to-config', target.config, '--out', join(target.dir, 'm.json'), '--calibrate', '500', '--json', '--incremental']));
      const c = p.calibration;
      assert.equal(c.messages, 500, 'the sample is the source\'s first 500 messages');
      assert.equal(c.source.messages, p.inventory.counts.messages, 'the source read was one pass over every message');
      assert.ok(c.source.readSeconds > 0 && c.source.openSeconds > 0);
      assert.ok(c.source.again.readSeconds > 0 && c.source.again.openSeconds > 0, 'and a second pass, as verify reads the source after the export');
      const n = p.inventory.counts.messages;
      for (const phase of ['export', 'whatIf', 'import', 'verify']) {
        assert.ok(c.directorySeconds[phase] > 0, `${phase} was timed with the directory alone`);
        const pass = phase === 'export' ? c.source : phase === 'verify' ? c.source.again : null;
        const reading = pass ? pass.openSeconds + pass.readSeconds : 0;
        const expected = c.directorySeconds[phase] + c.perMessage[phase] * n + reading;
        assert.ok(Math.abs(p.estimates.full.seconds[phase] - expected) <= 0.051, `${phase}: ${p.estimates.full.seconds[phase]} from its basis ${expected}`);
      }
      assert.ok(p.estimates.delta.messages < n && p.estimates.delta.totalSeconds <= p.estimates.full.totalSeconds);
      const text = await ok(['migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', target.database, '--to-config', target.config, '--out', join(target.dir, 'm.json'), '--calibrate', '500']);
      assert.match(text, /Reading the source, timed in the inventory above: opening [\d.]+ s; one pass over its [\d,]+ messages/);
      assert.match(text, /Reading it again, timed: opening [\d.]+ s; one pass [\d.]+ s\. Verify reads it so, after the export\./);
      assert.match(text, /the directory \(\d+ records\) alone into it; then, the directory in place, the directory again and with the source's first 500 messages/);
      assert.match(text, /import +directory [\d.]+ s; again [\d.]+ s, with the messages [\d.]+ s: [\d.]+ µs per message/);
    });
  });
});
