import { z } from 'zod';
import { invalid, notFound, notPermitted, PchatError } from '../core/errors.js';
import type { User } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { type AppContext, requireAdmin } from './context.js';
import { hashPassword } from './passwords.js';
import { revokeSessions } from './revocation.js';
import { ntHashFor } from './sipCredentials.js';
import { id, parse } from './validate.js';

// Logins are SIP-style or e-mail-style identifiers: no spaces, no control characters.
const login = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\s\p{Cc}]+$/u, 'A login cannot contain spaces or control characters.');
/** A password's shape; its minimum length is the deployment's (checkPasswordLength). */
export const password = z.string().min(1, 'A password cannot be empty.').max(1024);

/** Refuses a new password shorter than `accounts.minPasswordLength` (default 8), naming the field. */
export function checkPasswordLength(ctx: AppContext, field: string, value: string | undefined): void {
  const min = ctx.minPasswordLength;
  if (value !== undefined && value.length < min) throw invalid(field, `A password needs at least ${min} characters.`);
}
const displayName = z.string().trim().min(1).max(256);
const email = z.email().max(256).nullable();

export const createUserInput = z.strictObject({
  login,
  displayName: displayName.optional(),
  email: email.optional(),
  password: password.optional(),
  isAdmin: z.boolean().default(false),
  disabled: z.boolean().default(false),
});
export const updateUserInput = z.strictObject({
  login: login.optional(),
  displayName: displayName.optional(),
  email: email.optional(),
  password: password.optional(),
  isAdmin: z.boolean().optional(),
  disabled: z.boolean().optional(),
});

/** What other users may see of a user; administrators also see e-mail and flags. */
export function publicUser(user: User, viewer: Actor): Record<string, unknown> {
  const base = { id: user.id, login: user.login, displayName: user.displayName, disabled: user.disabled };
  return viewer.isAdmin || viewer.userId === user.id ? { ...base, email: user.email, isAdmin: user.isAdmin, origin: user.origin } : base;
}

export function userUseCases(ctx: AppContext) {
  const changed = () => ctx.bus.publish({ type: 'directory.changed', what: 'user' });

  return {
    async list(actor: Actor): Promise<User[]> {
      void actor; // any signed-in user may list users, to choose room members
      return [...(await ctx.directory.snapshot()).users.values()];
    },

    async get(actor: Actor, userId: number): Promise<User> {
      void actor;
      const user = (await ctx.directory.snapshot()).users.get(parse(id, userId));
      if (!user) throw notFound('user');
      return user;
    },

    async create(actor: Actor, input: unknown): Promise<User> {
      requireAdmin(actor);
      const data = parse(createUserInput, input);
      checkPasswordLength(ctx, 'password', data.password);
      const passwordHash = data.password ? await hashPassword(data.password) : null;
      const user = await ctx.store.users.create({
        login: data.login,
        displayName: data.displayName ?? data.login,
        email: data.email ?? null,
        isAdmin: data.isAdmin,
        disabled: data.disabled,
        origin: null,
        passwordHash,
      });
      // The NT hash for SIP NTLM, when this deployment keeps them (it is sealed to the user id, known only now).
      const sealed = data.password ? ntHashFor(ctx, user.id, data.password) : null;
      if (sealed && passwordHash) await ctx.store.users.setNtHashEnc(user.id, sealed, passwordHash);
      await changed();
      return user;
    },

    /**
     * Administrators change anyone (a password set here is a reset: all the user's sessions
     * end); a user may change their own display name and e-mail.
     */
    async update(actor: Actor, userId: number, input: unknown): Promise<User> {
      const data = parse(updateUserInput, input);
      checkPasswordLength(ctx, 'password', data.password);
      const self = actor.userId === userId;
      if (!actor.isAdmin && !(self && data.login === undefined && data.isAdmin === undefined && data.disabled === undefined)) {
        throw notPermitted('Only administrators may change other users, logins and account flags.');
      }
      // One's own password changes only with the current one (accounts.changePassword).
      if (self && data.password !== undefined) {
        throw invalid('password', 'Change your own password with POST /api/v1/me/password, giving the current password.');
      }
      const user = await ctx.store.users.get(parse(id, userId));
      if (!user) throw notFound('user');
      const next: User = {
        ...user,
        login: data.login ?? user.login,
        displayName: data.displayName ?? user.displayName,
        email: data.email === undefined ? user.email : data.email,
        isAdmin: data.isAdmin ?? user.isAdmin,
        disabled: data.disabled ?? user.disabled,
      };
      const losesAdmin = user.isAdmin && !user.disabled && (!next.isAdmin || next.disabled);
      if (losesAdmin && (await ctx.store.users.countAdmins()) <= 1) {
        throw new PchatError('conflict', 'This is the last active administrator; make another one first.', { field: next.disabled ? 'disabled' : 'isAdmin' });
      }
      await ctx.store.users.update(next);
      // Replaces the NT hash in the same write (removes it when this process has no SIP key).
      if (data.password) await ctx.store.users.setPasswordHash(userId, await hashPassword(data.password), ntHashFor(ctx, userId, data.password));
      if (next.disabled && !user.disabled) {
        // A disabled user is signed out everywhere, at once.
        await revokeSessions(ctx, userId, {}, 'An administrator disabled your account.');
      } else if (data.password) {
        // An administrator's reset: every session of the account ends (its connections close).
        await revokeSessions(ctx, userId, {}, 'An administrator reset your password; sign in with the new one.');
      }
      await changed();
      return next;
    },
  };
}
