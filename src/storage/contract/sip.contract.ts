import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../ports/store.js';
import type { StoreFactory } from './harness.js';

const newUser = (login: string, passwordHash: string | null = null) => ({
  login,
  displayName: login,
  email: null,
  disabled: false,
  isAdmin: false,
  origin: null,
  passwordHash,
});

/** The encrypted NT hash kept with the password for SIP NTLM, and per-user preferences. */
export function sipContract(factory: StoreFactory): void {
  describe(`${factory.name} store: SIP credentials and preferences`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    it('keeps an encrypted NT hash only with the password it was derived from', async () => {
      const u = await store.users.create(newUser('alice@example.com', 'h1'));
      assert.equal(await store.users.ntHashEnc(u.id), null, 'none at first');
      const sealed = Buffer.from([0, 1, 2, 255, 254, 0, 7]);
      assert.equal(await store.users.setNtHashEnc(u.id, sealed, 'h1'), true);
      assert.deepEqual(await store.users.ntHashEnc(u.id), sealed, 'bytes round-trip exactly');
      assert.equal(await store.users.setNtHashEnc(u.id, Buffer.from([9]), 'stale'), false, 'refused once the password hash differs');
      assert.deepEqual(await store.users.ntHashEnc(u.id), sealed);

      await store.users.setPasswordHash(u.id, 'h2');
      assert.equal(await store.users.ntHashEnc(u.id), null, 'a new password without one removes it');
      assert.equal(await store.users.setNtHashEnc(u.id, sealed, 'h1'), false, 'the old password cannot put it back');
      await store.users.setPasswordHash(u.id, 'h3', Buffer.from([3, 3]));
      assert.equal(await store.users.passwordHash(u.id), 'h3');
      assert.deepEqual(await store.users.ntHashEnc(u.id), Buffer.from([3, 3]), 'set with the password, in one write');

      const other = await store.users.create(newUser('bob@example.com', 'h1'));
      assert.equal(await store.users.ntHashEnc(other.id), null, 'per user');
      assert.equal(await store.users.setNtHashEnc(other.id, sealed, 'h1'), true);
      assert.deepEqual(await store.users.ntHashEnc(u.id), Buffer.from([3, 3]));
      assert.equal(await store.users.ntHashEnc(999_999), null, 'unknown user');
      assert.equal(await store.users.setNtHashEnc(999_999, sealed, 'h1'), false);

      // Not part of the user as the rest of the application sees it.
      assert.ok(!JSON.stringify(await store.users.get(u.id)).includes('nt'), 'users carry no NT hash');
    });

    it('keeps preferences per user, sets, replaces and removes them', async () => {
      const a = await store.users.create(newUser('a@example.com'));
      const b = await store.users.create(newUser('b@example.com'));
      assert.deepEqual(await store.preferences.list(a.id), []);
      assert.equal(await store.preferences.set(a.id, 'zeta', 'last', 10), true);
      assert.equal(await store.preferences.set(a.id, 'Alpha', 'x', 10), true);
      assert.equal(await store.preferences.set(a.id, 'alpha', '', 10), true, 'keys are case-sensitive, values may be empty');
      assert.equal(await store.preferences.set(a.id, 'émoji', '✓ 💬 <xml a="1"/>\n', 10), true);
      assert.equal(await store.preferences.set(b.id, 'alpha', 'bob', 10), true);
      assert.deepEqual(await store.preferences.list(a.id), [
        { key: 'Alpha', value: 'x' },
        { key: 'alpha', value: '' },
        { key: 'zeta', value: 'last' },
        { key: 'émoji', value: '✓ 💬 <xml a="1"/>\n' },
      ], 'in code-point order, whatever the database collation');
      assert.deepEqual(await store.preferences.list(b.id), [{ key: 'alpha', value: 'bob' }]);
      assert.deepEqual(await store.preferences.list(a.id, ['zeta', 'alpha', 'missing']), [
        { key: 'alpha', value: '' },
        { key: 'zeta', value: 'last' },
      ]);
      assert.deepEqual(await store.preferences.list(a.id, []), []);

      assert.equal(await store.preferences.set(a.id, 'zeta', 'replaced', 10), true);
      assert.equal(await store.preferences.set(a.id, 'Alpha', null, 10), true);
      assert.equal(await store.preferences.set(a.id, 'never-set', null, 10), true, 'removing a missing key is fine');
      assert.deepEqual(await store.preferences.list(a.id, ['zeta', 'Alpha']), [{ key: 'zeta', value: 'replaced' }]);
      const big = 'x'.repeat(65_536);
      await store.preferences.set(b.id, 'big', big, 10);
      assert.equal((await store.preferences.list(b.id, ['big']))[0]?.value, big);
    });

    it('refuses a new key beyond the limit but still replaces and removes', async () => {
      const u = await store.users.create(newUser('full@example.com'));
      for (const k of ['k1', 'k2', 'k3']) assert.equal(await store.preferences.set(u.id, k, k, 3), true);
      assert.equal(await store.preferences.set(u.id, 'k4', 'v', 3), false);
      assert.equal(await store.preferences.set(u.id, 'k2', 'new', 3), true, 'replacing at the limit');
      assert.deepEqual((await store.preferences.list(u.id)).map((p) => p.key), ['k1', 'k2', 'k3']);
      await store.preferences.set(u.id, 'k1', null, 3);
      assert.equal(await store.preferences.set(u.id, 'k4', 'v', 3), true, 'room again after a removal');
      // Concurrent new keys never exceed the limit.
      const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => store.preferences.set(u.id, k, k, 5)));
      assert.equal(results.filter(Boolean).length, 2);
      assert.equal((await store.preferences.list(u.id)).length, 5);
    });
  });
}
