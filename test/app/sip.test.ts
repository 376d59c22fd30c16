import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ensureAdministrator } from '../../src/app/bootstrap.js';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { type Application, createApplication } from '../../src/app/index.js';
import { MAX_PREFERENCES } from '../../src/app/sip.js';
import { openNtHash, sealNtHash } from '../../src/app/sipCredentials.js';
import { PchatError } from '../../src/core/errors.js';
import type { Actor } from '../../src/core/permissions.js';
import { ntHash } from '../../src/core/ntHash.js';
import { LocalEventBus } from '../../src/delivery/eventBus.js';
import { systemClock } from '../../src/ports/events.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';

const PASSWORD = 'correct horse battery';

describe('SIP: NT hashes and preferences', () => {
  let dir: string;
  let file: string;
  let store: Store;
  const key = randomBytes(32);
  /** An application over the shared store, with the given credential key (or none). */
  const appWith = (k: Buffer | null): Application => createApplication({ store, bus: new LocalEventBus(), clock: systemClock, sipCredentialKey: k });
  const actorOf = async (app: Application, userId: number): Promise<Actor> => app.sessions.actorFor(userId);
  /** The column as it is on disk, read past the store. */
  const rawColumn = (userId: number): Buffer | null => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT nt_hash_enc FROM users WHERE id = ?').get(userId) as { nt_hash_enc: Buffer | null }).nt_hash_enc;
    } finally {
      db.close();
    }
  };
  const invalidField = (field: string) => (error: unknown) => {
    assert.ok(error instanceof PchatError, String(error));
    assert.equal(error.code, 'invalid_input');
    assert.equal(error.field, field, error.message);
    return true;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-sip-app-'));
    file = join(dir, 'pchat.db');
    store = createSqliteStore(file, { synchronous: 'normal' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes the NT hash of [MS-NLMP] (known vector)', () => {
    assert.equal(ntHash('password').toString('hex'), '8846f7eaee8fb117ad06bdd830b7586c');
  });

  it('stores an encrypted NT hash when a password is set with a key, never in clear', async () => {
    const app = appWith(key);
    const alice = await app.users.create(SYSTEM_ACTOR, { login: 'alice@example.com', password: PASSWORD });
    const stored = await app.sip.ntHashOf(alice.id);
    assert.deepEqual(stored, ntHash(PASSWORD));
    const column = rawColumn(alice.id);
    assert.ok(column && column.length > 16, 'something is stored');
    assert.ok(!column.includes(ntHash(PASSWORD)), 'the column does not hold the hash in clear');
    assert.ok(!column.toString('hex').includes(ntHash(PASSWORD).toString('hex')), 'nor its hex');
    assert.notDeepEqual(sealNtHash(key, alice.id, PASSWORD), sealNtHash(key, alice.id, PASSWORD), 'a fresh IV every time');

    const noPassword = await app.users.create(SYSTEM_ACTOR, { login: 'nopass@example.com' });
    assert.equal(await app.sip.ntHashOf(noPassword.id), null);
    assert.equal(rawColumn(noPassword.id), null);
  });

  it('stores nothing without a key, and answers null', async () => {
    const app = appWith(null);
    const bob = await app.users.create(SYSTEM_ACTOR, { login: 'bob@example.com', password: PASSWORD });
    await app.sessions.login({ login: 'bob@example.com', password: PASSWORD });
    await app.users.update(SYSTEM_ACTOR, bob.id, { password: 'another password' });
    assert.equal(rawColumn(bob.id), null);
    assert.equal(await app.sip.ntHashOf(bob.id), null);
    // A hash stored by a keyed process means nothing to a process without the key.
    await appWith(key).sessions.login({ login: 'bob@example.com', password: 'another password' });
    assert.ok(rawColumn(bob.id));
    assert.equal(await app.sip.ntHashOf(bob.id), null);
  });

  it('answers null, without throwing, for a value that does not open with the key', async () => {
    const app = appWith(key);
    const carol = await app.users.create(SYSTEM_ACTOR, { login: 'carol@example.com', password: PASSWORD });
    const other = appWith(randomBytes(32));
    assert.equal(await other.sip.ntHashOf(carol.id), null, 'another key');
    const sealed = rawColumn(carol.id) as Buffer;
    assert.equal(openNtHash(key, carol.id + 1, sealed), null, 'sealed to its account');
    const damaged = Buffer.from(sealed);
    damaged[damaged.length - 1]! ^= 1;
    assert.equal(openNtHash(key, carol.id, damaged), null, 'tampered');
    assert.equal(openNtHash(key, carol.id, sealed.subarray(0, 10)), null, 'truncated');
    assert.equal(openNtHash(key, carol.id, Buffer.alloc(0)), null, 'empty');

    // The next password sign-in under the other key rewrites it with that key.
    await other.sessions.verifyCredentials('carol@example.com', PASSWORD);
    assert.deepEqual(await other.sip.ntHashOf(carol.id), ntHash(PASSWORD));
    assert.equal(await app.sip.ntHashOf(carol.id), null);
  });

  it('backfills a missing hash at a successful sign-in (HTTP and IRC paths), not at a failed one', async () => {
    const before = appWith(null);
    const dave = await before.users.create(SYSTEM_ACTOR, { login: 'dave@example.com', password: PASSWORD });
    const erin = await before.users.create(SYSTEM_ACTOR, { login: 'erin@example.com', password: PASSWORD });
    const app = appWith(key);
    assert.equal(await app.sip.ntHashOf(dave.id), null);
    await assert.rejects(app.sessions.login({ login: 'dave@example.com', password: 'wrong password' }));
    assert.equal(rawColumn(dave.id), null, 'a failed sign-in stores nothing');
    await app.sessions.login({ login: 'DAVE@example.com', password: PASSWORD });
    assert.deepEqual(await app.sip.ntHashOf(dave.id), ntHash(PASSWORD));
    const first = rawColumn(dave.id);
    await app.sessions.login({ login: 'dave@example.com', password: PASSWORD });
    assert.deepEqual(rawColumn(dave.id), first, 'not rewritten once present');

    await app.sessions.verifyCredentials('erin@example.com', PASSWORD);
    assert.deepEqual(await app.sip.ntHashOf(erin.id), ntHash(PASSWORD));
  });

  it('replaces the hash when the password changes, and removes it when changed without a key', async () => {
    const app = appWith(key);
    const frank = await app.users.create(SYSTEM_ACTOR, { login: 'frank@example.com', password: PASSWORD });
    // The user changes their own password (giving the current one).
    await app.accounts.changePassword(await actorOf(app, frank.id), null, { currentPassword: PASSWORD, newPassword: 'new password 1' });
    assert.deepEqual(await app.sip.ntHashOf(frank.id), ntHash('new password 1'));
    // An administrator changes it (the CLI's `pchat user set --password-stdin` goes the same way).
    await app.users.update(SYSTEM_ACTOR, frank.id, { password: 'new password 2' });
    assert.deepEqual(await app.sip.ntHashOf(frank.id), ntHash('new password 2'));
    // Other changes keep it.
    await app.users.update(SYSTEM_ACTOR, frank.id, { displayName: 'Frank' });
    assert.deepEqual(await app.sip.ntHashOf(frank.id), ntHash('new password 2'));
    // A process without the key cannot compute the new one, so it drops the stale one.
    await appWith(null).users.update(SYSTEM_ACTOR, frank.id, { password: 'new password 3' });
    assert.equal(rawColumn(frank.id), null);
    await app.sessions.login({ login: 'frank@example.com', password: 'new password 3' });
    assert.deepEqual(await app.sip.ntHashOf(frank.id), ntHash('new password 3'));
  });

  it('gives the first administrator an NT hash too', async () => {
    const app = appWith(key);
    const admin = await ensureAdministrator(app.context, 'admin password 1');
    assert.ok(admin);
    const user = await store.users.getByLogin(admin.login);
    assert.deepEqual(await app.sip.ntHashOf(user!.id), ntHash('admin password 1'));
  });

  it('finds accounts by SIP address in the served domains only, any case', async () => {
    const app = appWith(null);
    const imported = await app.users.create(SYSTEM_ACTOR, { login: 'Alice@Example.com' });
    const prefixed = await app.users.create(SYSTEM_ACTOR, { login: 'sip:bob@example.com' });
    const native = await app.users.create(SYSTEM_ACTOR, { login: 'carol' });
    const disabled = await app.users.create(SYSTEM_ACTOR, { login: 'dave@example.com', disabled: true });
    const domains = ['example.com', 'corp.example.org'];
    const find = async (address: string) => (await app.sip.userBySipAddress(address, domains))?.id ?? null;
    assert.equal(await find('sip:alice@example.com'), imported.id);
    assert.equal(await find('SIP:ALICE@EXAMPLE.COM'), imported.id);
    assert.equal(await find('alice@example.com'), imported.id);
    assert.equal(await find('sip:bob@example.com'), prefixed.id);
    assert.equal(await find('bob@EXAMPLE.com'), prefixed.id);
    assert.equal(await find('sip:carol@corp.example.org'), native.id, 'a native login at a served domain');
    assert.equal(await find('sip:dave@example.com'), disabled.id, 'disabled accounts are returned; the caller refuses them');
    assert.equal(await find('sip:alice@other.example'), null, 'domain not served');
    assert.equal(await find('sip:nobody@example.com'), null);
    for (const bad of ['', 'sip:', 'alice', '@example.com', 'alice@', 'a@b@example.com', 'sip:alice@example.com;transport=tls', '<sip:alice@example.com>', 'al ice@example.com']) {
      assert.equal(await find(bad), null, bad);
    }
    assert.equal(await app.sip.userBySipAddress('sip:alice@example.com', []), null, 'no domains, no match');
  });

  it('keeps preferences per user', async () => {
    const app = appWith(null);
    const a = await actorOf(app, (await app.users.create(SYSTEM_ACTOR, { login: 'pa@example.com' })).id);
    const b = await actorOf(app, (await app.users.create(SYSTEM_ACTOR, { login: 'pb@example.com' })).id);
    await app.sip.setPreference(a, 'groupchat.favorites', '<rooms/>');
    await app.sip.setPreference(a, 'theme', 'dark');
    await app.sip.setPreference(b, 'theme', 'light');
    assert.deepEqual([...(await app.sip.preferences(a))], [
      ['groupchat.favorites', '<rooms/>'],
      ['theme', 'dark'],
    ]);
    assert.deepEqual([...(await app.sip.preferences(b))], [['theme', 'light']]);
    assert.deepEqual([...(await app.sip.preferences(a, ['theme', 'missing']))], [['theme', 'dark']]);
    await app.sip.setPreference(a, 'theme', null);
    assert.deepEqual([...(await app.sip.preferences(a, ['theme']))], []);
    assert.deepEqual([...(await app.sip.preferences(b, ['theme']))], [['theme', 'light']]);
    await assert.rejects(app.sip.preferences(SYSTEM_ACTOR), (e: unknown) => e instanceof PchatError && e.code === 'not_permitted');
    await assert.rejects(app.sip.setPreference({ ...a, disabled: true }, 'k', 'v'), (e: unknown) => e instanceof PchatError && e.code === 'not_permitted');
  });

  it('validates preferences and names the field', async () => {
    const app = appWith(null);
    const a = await actorOf(app, (await app.users.create(SYSTEM_ACTOR, { login: 'pv@example.com' })).id);
    for (const key of ['', 'has space', 'tab\there', 'ctl\u0001', 'k'.repeat(257), 'zero\u200bwidth']) {
      await assert.rejects(app.sip.setPreference(a, key, 'v'), invalidField('key'), JSON.stringify(key));
    }
    await app.sip.setPreference(a, 'k'.repeat(256), 'fits');
    await app.sip.setPreference(a, 'ümlaut/é:ok', 'unicode keys are printable');
    await assert.rejects(app.sip.setPreference(a, 'big', 'x'.repeat(64 * 1024 + 1)), invalidField('value'));
    await assert.rejects(app.sip.setPreference(a, 'big', 'é'.repeat(32 * 1024 + 1)), invalidField('value'), 'counted in UTF-8 bytes');
    await app.sip.setPreference(a, 'big', 'x'.repeat(64 * 1024));
    await assert.rejects(app.sip.setPreference(a, 'nul', 'a\u0000b'), invalidField('value'));
    await assert.rejects(app.sip.setPreference(a, 'surrogate', 'a\ud800b'), invalidField('value'));
    await app.sip.setPreference(a, 'emoji', 'paired surrogates are fine 💬');
    await assert.rejects(app.sip.setPreference(a, 'num', 5 as unknown as string), invalidField('value'));
    await assert.rejects(app.sip.preferences(a, ['ok', 'not ok']), invalidField('keys.1'));
    await assert.rejects(app.sip.preferences(a, Array.from({ length: MAX_PREFERENCES + 1 }, (_, i) => `k${i}`)), invalidField('keys'));

    const b = await actorOf(app, (await app.users.create(SYSTEM_ACTOR, { login: 'pfull@example.com' })).id);
    for (let i = 0; i < MAX_PREFERENCES; i++) await app.sip.setPreference(b, `key${i}`, String(i));
    await assert.rejects(app.sip.setPreference(b, 'one-more', 'v'), invalidField('key'));
    await app.sip.setPreference(b, 'key0', 'replacing is fine at the limit');
    assert.equal((await app.sip.preferences(b)).size, MAX_PREFERENCES);
  });
});
