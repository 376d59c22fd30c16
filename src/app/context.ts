import type { Actor, RoomOperation } from '../core/permissions.js';
import { can, denial } from '../core/permissions.js';
import { notPermitted, PchatError, roomNotFound } from '../core/errors.js';
import type { Category, Room } from '../core/model.js';
import { DIRECT_DISABLED_MESSAGE, isDirect } from '../core/direct.js';
import type { Clock, EventBus } from '../ports/events.js';
import type { AppendResult, NewComplianceEvent, NewMessage, Store } from '../ports/store.js';
import type { Directory, Snapshot } from './directory.js';
import type { GroupCommit } from './groupCommit.js';
import type { ThrottleSettings } from './loginThrottle.js';

/** How long a sign-in lasts (config `sessions`): at most `lifetimeMs`, and ends after `idleMs` unused. */
export interface SessionPolicy {
  readonly lifetimeMs: number;
  readonly idleMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { lifetimeMs: 30 * 86_400_000, idleMs: 14 * 86_400_000 };

/** What every use case may use. Built once by the composition root. */
export interface AppContext {
  readonly store: Store;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly directory: Directory;
  /** Posts, group-committed: durable when the promise resolves. */
  readonly writer: GroupCommit<NewMessage, AppendResult>;
  /** Compliance records (JOIN, PART, BACKCHAT), group-committed the same way. */
  readonly compliance: GroupCommit<NewComplianceEvent, void>;
  /**
   * The key that encrypts NT hashes at rest (AES-256-GCM), given only when the deployment uses
   * SIP; null: no NT hashes are kept (see sipCredentials.ts).
   */
  readonly sipCredentialKey: Buffer | null;
  readonly sessionPolicy: SessionPolicy;
  /** The shortest password an account may be given (config `accounts.minPasswordLength`). */
  readonly minPasswordLength: number;
  /** The numbers of the sign-in throttle (config `signInThrottle`); undefined: the defaults. */
  readonly signInThrottle?: ThrottleSettings | undefined;
}

/** The local administrator the CLI acts as: every admin power, no chat identity. */
export const SYSTEM_ACTOR: Actor = {
  userId: 0,
  userIds: new Set(),
  groupIds: new Set(),
  isAdmin: true,
  disabled: false,
  chatEnabled: true,
  directEnabled: true,
};

/** Who calls a public route: disabled, so the permission model grants it nothing. */
export const ANONYMOUS_ACTOR: Actor = { ...SYSTEM_ACTOR, isAdmin: false, disabled: true, chatEnabled: false, directEnabled: false };

export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin || actor.disabled) throw notPermitted('Only administrators may do that.');
}

export interface RoomAccess {
  readonly snapshot: Snapshot;
  readonly room: Room;
  readonly category: Category;
}

/**
 * The one gate for room operations: answers room_not_found to anyone who may not find the
 * room (secret rooms stay invisible), and not_permitted to those who may find but not act.
 */
export async function roomAccess(ctx: AppContext, actor: Actor, roomId: number, operation: RoomOperation): Promise<RoomAccess> {
  const snapshot = await ctx.directory.snapshot();
  const found = snapshot.roomWithCategory(roomId);
  if (!found) throw roomNotFound();
  const { room, category } = found;
  if (!can(actor, operation, room, category)) {
    if (denial(actor, room, category) === 'room_not_found') throw roomNotFound();
    // A participant whose direct-message policy is off: the reason, not a riddle.
    if (isDirect(room) && operation === 'post' && !actor.directEnabled) throw notPermitted(DIRECT_DISABLED_MESSAGE);
    if (room.disabled) throw new PchatError('room_disabled', 'The room is disabled.');
    throw notPermitted(operation === 'post' && room.type === 'auditorium' ? 'Only presenters may post in an auditorium.' : `You may not ${operation} in this room.`);
  }
  return { snapshot, room, category };
}
