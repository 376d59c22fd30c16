import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openArchive } from '../../src/interchange/archive/reader.js';
import type { RecordOf, RecordType } from '../../src/interchange/archive/records.js';
import { pchat, seedDatabase } from '../helpers/interchange.js';

async function records<T extends RecordType>(file: string, type: T): Promise<RecordOf[T][]> {
  const source = await openArchive(file);
  try {
    const out: RecordOf[T][] = [];
    for await (const r of source.records(type)) out.push(r);
    return out;
  } finally {
    await source.close();
  }
}

describe('export --scope and --start-date', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-export-filter-'));
    await seedDatabase(path('db'), 300);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes only the scope’s categories, rooms and messages from the start date on, and notes what it left out', async () => {
    const all = await pchat(['export', '--data-dir', path('db'), '--out', path('all.zip')]);
    assert.equal(all.code, 0, all.stderr);
    const start = '2019-01-05T00:00:00.000Z';
    const some = await pchat(['export', '--data-dir', path('db'), '--out', path('some.zip'), '--scope', 'engineering', '--start-date', start]);
    assert.equal(some.code, 0, some.stderr);

    const categories = await records(path('all.zip'), 'categories');
    const engineering = categories.find((c) => c.name === 'Engineering')!;
    const allRooms = await records(path('all.zip'), 'rooms');
    const inScope = new Set(allRooms.filter((r) => r.category === engineering.id).map((r) => r.id));
    const expected = (await records(path('all.zip'), 'messages')).filter((m) => inScope.has(m.room) && m.at >= start);
    assert.ok(expected.length > 0 && expected.length < 300);

    assert.deepEqual((await records(path('some.zip'), 'categories')).map((c) => c.name), ['Engineering']);
    assert.deepEqual(new Set((await records(path('some.zip'), 'rooms')).map((r) => r.id)), inScope);
    assert.deepEqual(await records(path('some.zip'), 'messages'), expected);
    const notes = await records(path('some.zip'), 'notes');
    const older = (await records(path('all.zip'), 'messages')).filter((m) => inScope.has(m.room) && m.at < start).length;
    assert.deepEqual(notes.map((n) => n.code), ['out_of_scope', 'start_date']);
    assert.match(notes[1]!.message, new RegExp(`left out ${older} older messages`));
    assert.match(notes[0]!.message, new RegExp(`left out ${categories.length - 1} categories, ${allRooms.length - inScope.size} rooms and ${300 - expected.length - older} of their messages`));
  });
});
