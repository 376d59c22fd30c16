import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PrincipalRef } from '../../../src/core/model.js';
import { openDir, pchat } from '../../helpers/interchange.js';
import { baseTables, node, tempDir, user, writeDump } from './helpers.js';

/**
 * Root 1 (managed by bob, 101; its scope allows group Team, 200 = alice only) → category Cat (2,
 * room 10, inheriting the root's scope) and category Walled (3, room 11, which denies bob).
 */
function tables() {
  const t = baseTables();
  t.tblPrincipal.rows.push(user(90, 'ocschat@example.com', { adPath: null, type: 4 }));
  t.tblNode.rows.push(node(3, 1, true, 'Walled'), node(11, 3, false, 'desk'));
  t.tblScopePrincipal.rows.push([3, 101, true, 1]);
  t.tblPrincipalRole.rows.push([1, 101, 2, 1]); // 2 = Manager (baseTables' tblRoleType)
  return t;
}

interface Imported {
  managers: (room: string) => string[];
  allowed: (category: string) => string[];
}

async function imported(dataDir: string): Promise<Imported> {
  const local = await openDir(dataDir);
  try {
    const s = await local.app.directory.snapshot();
    const names = (refs: readonly PrincipalRef[]) => refs.map((r) => (r.kind === 'user' ? s.users.get(r.id)!.login.split('@')[0]! : `group ${s.groups.get(r.id)!.name}`)).sort();
    const rooms = new Map([...s.rooms.values()].map((r) => [r.name, names(r.managers)]));
    const categories = new Map([...s.categories.values()].map((c) => [c.name, names(c.allowed)]));
    return { managers: (room) => rooms.get(room)!, allowed: (category) => categories.get(category)! };
  } finally {
    await local.close();
  }
}

describe('groupchat dump: managers of the root category manage every room (Microsoft\'s documented rule)', () => {
  let dir: string;
  let done: () => Promise<void>;
  let dump: string;
  before(async () => {
    ({ dir, done } = await tempDir());
    dump = await writeDump(dir, tables());
  });
  after(() => done());
  const notesOf = (run: { stdout: string }) => (JSON.parse(run.stdout) as { notes: { code: string; severity: string; item: { id: string } | null; message: string }[] }).notes;

  it('by default adds a root manager to the scope of a category that leaves them out, reports it, and verify agrees', async () => {
    const archive = join(dir, 'default.zip');
    const exported = await pchat(['export', '--from', `groupchat-db:${dump}`, '--out', archive]);
    assert.equal(exported.code, 0, exported.stderr);
    const data = join(dir, 'default');
    const whatIf = notesOf(await pchat(['import', archive, '--what-if', '--json', '--data-dir', data]));
    const added = whatIf.filter((n) => n.code === 'root_manager_added_to_scope');
    assert.deepEqual(added.map((n) => [n.severity, n.item?.id]), [['conversion', '2']], 'Cat: its scope (Team) leaves bob out');
    assert.match(added[0]!.message, /Root category manager\(s\) user 101 are outside the scope of category Cat; to manage its 1 room as Microsoft documents, they are added to its allowed principals/);
    const denied = whatIf.filter((n) => n.code === 'root_manager_denied');
    assert.deepEqual(denied.map((n) => [n.severity, n.item?.id]), [['warning', '3']], 'Walled denies bob: denied wins');
    assert.match(denied[0]!.message, /would manage the 1 room of category Walled, but the category denies them; denied wins/);

    const run = await pchat(['import', archive, '--yes', '--data-dir', data]);
    assert.equal(run.code, 0, run.stderr);
    const target = await imported(data);
    assert.deepEqual(target.allowed('Cat'), ['bob', 'group Team']);
    assert.deepEqual(target.managers('room'), ['bob'], 'the root manager manages the room');
    assert.deepEqual(target.managers('desk'), [], 'but not in the category that denies him');
    assert.deepEqual(target.allowed('Walled'), ['group Team'], 'a denied principal is never added');

    const verified = await pchat(['verify', '--source', `groupchat-db:${dump}`, '--target', join(data, 'pchat.db'), '--json']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.deepEqual(JSON.parse(verified.stdout).conflicts, []);
  });

  it('--root-managers scope keeps the scope and drops the manager there, reported; verify agrees with the same option and not without it', async () => {
    const archive = join(dir, 'scope.zip');
    const exported = await pchat(['export', '--from', `groupchat-db:${dump}`, '--out', archive, '--root-managers', 'scope']);
    assert.equal(exported.code, 0, exported.stderr);
    const data = join(dir, 'scope');
    const whatIf = notesOf(await pchat(['import', archive, '--what-if', '--json', '--data-dir', data]));
    assert.equal(whatIf.filter((n) => n.code === 'root_manager_added_to_scope').length, 0);
    const kept = whatIf.find((n) => n.code === 'root_manager_outside_scope')!;
    assert.equal(kept.severity, 'warning');
    assert.match(kept.message, /with --root-managers scope the scope is kept, so they do not manage its 1 room/);
    assert.ok(whatIf.some((n) => n.code === 'out_of_scope_dropped' && /room "room": managers user "101"/.test(n.message)), 'the import drops him, as before');

    assert.equal((await pchat(['import', archive, '--yes', '--data-dir', data])).code, 0);
    const target = await imported(data);
    assert.deepEqual(target.allowed('Cat'), ['group Team']);
    assert.deepEqual(target.managers('room'), []);

    const db = join(data, 'pchat.db');
    const same = await pchat(['verify', '--source', `groupchat-db:${dump}`, '--target', db, '--root-managers', 'scope', '--json']);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    const other = await pchat(['verify', '--source', `groupchat-db:${dump}`, '--target', db, '--json']);
    assert.equal(other.code, 1, 'the default rule sees bob missing from Cat');
    assert.deepEqual(
      JSON.parse(other.stdout).conflicts.map((c: { type: string; name: string; field: string }) => `${c.type} ${c.name} ${c.field}`),
      ['category Cat allowed', 'room room managers'],
    );
  });

  it('migrate plan takes --root-managers and keeps it in the plan for the run', async () => {
    const target = join(dir, 'target.db');
    assert.equal((await pchat(['pool', 'status', '--database', target])).code, 0);
    const file = join(dir, 'plan.json');
    const run = await pchat(['migrate', 'plan', '--from', `groupchat-db:${dump}`, '--to', target, '--to-config', join(dir, 'pchat.config.json'), '--out', file, '--calibrate', '2', '--root-managers', 'scope', '--json']);
    const plan = JSON.parse(run.stdout);
    assert.deepEqual(plan.sourceOptions, { rootManagers: 'scope' });
    assert.ok(plan.warnings.some((n: { code: string }) => n.code === 'root_manager_outside_scope'));
    const refused = await pchat(['export', '--out', join(dir, 'x.zip'), '--root-managers', 'scope', '--data-dir', join(dir, 'default')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--root-managers applies to a legacy Group Chat source/);
  });
});
