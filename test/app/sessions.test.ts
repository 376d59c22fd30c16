import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ensureAdministrator } from '../../src/app/bootstrap.js';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { type Application, createApplication } from '../../src/app/index.js';
import { loadConfig } from '../../src/config/load.js';
import { PchatError } from '../../src/core/errors.js';
import { LocalEventBus } from '../../src/delivery/eventBus.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';

const HOUR = 3_600_000;
const PASSWORD = 'correct horse battery';

const code = (expected: string) => (error: unknown) => {
  assert.ok(error instanceof PchatError, String(error));
  assert.equal(error.code, expected, error.message);
  return true;
};

/** Token lifetime and idle expiry (config `sessions`), the throttled last-use write, and the must-change-password gate. */
describe('sessions: lifetime, idle expiry, last use, must-change password', () => {
  let dir: string;
  let store: Store;
  let now: number;
  let app: Application;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-sessions-app-'));
    store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    now = Date.UTC(2026, 0, 1);
    app = createApplication({ store, bus: new LocalEventBus(), clock: { now: () => now }, sessionPolicy: { lifetimeMs: 10 * HOUR, idleMs: HOUR } });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signIn = async () => {
    await app.users.create(SYSTEM_ACTOR, { login: 'alice@example.com', password: PASSWORD }).catch(() => undefined);
    return app.sessions.login({ login: 'alice@example.com', password: PASSWORD }, '192.0.2.1', 'Browser/1.0');
  };
  const lastUse = async (userId: number): Promise<number> => Date.parse((await app.accounts.list(SYSTEM_ACTOR, userId))[0]?.lastUsedAt ?? '');

  it('ends a session unused for the idle expiry, and keeps one in use', async () => {
    const { token, user } = await signIn();
    now += 59 * 60_000;
    await app.sessions.authenticate(token);
    now += 59 * 60_000; // 118 minutes after sign-in, 59 after the last use
    await app.sessions.authenticate(token);
    now += HOUR + 1;
    await assert.rejects(app.sessions.authenticate(token), code('unauthenticated'));
    assert.deepEqual(await app.accounts.list(SYSTEM_ACTOR, user.id), [], 'an idle session is not listed either');
  });

  it('ends a session at its lifetime however much it is used', async () => {
    const { token, expiresAt } = await signIn();
    assert.equal(expiresAt, now + 10 * HOUR);
    for (let i = 0; i < 20; i++) {
      now += 30 * 60_000;
      await app.sessions.authenticate(token);
    }
    now += 1;
    await assert.rejects(app.sessions.authenticate(token), code('unauthenticated'));
  });

  it('writes the last use at most once a minute, not at every request', async () => {
    const { token, user } = await signIn();
    const signedIn = now;
    assert.equal(await lastUse(user.id), signedIn);
    now += 59_000;
    await app.sessions.authenticate(token);
    await app.sessions.authenticate(token);
    assert.equal(await lastUse(user.id), signedIn, 'within a minute of the last write: nothing written');
    now += 1000;
    await app.sessions.authenticate(token);
    assert.equal(await lastUse(user.id), now, 'a minute after: written');
  });

  it('records the device and address given at sign-in', async () => {
    const { user, sessionId } = await signIn();
    const [listed] = await app.accounts.list(SYSTEM_ACTOR, user.id, sessionId);
    assert.deepEqual({ ...listed, createdAt: undefined, lastUsedAt: undefined }, {
      id: sessionId,
      kind: 'token',
      userAgent: 'Browser/1.0',
      address: '192.0.2.1',
      createdAt: undefined,
      lastUsedAt: undefined,
      expiresAt: new Date(now + 10 * HOUR).toISOString(),
      current: true,
    });
  });

  it("keeps a connection's session while the connection is used (uses written in one batch), and drops one left unused by a dead server", async () => {
    // A day of idle expiry: what drops the dead connection here is its hour without use.
    const app = createApplication({ store, bus: new LocalEventBus(), clock: { now: () => now }, sessionPolicy: { lifetimeMs: 10 * HOUR, idleMs: 24 * HOUR } });
    const user = await app.users.create(SYSTEM_ACTOR, { login: 'irc@example.com', password: PASSWORD });
    const [live, dead] = await Promise.all([
      app.accounts.openConnection(user.id, 'irc', { userAgent: 'IRC: live', address: '192.0.2.9' }),
      app.accounts.openConnection(user.id, 'sip', { userAgent: 'UCCAPI', address: '192.0.2.9' }),
    ]);
    const listed = async () => (await app.accounts.list(SYSTEM_ACTOR, user.id)).map((s) => s.id);
    assert.deepEqual(await listed(), [live, dead]);
    now += 30 * 60_000;
    app.accounts.used(live);
    await app.accounts.flush();
    now += 31 * 60_000;
    assert.deepEqual(await listed(), [live], 'an hour without use: the connection is gone');
    await app.accounts.closeConnection(live);
    assert.deepEqual(await listed(), []);
  });

  it('lets a generated first administrator password do nothing but change itself', async () => {
    const created = await ensureAdministrator(app.context, undefined);
    const oneTime = created?.generatedPassword as string;
    const login = await app.sessions.login({ login: 'admin', password: oneTime });
    assert.equal(login.mustChangePassword, true);
    await assert.rejects(app.sessions.authenticate(login.token), code('password_change_required'));
    await assert.rejects(app.sessions.verifyCredentials('admin', oneTime), code('password_change_required'), 'IRC sign-in refused too');
    const allowed = await app.sessions.authenticateSession(login.token, { passwordChange: true });
    assert.equal(allowed.mustChangePassword, true);
    await assert.rejects(app.accounts.changePassword(allowed.actor, allowed.sessionId, { currentPassword: 'wrong-password', newPassword: 'chosen-password-1' }), code('wrong_password'));
    await app.accounts.changePassword(allowed.actor, allowed.sessionId, { currentPassword: oneTime, newPassword: 'chosen-password-1' });
    assert.equal((await app.sessions.authenticate(login.token)).userId, login.user.id, 'the session that changed it goes on, unrestricted');
    assert.equal((await app.sessions.login({ login: 'admin', password: 'chosen-password-1' })).mustChangePassword, false);
  });

  it('does not ask an administrator whose password came from the configuration to change it', async () => {
    await ensureAdministrator(app.context, 'configured-password');
    const login = await app.sessions.login({ login: 'admin', password: 'configured-password' });
    assert.equal(login.mustChangePassword, false);
    await app.sessions.authenticate(login.token);
  });

  it('reads the lifetime and idle expiry from the environment, and names a bad value', () => {
    const config = loadConfig({ env: { PCHAT_SESSION_LIFETIME_HOURS: '48', PCHAT_SESSION_IDLE_HOURS: '0.5' }, overrides: { dataDir: dir } });
    assert.deepEqual(config.sessions, { lifetimeHours: 48, idleHours: 0.5 });
    assert.deepEqual(loadConfig({ env: {}, overrides: { dataDir: dir } }).sessions, { lifetimeHours: 720, idleHours: 336 });
    assert.throws(() => loadConfig({ env: { PCHAT_SESSION_IDLE_HOURS: '0' }, overrides: { dataDir: dir } }), /sessions\.idleHours/);
  });
});
