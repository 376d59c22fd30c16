import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { NewSession, Store } from '../../ports/store.js';
import type { StoreFactory } from './harness.js';

const newUser = (login: string) => ({ login, displayName: login, email: null, disabled: false, isAdmin: false, origin: null, passwordHash: 'h' });

const session = (tokenHash: string, userId: number, extra: Partial<NewSession> = {}): NewSession => ({
  tokenHash,
  userId,
  kind: 'token',
  createdAt: 1_000_000,
  expiresAt: 9_000_000,
  userAgent: 'Mozilla/5.0 (test)',
  address: '192.0.2.7',
  ...extra,
});

/** Sessions: listed with their device and last use, ended one by one or all but one, swept when expired or idle. */
export function sessionsContract(factory: StoreFactory): void {
  describe(`${factory.name} store: sessions`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    it('stores a session by token hash with what the client said, and finds it with the must-change flag', async () => {
      const u = await store.users.create(newUser('alice@example.com'));
      const created = await store.sessions.create(session('hash-1', u.id), 0);
      assert.ok(Number.isInteger(created.id) && created.id > 0);
      assert.deepEqual(created, {
        id: created.id,
        userId: u.id,
        kind: 'token',
        createdAt: 1_000_000,
        lastUsedAt: 1_000_000,
        expiresAt: 9_000_000,
        userAgent: 'Mozilla/5.0 (test)',
        address: '192.0.2.7',
      });
      assert.deepEqual(await store.sessions.get('hash-1'), { ...created, mustChangePassword: false });
      assert.equal(await store.sessions.get('hash-unknown'), null);
      await store.users.setMustChangePassword(u.id, true);
      assert.equal((await store.sessions.get('hash-1'))?.mustChangePassword, true);
      assert.equal(await store.users.mustChangePassword(u.id), true);
      await store.users.setPasswordHash(u.id, 'h2');
      assert.equal(await store.users.mustChangePassword(u.id), false, 'a new password clears the flag');
      assert.equal((await store.sessions.get('hash-1'))?.mustChangePassword, false);
    });

    it("lists a user's sessions, oldest first, and only theirs", async () => {
      const a = await store.users.create(newUser('a@example.com'));
      const b = await store.users.create(newUser('b@example.com'));
      const first = await store.sessions.create(session('a1', a.id), 0);
      await store.sessions.create(session('b1', b.id), 0);
      const irc = await store.sessions.create(session('irc:x', a.id, { kind: 'irc', userAgent: null, address: null }), 0);
      assert.deepEqual(
        (await store.sessions.listForUser(a.id)).map((s) => [s.id, s.kind, s.userAgent]),
        [
          [first.id, 'token', 'Mozilla/5.0 (test)'],
          [irc.id, 'irc', null],
        ],
      );
    });

    it('creates many in one call, in the order given, and removes many by id', async () => {
      const a = await store.users.create(newUser('a@example.com'));
      const b = await store.users.create(newUser('b@example.com'));
      assert.deepEqual(await store.sessions.createMany([], 0), []);
      const made = await store.sessions.createMany(
        [session('irc:1', a.id, { kind: 'irc' }), session('sip:2', b.id, { kind: 'sip', userAgent: 'UCCAPI/4' }), session('irc:3', a.id, { kind: 'irc', address: '2001:db8::1' })],
        0,
      );
      assert.deepEqual(
        made.map((s) => [s.userId, s.kind, s.userAgent, s.address]),
        [
          [a.id, 'irc', 'Mozilla/5.0 (test)', '192.0.2.7'],
          [b.id, 'sip', 'UCCAPI/4', '192.0.2.7'],
          [a.id, 'irc', 'Mozilla/5.0 (test)', '2001:db8::1'],
        ],
      );
      assert.equal(new Set(made.map((s) => s.id)).size, 3);
      await store.sessions.removeMany([made[0]!.id, made[1]!.id]);
      await store.sessions.removeMany([]);
      assert.deepEqual((await store.sessions.listForUser(a.id)).map((s) => s.id), [made[2]!.id]);
      assert.deepEqual(await store.sessions.listForUser(b.id), []);
    });

    it('records uses in one call, never moving the last use backwards', async () => {
      const u = await store.users.create(newUser('u@example.com'));
      const s1 = await store.sessions.create(session('t1', u.id), 0);
      const s2 = await store.sessions.create(session('t2', u.id), 0);
      await store.sessions.touch([s1.id, s2.id], 2_000_000);
      await store.sessions.touch([s1.id], 1_500_000);
      await store.sessions.touch([], 3_000_000);
      assert.deepEqual(
        (await store.sessions.listForUser(u.id)).map((s) => s.lastUsedAt),
        [2_000_000, 2_000_000],
      );
    });

    it('removes by token hash (returning the row), by ids of the right user only, and all but one', async () => {
      const a = await store.users.create(newUser('a@example.com'));
      const b = await store.sessions.create(session('b-of-other', (await store.users.create(newUser('b@example.com'))).id), 0);
      const s1 = await store.sessions.create(session('s1', a.id), 0);
      const s2 = await store.sessions.create(session('s2', a.id), 0);
      const s3 = await store.sessions.create(session('s3', a.id), 0);
      const s4 = await store.sessions.create(session('s4', a.id), 0);

      assert.equal((await store.sessions.remove('s1'))?.id, s1.id);
      assert.equal(await store.sessions.remove('s1'), null, 'gone');
      assert.equal(await store.sessions.get('s1'), null);

      // Another user's id is not removed through this user.
      assert.deepEqual((await store.sessions.removeByIds(a.id, [s2.id, b.id, 999_999])).sort(), [s2.id]);
      assert.notEqual(await store.sessions.get('b-of-other'), null);

      assert.deepEqual(await store.sessions.removeForUser(a.id, s4.id), [s3.id]);
      assert.deepEqual((await store.sessions.listForUser(a.id)).map((s) => s.id), [s4.id]);
      assert.deepEqual(await store.sessions.removeForUser(a.id), [s4.id]);
      assert.deepEqual(await store.sessions.listForUser(a.id), []);
    });

    it('sweeps expired and idle sessions when a new one is created', async () => {
      const u = await store.users.create(newUser('u@example.com'));
      await store.sessions.create(session('expired', u.id, { createdAt: 100, expiresAt: 500 }), 0);
      const idle = await store.sessions.create(session('idle', u.id, { createdAt: 100, expiresAt: 9_000_000 }), 0);
      const used = await store.sessions.create(session('used', u.id, { createdAt: 100, expiresAt: 9_000_000 }), 0);
      await store.sessions.touch([used.id], 900);
      // Now is 1000: expiry before 1000 goes, and anything unused since before 800.
      await store.sessions.create(session('new', u.id, { createdAt: 1000 }), 800);
      const left = (await store.sessions.listForUser(u.id)).map((s) => s.id);
      assert.equal(left.includes(idle.id), false, 'idle since 100');
      assert.equal(left.includes(used.id), true, 'used at 900');
      assert.equal(await store.sessions.get('expired'), null);
      assert.equal(left.length, 2);
    });
  });
}
