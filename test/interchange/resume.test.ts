import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatedSource } from '../../bench/lib/archiveGen.js';
import { writeArchive } from '../../src/interchange/archive/writer.js';
import { PCHAT_BIN } from '../helpers/childServer.js';
import { normalisedRecords, pchat, seedDatabase } from '../helpers/interchange.js';

/** Starts an import and SIGKILLs it once its JSON progress shows `after` messages written. */
function killImportAfter(archive: string, dataDir: string, after: number, extra: readonly string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PCHAT_BIN, 'import', archive, '--yes', '--json', '--data-dir', dataDir, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let seen = 0;
    let buffer = '';
    child.stderr.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const p = JSON.parse(line) as { progress?: string; done?: number };
          if (p.progress === 'import' && (p.done ?? 0) >= after && seen === 0) {
            seen = p.done!;
            child.kill('SIGKILL');
          }
        } catch {
          /* not a progress line */
        }
      }
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(seen) : reject(new Error(`the import finished before it could be killed (saw ${seen})`))));
  });
}

describe('a killed import, run again, ends exactly where an uninterrupted one does', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-resume-'));
    await seedDatabase(path('source'), 60_000);
    assert.equal((await pchat(['export', '--data-dir', path('source'), '--out', path('a.zip')])).code, 0);
    assert.equal((await pchat(['import', path('a.zip'), '--yes', '--data-dir', path('whole')])).code, 0);
    assert.equal((await pchat(['export', '--data-dir', path('whole'), '--out', path('whole.zip')])).code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('written batch by batch: after a SIGKILL in the middle of the messages, the re-run adds only what is missing', async () => {
    const written = await killImportAfter(path('a.zip'), path('resumed'), 1, ['--batched']);
    assert.ok(written > 0);
    const resumed = await pchat(['import', path('a.zip'), '--yes', '--json', '--batched', '--data-dir', path('resumed')]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const outcome = JSON.parse(resumed.stdout) as { result: { messagesAdded: number }; written: string };
    assert.equal(outcome.written, 'batches');
    assert.ok(outcome.result.messagesAdded < 60_000, `the re-run added only what was missing (${outcome.result.messagesAdded})`);
    assert.equal((await pchat(['export', '--data-dir', path('resumed'), '--out', path('resumed.zip')])).code, 0);
    // Seqs included: the same numbering as the uninterrupted run, no duplicate, no gap.
    assert.deepEqual(await normalisedRecords(path('resumed.zip')), await normalisedRecords(path('whole.zip')));
    assert.equal((await pchat(['verify', '--source', path('a.zip'), '--target', join(path('resumed'), 'pchat.db')])).code, 0);
  });

  it('in one transaction: a SIGKILL in the middle of the messages leaves the target as it was, and the re-run completes it', async () => {
    // Large enough that the bulk import is still writing when its first progress line appears.
    const { source } = generatedSource(150_000, 5, { users: 40, rooms: 60 });
    await writeArchive(path('big.zip'), source, { level: 'all', scope: [], startDate: null, disableExported: false });
    await seedDatabase(path('target'), 30); // a target with history of its own
    assert.equal((await pchat(['export', '--data-dir', path('target'), '--out', path('before.zip')])).code, 0);

    const written = await killImportAfter(path('big.zip'), path('target'), 1);
    assert.ok(written > 0 && written < 150_000, `killed while writing (${written} written)`);
    assert.ok(spools(path('target')).length > 0, 'the killed import left its spool files behind');
    assert.equal((await pchat(['export', '--data-dir', path('target'), '--out', path('after-kill.zip')])).code, 0);
    assert.deepEqual(await normalisedRecords(path('after-kill.zip')), await normalisedRecords(path('before.zip')), 'nothing of the killed import is visible');

    const rerun = await pchat(['import', path('big.zip'), '--yes', '--json', '--data-dir', path('target')]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const outcome = JSON.parse(rerun.stdout) as { result: { messagesAdded: number }; written: string };
    assert.equal(outcome.written, 'bulk');
    assert.equal(outcome.result.messagesAdded, 150_000);
    assert.deepEqual(spools(path('target')), [], 'the re-run removed the abandoned spool files and its own');
    assert.equal((await pchat(['verify', '--source', path('big.zip'), '--target', join(path('target'), 'pchat.db')])).code, 0);
  });
});

const spools = (dataDir: string) => readdirSync(dataDir).filter((name) => name.startsWith('.pchat-import-spool-'));
