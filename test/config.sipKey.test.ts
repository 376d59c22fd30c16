import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../src/app/context.js';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { loadOrCreateKey, sipCredentialKey, sipCredentialKeyFile } from '../src/config/secretKey.js';
import { ntHash } from '../src/core/ntHash.js';
import { openApplication } from '../src/main.js';

describe('SIP credential key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-sipkey-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const config = (overrides: Record<string, unknown> = {}) => loadConfig({ env: {}, overrides: { dataDir: dir, 'log.level': 'silent', ...overrides } });
  const sipOn = { 'sip.listen': '127.0.0.1:0', 'sip.domains': 'example.com' };

  it('defaults to <dataDir>/sip-credentials.key, or sip.credentialKeyFile', () => {
    assert.equal(sipCredentialKeyFile(config()), join(dir, 'sip-credentials.key'));
    assert.equal(sipCredentialKeyFile(config({ 'sip.credentialKeyFile': '/etc/pchat/k' })), '/etc/pchat/k');
  });

  it('creates a 32-byte key with mode 0600 when missing, and reads the same one again', () => {
    const file = join(dir, 'sub', 'key');
    const key = loadOrCreateKey(file);
    assert.equal(key.length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateKey(file), key);
    assert.deepEqual(readFileSync(file), key);
  });

  it('refuses a key file of the wrong size, or one it cannot read, with a clear message and no key in it', () => {
    const file = join(dir, 'short.key');
    writeFileSync(file, 'not-a-key\n');
    assert.throws(() => loadOrCreateKey(file), (e: unknown) => e instanceof ConfigError && /sip\.credentialKeyFile .*short\.key.*10 bytes.*exactly 32/s.test(e.message));
    assert.throws(() => loadOrCreateKey(dir), (e: unknown) => e instanceof ConfigError && /cannot be read/.test(e.message), 'a directory');
  });

  it('is loaded only when SIP listens or the file exists', () => {
    assert.equal(sipCredentialKey(config()), null);
    assert.equal(existsSync(join(dir, 'sip-credentials.key')), false, 'not created when SIP is off');
    const key = sipCredentialKey(config(sipOn));
    assert.equal(key?.length, 32);
    assert.deepEqual(sipCredentialKey(config()), key, 'an existing file is used even when SIP does not listen (the CLI)');
  });

  it('reaches the application through openApplication (what the CLI uses)', async () => {
    const on = await openApplication(config(sipOn), 'test');
    try {
      const u = await on.app.users.create(SYSTEM_ACTOR, { login: 'cli@example.com', password: 'cli password' });
      assert.deepEqual(await on.app.sip.ntHashOf(u.id), ntHash('cli password'));
    } finally {
      await on.close();
    }
    // Later, SIP switched off in this process's config, but the key file is there: still kept in step.
    const later = await openApplication(config(), 'test');
    try {
      const u = await later.store.users.getByLogin('cli@example.com');
      await later.app.users.update(SYSTEM_ACTOR, u!.id, { password: 'new cli password' });
      assert.deepEqual(await later.app.sip.ntHashOf(u!.id), ntHash('new cli password'));
    } finally {
      await later.close();
    }
  });
});
