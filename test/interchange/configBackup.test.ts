import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileSha256, recordConfig, restoreConfig } from '../../src/interchange/migrate/configBackup.js';

describe('the cut-over\'s copy of the configuration file, and its restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pchat-config-backup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('restores the bytes and the mode, and keeps an edit made after the cut-over aside', async () => {
    const file = join(dir, 'a.json');
    const original = Buffer.from('{ "irc" :{"listen":[]}}\n\n');
    writeFileSync(file, original);
    chmodSync(file, 0o644);
    const before = await recordConfig(file, join(dir, 'a.copy'));
    assert.equal(statSync(join(dir, 'a.copy')).mode & 0o777, 0o600, 'the copy is readable by its owner only');
    writeFileSync(file, '{"irc":{"listen":[{"host":"127.0.0.1","port":1}]}}\n');
    before.cutOverSha256 = await fileSha256(file);
    writeFileSync(file, '{"irc":{"listen":[{"host":"127.0.0.1","port":1}]},"edited":true}\n');
    const said = await restoreConfig(before);
    assert.deepEqual(readFileSync(file), original);
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.match(said[0]!, /a\.json is not as the cut-over left it: that version is kept as .*a\.json\.at-rollback/);
    assert.match(readFileSync(`${file}.at-rollback`, 'utf8'), /"edited":true/);
    assert.match(said[1]!, /restored .*a\.json byte for byte as it was before the cut-over \(25 bytes, SHA-256 [0-9a-f]{64}\)/);
    assert.deepEqual(await restoreConfig(before), [`${file} is already as it was before the cut-over (SHA-256 ${before.sha256})`], 'a second restore changes nothing and says so');
  });

  it('removes a file that did not exist, and refuses a copy that changed', async () => {
    const file = join(dir, 'b.json');
    const none = await recordConfig(file, join(dir, 'b.copy'));
    writeFileSync(file, '{}\n');
    assert.deepEqual(await restoreConfig({ ...none, cutOverSha256: await fileSha256(file) }), [`removed ${file}: it did not exist before the cut-over`]);
    assert.equal(existsSync(file), false);

    writeFileSync(file, '{"a":1}\n');
    const before = await recordConfig(file, join(dir, 'b.copy'));
    writeFileSync(join(dir, 'b.copy'), '{"a":2}\n');
    await assert.rejects(restoreConfig(before), /the copy .*b\.copy of .*b\.json no longer has the recorded SHA-256/);
  });
});
