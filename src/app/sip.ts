import { z } from 'zod';
import { invalid, notPermitted } from '../core/errors.js';
import type { User } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import type { AppContext } from './context.js';
import { openNtHash } from './sipCredentials.js';
import { id, parse } from './validate.js';

/** Most preferences one user keeps. */
export const MAX_PREFERENCES = 256;
/** Largest preference value, in UTF-8 bytes. */
export const MAX_PREFERENCE_BYTES = 64 * 1024;

/** Printable characters without spaces: no whitespace, control, format, private-use, unassigned or lone surrogate. */
const preferenceKey = z
  .string()
  .min(1, 'A preference key has at least 1 character.')
  .max(256, 'A preference key has at most 256 characters.')
  .regex(/^[^\s\p{C}]+$/u, 'A preference key has printable characters only, and no spaces.');
const preferenceValue = z
  .string()
  .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_PREFERENCE_BYTES, `A preference value has at most ${MAX_PREFERENCE_BYTES} bytes (UTF-8).`)
  // Both stores must keep it exactly: PostgreSQL text holds no NUL, and a lone surrogate has no UTF-8 form.
  .refine((v) => !v.includes('\u0000') && !/\p{Cs}/u.test(v), 'A preference value cannot contain NUL or unpaired surrogate characters.');

const preferencesInput = z.strictObject({ keys: z.array(preferenceKey).max(MAX_PREFERENCES).optional() });
const setPreferenceInput = z.strictObject({ key: preferenceKey, value: preferenceValue.nullable() });

/**
 * What the SIP endpoint needs from the application besides what every protocol uses: finding
 * an account by its SIP address, the NT hash that NTLM checks against, and the per-user
 * preferences a Lync / OCS client keeps on the server.
 */
export function sipUseCases(ctx: AppContext) {
  /** The actor's own account: preferences belong to a signed-in, existing user. */
  async function owner(actor: Actor): Promise<number> {
    if (actor.disabled || actor.userId <= 0 || !(await ctx.directory.snapshot()).users.has(actor.userId)) {
      throw notPermitted('Preferences belong to a signed-in user.');
    }
    return actor.userId;
  }

  return {
    /**
     * The account behind a SIP address (`sip:alice@example.com` or `alice@example.com`, any
     * case), or null. The domain must be one of `domains`. Tried in order: the login
     * `alice@example.com` (how accounts imported from Group Chat keep their legacy SIP URI), the
     * login `sip:alice@example.com`, then the login `alice` (a native account's address is
     * login@domain). Disabled accounts are returned too: the caller refuses them.
     */
    async userBySipAddress(address: string, domains: readonly string[]): Promise<User | null> {
      const bare = address.trim().replace(/^sip:/i, '');
      const at = bare.lastIndexOf('@');
      if (at <= 0 || at === bare.length - 1 || bare.indexOf('@') !== at || /[\s;<>"]/.test(bare) || bare.length > 512) return null;
      const local = bare.slice(0, at);
      const domain = bare.slice(at + 1).toLowerCase();
      if (!domains.some((d) => d.toLowerCase() === domain)) return null;
      for (const login of [`${local}@${domain}`, `sip:${local}@${domain}`, local]) {
        // Logins match case-insensitively in both stores.
        const user = await ctx.store.users.getByLogin(login);
        if (user) return user;
      }
      return null;
    },

    /**
     * The account's NT hash for NTLM, decrypted; null when it has none, when this deployment
     * has no credential key, or when the stored value does not open with the key (another key
     * file: the hash is rewritten at the account's next password sign-in). Never log it.
     */
    async ntHashOf(userId: number): Promise<Buffer | null> {
      const key = ctx.sipCredentialKey;
      if (!key) return null;
      const sealed = await ctx.store.users.ntHashEnc(parse(id, userId));
      return sealed ? openNtHash(key, userId, sealed) : null;
    },

    /** The actor's preferences (all, or those named), by key in code-point order. */
    async preferences(actor: Actor, keys?: readonly string[]): Promise<Map<string, string>> {
      const input = parse(preferencesInput, keys === undefined ? {} : { keys });
      const userId = await owner(actor);
      const rows = await ctx.store.preferences.list(userId, input.keys);
      return new Map(rows.map((p) => [p.key, p.value]));
    },

    /** Sets one of the actor's preferences; null removes it. At most 256 keys per user. */
    async setPreference(actor: Actor, key: string, value: string | null): Promise<void> {
      const input = parse(setPreferenceInput, { key, value });
      const userId = await owner(actor);
      if (!(await ctx.store.preferences.set(userId, input.key, input.value, MAX_PREFERENCES))) {
        throw invalid('key', `A user keeps at most ${MAX_PREFERENCES} preferences; remove one first.`);
      }
    },
  };
}
