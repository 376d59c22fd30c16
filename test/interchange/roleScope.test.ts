import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PrincipalRef } from '../../src/core/model.js';
import type { RecordOf, RecordType } from '../../src/interchange/archive/records.js';
import { writeArchive } from '../../src/interchange/archive/writer.js';
import type { RecordSource } from '../../src/interchange/source.js';
import { openDir, pchat } from '../helpers/interchange.js';

const user = (id: string): RecordOf['users'] => ({ id, login: `${id}@example.com`, displayName: id, email: null, disabled: false, isAdmin: false, origin: null });
const ref = (kind: 'user' | 'group', id: string) => ({ kind, id });

/**
 * A legacy-like source whose category allows group "staff" (alice, bob, and carol through the
 * nested group "ops") but denies bob, with roles and creators given to principals it does not
 * allow: bob (denied), dave (not in staff) and the group "outsiders".
 */
function source(): RecordSource {
  const records: { [T in RecordType]?: RecordOf[T][] } = {
    users: ['alice', 'bob', 'carol', 'dave'].map(user),
    groups: ['staff', 'ops', 'outsiders'].map((id) => ({ id, name: id, description: '', origin: null })),
    memberships: [
      { group: 'staff', member: ref('user', 'alice') },
      { group: 'staff', member: ref('user', 'bob') },
      { group: 'staff', member: ref('group', 'ops') },
      { group: 'ops', member: ref('user', 'carol') },
      { group: 'outsiders', member: ref('user', 'dave') },
    ],
    addins: [],
    categories: [
      { id: 'c1', name: 'walled', description: '', allowed: [ref('group', 'staff')], denied: [ref('user', 'bob')], creators: [ref('user', 'alice'), ref('user', 'dave')], invitations: true, fileUpload: true, chatHistory: true, origin: null },
    ],
    rooms: [
      {
        id: 'r1', name: 'stage', description: '', category: 'c1', privacy: 'closed', type: 'auditorium',
        members: [ref('user', 'alice'), ref('user', 'bob'), ref('group', 'ops'), ref('group', 'outsiders')],
        managers: [ref('user', 'carol'), ref('user', 'dave')],
        presenters: [ref('user', 'bob'), ref('user', 'alice')],
        invitations: 'inherit', addin: null, disabled: false, createdAt: '2020-01-01T00:00:00.000Z', origin: null,
      },
    ],
    policies: [],
    messages: [{ id: 'm1', room: 'r1', seq: 1, author: 'alice', at: '2020-01-02T00:00:00.000Z', kind: 'text', title: null, text: 'hello', origin: null }],
    notes: [],
  };
  return {
    description: { system: 'legacy-test', version: '1', instance: 'scope' },
    close: async () => {},
    records: (async function* (type: RecordType) {
      yield* records[type] ?? [];
    }) as RecordSource['records'],
  };
}

describe('import keeps role holders and creators within the category scope', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-role-scope-'));
    await writeArchive(path('legacy.zip'), source(), { level: 'all', scope: [], startDate: null, disableExported: false });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const dropped = ['category walled: creators user "dave"', 'room stage: members user "bob"', 'room stage: members group "outsiders"', 'room stage: managers user "dave"', 'room stage: presenters user "bob"'];
  const described = (notes: { code: string; message: string }[]) =>
    notes.filter((n) => n.code === 'out_of_scope_dropped').map((n) => /^(\w+) "([^"]+)": (\w+) (\w+ "[^"]+")/.exec(n.message)!.slice(1).join(' ').replace(/^(\w+) (\S+) /, '$1 $2: '));

  it('lists every out-of-scope holder as a warning in --what-if', async () => {
    const run = await pchat(['import', path('legacy.zip'), '--what-if', '--json', '--data-dir', path('target')]);
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout);
    assert.deepEqual(described(plan.notes).sort(), [...dropped].sort());
    assert.ok(plan.notes.filter((n: { code: string }) => n.code === 'out_of_scope_dropped').every((n: { severity: string }) => n.severity === 'warning'));
  });

  it('drops them on import, keeps everyone the category allows, and reports them', async () => {
    const run = await pchat(['import', path('legacy.zip'), '--yes', '--data-dir', path('target'), '--report', path('import.html')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /5 warnings/);
    assert.match(readFileSync(path('import.html'), 'utf8'), /out_of_scope_dropped/);
    const local = await openDir(path('target'));
    try {
      const snapshot = await local.app.directory.snapshot();
      const id = (kind: 'user' | 'group', name: string) =>
        kind === 'user' ? [...snapshot.users.values()].find((u) => u.login === `${name}@example.com`)!.id : [...snapshot.groups.values()].find((g) => g.name === name)!.id;
      const names = (refs: readonly PrincipalRef[]) =>
        refs.map((r) => (r.kind === 'user' ? snapshot.users.get(r.id)!.login.split('@')[0] : `group ${snapshot.groups.get(r.id)!.name}`)).sort();
      const room = [...snapshot.rooms.values()].find((r) => r.name === 'stage')!;
      assert.deepEqual(names(room.members), ['alice', 'group ops']);
      assert.deepEqual(names(room.managers), ['carol'], 'carol is in scope through ops ⊂ staff');
      assert.deepEqual(names(room.presenters), ['alice']);
      const category = [...snapshot.categories.values()].find((c) => c.name === 'walled')!;
      assert.deepEqual(category.creators, [{ kind: 'user', id: id('user', 'alice') }]);
      assert.deepEqual(category.denied, [{ kind: 'user', id: id('user', 'bob') }], 'allowed and denied lists are imported as they are');
    } finally {
      await local.close();
    }
  });

  it('verify lists them as expected conversions, not differences', async () => {
    const run = await pchat(['verify', '--source', path('legacy.zip'), '--target', join(path('target'), 'pchat.db'), '--json', '--conflicts', path('c.json')]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const written = JSON.parse(readFileSync(path('c.json'), 'utf8'));
    assert.deepEqual(written.conflicts, []);
    assert.deepEqual(described(written.conversions).sort(), [...dropped].sort());
  });

  it('a re-run finds everything unchanged', async () => {
    const run = JSON.parse((await pchat(['import', path('legacy.zip'), '--yes', '--json', '--data-dir', path('target')])).stdout);
    assert.deepEqual(Object.keys(run.actions), ['unchanged']);
  });
});
