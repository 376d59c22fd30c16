import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load.js';

describe('configuration: compliance.export', () => {
  it('is off by default', () => {
    assert.equal(loadConfig({ env: {} }).compliance.export, null);
  });

  it('takes a directory and defaults to XML every 15 minutes (Lync’s RunInterval), from a file or the environment', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pchat-config-')), 'pchat.config.json');
    writeFileSync(path, JSON.stringify({ compliance: { export: { directory: '/var/lib/pchat/compliance' } } }));
    assert.deepEqual(loadConfig({ file: path, env: {} }).compliance.export, {
      directory: '/var/lib/pchat/compliance',
      format: 'xml',
      intervalSeconds: 900,
      batchSize: 10_000,
      leaseSeconds: 60,
    });
    const fromEnv = loadConfig({
      env: {
        PCHAT_COMPLIANCE_EXPORT_DIR: '/srv/export',
        PCHAT_COMPLIANCE_EXPORT_FORMAT: 'jsonl',
        PCHAT_COMPLIANCE_EXPORT_INTERVAL_SECONDS: '60',
        PCHAT_COMPLIANCE_EXPORT_BATCH_SIZE: '500',
      },
    }).compliance.export;
    assert.deepEqual(fromEnv, { directory: '/srv/export', format: 'jsonl', intervalSeconds: 60, batchSize: 500, leaseSeconds: 60 });
  });

  it('reports a format without a directory, and bad values, naming where they came from', () => {
    assert.throws(
      () => loadConfig({ env: { PCHAT_COMPLIANCE_EXPORT_FORMAT: 'csv', PCHAT_COMPLIANCE_EXPORT_INTERVAL_SECONDS: '0' } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /compliance\.export\.directory/);
        assert.match(text, /compliance\.export\.format \(from PCHAT_COMPLIANCE_EXPORT_FORMAT\)/);
        assert.match(text, /compliance\.export\.intervalSeconds \(from PCHAT_COMPLIANCE_EXPORT_INTERVAL_SECONDS\)/);
        return true;
      },
    );
  });
});
