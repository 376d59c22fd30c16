import { isDirect, isParticipant } from './direct.js';
import { type Identity, matchesAny } from './groupGraph.js';
import type { Category, PrincipalRef, Room } from './model.js';

/**
 * The permission model: who may find, enter, read, post in, search and manage a room.
 * Pure functions over a snapshot; every protocol reaches them through the app layer.
 */
export const ROOM_OPERATIONS = ['find', 'enter', 'read', 'post', 'search', 'manage'] as const;
export type RoomOperation = (typeof ROOM_OPERATIONS)[number];

/** The signed-in user as the permission model sees them. */
export interface Actor extends Identity {
  readonly userId: number;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  /** The effective persistent chat policy. */
  readonly chatEnabled: boolean;
  /** The effective direct-message policy (policy kind `direct`): whether they may start and post in direct conversations. */
  readonly directEnabled: boolean;
}

/** Allowed and not denied by the category. Denied always wins. */
export function inCategoryScope(identity: Identity, category: Category): boolean {
  return matchesAny(identity, category.allowed) && !matchesAny(identity, category.denied);
}

export interface EffectiveRoles {
  readonly member: boolean;
  readonly manager: boolean;
  readonly presenter: boolean;
}

const NO_ROLES: EffectiveRoles = { member: false, manager: false, presenter: false };

/** Role grants count only while the holder stays inside the category's allowed − denied. */
export function effectiveRoles(identity: Identity, room: Room, category: Category): EffectiveRoles {
  if (!inCategoryScope(identity, category)) return NO_ROLES;
  return {
    member: matchesAny(identity, room.members),
    manager: matchesAny(identity, room.managers),
    presenter: room.type === 'auditorium' && matchesAny(identity, room.presenters),
  };
}

/**
 * Managers and presenters take part in the room as members do: a presenter who could not
 * enter the auditorium they present in would be absurd.
 */
function participates(roles: EffectiveRoles): boolean {
  return roles.member || roles.manager || roles.presenter;
}

export function can(actor: Actor, operation: RoomOperation, room: Room, category: Category): boolean {
  if (actor.disabled) return false;
  if (isDirect(room)) return canInDirect(actor, operation, room);
  const roles = effectiveRoles(actor, room, category);
  // Administration does not depend on the chat policy; a manager's role does, like all their chat.
  const manages = actor.isAdmin || (actor.chatEnabled && roles.manager);
  if (operation === 'manage') return manages;
  // Whoever manages a room can find it, even disabled, to re-enable or change it.
  if (operation === 'find' && manages) return true;
  // A disabled room cannot be entered by anyone; its history waits for re-enabling.
  if (room.disabled) return false;
  if (!actor.chatEnabled) return false;
  if (actor.isAdmin) return true;

  const inScope = inCategoryScope(actor, category);
  const mayRead = room.privacy === 'open' ? inScope : participates(roles);
  switch (operation) {
    case 'find':
      return room.privacy === 'secret' ? participates(roles) : inScope;
    case 'enter':
    case 'read':
    case 'search':
      return mayRead;
    case 'post':
      return mayRead && (room.type === 'normal' || roles.presenter);
  }
}

/**
 * A direct conversation (core/direct.ts): only its participants take part, administrators
 * included in "everyone else"; nobody manages it. The chat policy applies as everywhere; the
 * direct-message policy decides posting only, so a participant whose policy turned direct
 * messages off still reads what was said.
 */
function canInDirect(actor: Actor, operation: RoomOperation, room: Room): boolean {
  if (!actor.chatEnabled || room.disabled || !isParticipant(actor.userId, room)) return false;
  if (operation === 'manage') return false;
  if (operation === 'post') return actor.directEnabled;
  return true;
}

/** What to tell a caller who may not do `operation`: a room they cannot find does not exist. */
export function denial(actor: Actor, room: Room, category: Category): 'room_not_found' | 'not_permitted' {
  return can(actor, 'find', room, category) ? 'not_permitted' : 'room_not_found';
}

/** May create rooms in the category: an administrator, or a listed creator inside the scope. */
export function canCreateRoomIn(actor: Actor, category: Category): boolean {
  if (actor.disabled) return false;
  if (actor.isAdmin) return true;
  return actor.chatEnabled && inCategoryScope(actor, category) && matchesAny(actor, category.creators);
}

/** Role entries that the category no longer allows are dropped (e.g. when a room moves). */
export function rolesWithinScope(
  refs: readonly PrincipalRef[],
  category: Category,
  identityOfRef: (ref: PrincipalRef) => Identity,
): PrincipalRef[] {
  return refs.filter((ref) => inCategoryScope(identityOfRef(ref), category));
}
