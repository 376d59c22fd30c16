import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ntHash } from '../core/ntHash.js';
import type { AppContext } from './context.js';

/*
 * SIP sign-in and the NT hash.
 *
 * NTLM (what Lync / OCS clients sign in with, [MS-SIPAE]) can only be checked by a server that
 * holds the account's NT hash, MD4 of the password. That hash is password-equivalent: whoever
 * has it can sign in as the user through NTLM without knowing the password, and it is unsalted,
 * so it is open to precomputed guessing. pchat therefore keeps it only in deployments that use
 * SIP (the application was given a credential key), and only encrypted: AES-256-GCM under the key
 * file `sip.credentialKeyFile`, which lives outside the database. A database dump or backup alone
 * reveals no NT hash. It is written whenever a password is set and, for accounts that lack one,
 * at their next successful password sign-in (HTTP or IRC: the only moments pchat holds the
 * plaintext). Setting a password replaces it in the same write. It is never logged, exported or
 * returned by any API; only the SIP endpoint reads it, through `app.sip.ntHashOf`.
 */

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Binds a sealed hash to its account: a row copied onto another user does not decrypt. */
const associatedData = (userId: number): Buffer => Buffer.from(`pchat/sip-nt-hash/v${FORMAT}/user/${userId}`, 'utf8');

/** `format (1) ‖ IV (12) ‖ GCM tag (16) ‖ ciphertext` of the user's NT hash. */
export function sealNtHash(key: Buffer, userId: number, password: string): Buffer {
  // The password exactly as typed (no normalisation): NTLM clients hash what the user typed.
  const hash = ntHash(password);
  try {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(associatedData(userId));
    const body = Buffer.concat([cipher.update(hash), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT), iv, cipher.getAuthTag(), body]);
  } finally {
    hash.fill(0);
  }
}

/**
 * The NT hash in a sealed value, or null when it does not open with this key (another key, a
 * damaged or foreign value, another account's row). Never throws for bad input.
 */
export function openNtHash(key: Buffer, userId: number, sealed: Buffer): Buffer | null {
  if (sealed.length !== 1 + IV_BYTES + TAG_BYTES + 16 || sealed[0] !== FORMAT) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(associatedData(userId));
    decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/** The sealed NT hash to store with a new password, or null when this deployment keeps none (no key). */
export function ntHashFor(ctx: AppContext, userId: number, password: string): Buffer | null {
  return ctx.sipCredentialKey ? sealNtHash(ctx.sipCredentialKey, userId, password) : null;
}

/**
 * After a successful password check: stores the NT hash when the account has none that opens
 * with the current key (accounts from before SIP was enabled, or after the key was replaced).
 * `passwordHash` is the hash the password was checked against; a password changed meanwhile wins.
 */
export async function backfillNtHash(ctx: AppContext, userId: number, password: string, passwordHash: string): Promise<void> {
  const key = ctx.sipCredentialKey;
  if (!key) return;
  const stored = await ctx.store.users.ntHashEnc(userId);
  const current = stored ? openNtHash(key, userId, stored) : null;
  if (current) {
    current.fill(0);
    return;
  }
  await ctx.store.users.setNtHashEnc(userId, sealNtHash(key, userId, password), passwordHash);
}
