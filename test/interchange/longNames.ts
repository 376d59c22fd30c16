import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import { pchat } from '../helpers/interchange.js';
import { baseTables, chat, node } from './groupchat/helpers.js';

/** Shared by the tests of item-level problems (resolutions.test.ts, renames.test.ts). */

export const P = 'P'.repeat(130);
export const Q = 'Q'.repeat(130);
/** A Group Chat dump whose rooms 11 and 12 sit three levels deep: their flattened names are over 256 characters and share their first 260. */
export function longNameTables() {
  const t = baseTables();
  t.tblNode.rows.push(node(3, 2, true, P), node(4, 3, true, Q), node(11, 4, false, 'oncall'), node(12, 4, false, 'oncall-2'));
  t.tblChat.rows.push(chat(11, 1, 100, 'first on-call message'), chat(11, 2, 101, 'second'), chat(12, 1, 100, 'in the other long room'));
  return t;
}

export const rooms = (db: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT r.id, r.name, r.origin_id AS origin, (SELECT count(*) FROM messages m WHERE m.room_id = r.id) AS messages FROM rooms r ORDER BY r.origin_id').all() as { id: number; name: string; origin: string; messages: number }[];
  } finally {
    d.close();
  }
};

/**
 * For a describe block: a temp directory deleted after the block (`path` names a file in it), and
 * `ok`, which runs the real `pchat` and fails the test unless it exits 0, returning its stdout.
 */
export function cliWorkDir(prefix: string) {
  const work = mkdtempSync(join(tmpdir(), `pchat-${prefix}-`));
  after(() => rmSync(work, { recursive: true, force: true }));
  return {
    path: (name: string) => join(work, name),
    ok: async (args: string[]) => {
      const run = await pchat(args);
      assert.equal(run.code, 0, `pchat ${args.join(' ')}:\n${run.stdout}\n${run.stderr}`);
      return run.stdout;
    },
  };
}
