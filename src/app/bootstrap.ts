import { randomBytes } from 'node:crypto';
import type { AppContext } from './context.js';
import { hashPassword } from './passwords.js';
import { ntHashFor } from './sipCredentials.js';

/**
 * On first start there is no administrator: create `admin` with the given password, or a
 * random one that the caller shows once and that must be changed at the first sign-in (the
 * API answers password_change_required to anything else). Returns the generated password, if any.
 */
export async function ensureAdministrator(ctx: AppContext, password: string | undefined): Promise<{ login: string; generatedPassword: string | null } | null> {
  if ((await ctx.store.users.countAdmins()) > 0) return null;
  const generated = password ? null : randomBytes(12).toString('base64url');
  const login = (await ctx.store.users.getByLogin('admin')) ? `admin-${randomBytes(3).toString('hex')}` : 'admin';
  const secret = password ?? (generated as string);
  const passwordHash = await hashPassword(secret);
  const admin = await ctx.store.users.create({
    login,
    displayName: 'Administrator',
    email: null,
    isAdmin: true,
    disabled: false,
    origin: null,
    passwordHash,
  });
  const sealed = ntHashFor(ctx, admin.id, secret);
  if (sealed) await ctx.store.users.setNtHashEnc(admin.id, sealed, passwordHash);
  // A generated password was shown once, in a terminal or a log: it opens only the form that replaces it.
  if (generated) await ctx.store.users.setMustChangePassword(admin.id, true);
  await ctx.bus.publish({ type: 'directory.changed', what: 'user' });
  return { login, generatedPassword: generated };
}
