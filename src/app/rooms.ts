import { z } from 'zod';
import { notPermitted, PchatError, roomNotFound } from '../core/errors.js';
import { identityOf, uniquePrincipals } from '../core/groupGraph.js';
import { type Category, PRIVACIES, type PrincipalRef, type Room, ROOM_TYPES } from '../core/model.js';
import { type Actor, can, canCreateRoomIn, effectiveRoles, rolesWithinScope } from '../core/permissions.js';
import { validateDescription, validateName } from '../core/validation.js';
import { isDirect } from '../core/direct.js';
import { assertWithinScope } from './categories.js';
import { type AppContext, requireAdmin, roomAccess } from './context.js';
import type { Snapshot } from './directory.js';
import { id, parse, principalList } from './validate.js';

const settingsShape = {
  name: z.string(),
  description: z.string(),
  categoryId: id,
  privacy: z.enum(PRIVACIES),
  type: z.enum(ROOM_TYPES),
  invitations: z.enum(['inherit', 'false']),
  addinId: id.nullable(),
  disabled: z.boolean(),
  members: principalList,
  managers: principalList,
  presenters: principalList,
};
export const createRoomInput = z.strictObject({
  ...settingsShape,
  description: settingsShape.description.default(''),
  privacy: settingsShape.privacy.default('closed'),
  type: settingsShape.type.default('normal'),
  invitations: settingsShape.invitations.default('inherit'),
  addinId: settingsShape.addinId.default(null),
  disabled: settingsShape.disabled.default(false),
  members: principalList.default([]),
  managers: principalList.default([]),
  presenters: principalList.default([]),
});
export const updateRoomInput = z.strictObject(
  Object.fromEntries(Object.entries(settingsShape).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof settingsShape]: z.ZodOptional<(typeof settingsShape)[K]>;
  },
);
export const directoryQuery = z.strictObject({
  q: z.string().max(256).optional(),
  categoryId: z.coerce.number().pipe(id).optional(),
  after: z.coerce.number().pipe(z.int().nonnegative()).optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(1000)).default(200),
});

type RoomSettings = Omit<Room, 'id' | 'createdAt'>;

/** What a caller sees of a room: its settings, their own roles and powers, and the role lists they may see. */
export interface RoomView {
  readonly room: Room;
  readonly category: Category;
  readonly roles: { member: boolean; manager: boolean; presenter: boolean };
  readonly can: { enter: boolean; read: boolean; post: boolean; manage: boolean };
  readonly invitationsEnabled: boolean;
}

export function viewRoom(actor: Actor, room: Room, category: Category): RoomView {
  const roles = effectiveRoles(actor, room, category);
  return {
    // Open rooms have no membership list; everyone allowed may read it anyway.
    room: room.privacy === 'open' ? { ...room, members: [] } : room,
    category,
    roles,
    can: {
      enter: can(actor, 'enter', room, category),
      read: can(actor, 'read', room, category),
      post: can(actor, 'post', room, category),
      manage: can(actor, 'manage', room, category),
    },
    invitationsEnabled: category.invitations && room.invitations === 'inherit',
  };
}

type RoleList = 'members' | 'managers' | 'presenters';
const ROLE_LISTS: readonly RoleList[] = ['members', 'managers', 'presenters'];

/**
 * Validates room settings against the snapshot and the domain rules. Role lists are checked
 * against the category's scope only when `changed` names them: an entry that a later category
 * change put out of scope is kept but has no effect (effectiveRoles ignores it), and must not
 * make the room uneditable.
 */
function checkSettings(snapshot: Snapshot, settings: RoomSettings, changed: readonly RoleList[] = ROLE_LISTS): RoomSettings {
  const category = snapshot.categories.get(settings.categoryId);
  if (!category) throw new PchatError('invalid_input', `No category has id ${settings.categoryId}.`, { field: 'categoryId' });
  if (settings.addinId !== null && !snapshot.addins.has(settings.addinId)) {
    throw new PchatError('invalid_input', `No add-in has id ${settings.addinId}.`, { field: 'addinId' });
  }
  const next = {
    ...settings,
    name: validateName(settings.name),
    description: validateDescription(settings.description),
    members: uniquePrincipals(settings.members),
    managers: uniquePrincipals(settings.managers),
    presenters: uniquePrincipals(settings.presenters),
  };
  if (next.type === 'normal' && next.presenters.length > 0) {
    throw new PchatError('invalid_input', 'Only auditorium rooms have presenters.', { field: 'presenters' });
  }
  for (const list of changed) {
    snapshot.assertPrincipalsExist(next[list], list);
    assertWithinScope(snapshot, next[list], category, list);
  }
  return next;
}

export function roomUseCases(ctx: AppContext) {
  const newlyInvitedUsers = (before: readonly PrincipalRef[], after: readonly PrincipalRef[]): number[] =>
    after.filter((r) => r.kind === 'user' && !before.some((b) => b.kind === 'user' && b.id === r.id)).map((r) => r.id);

  const announce = async (room: Room, category: Category, previousMembers: readonly PrincipalRef[]): Promise<void> => {
    await ctx.bus.publish({ type: 'room.changed', roomId: room.id });
    if (category.invitations && room.invitations === 'inherit' && !room.disabled) {
      for (const userId of newlyInvitedUsers(previousMembers, room.members)) {
        await ctx.bus.publish({ type: 'user.invited', roomId: room.id, userId });
      }
    }
  };

  return {
    /** The room directory as the caller may see it, in id order with a keyset cursor. */
    async directory(actor: Actor, query: unknown = {}): Promise<{ rooms: RoomView[]; next: number | null }> {
      const q = parse(directoryQuery, query);
      const snapshot = await ctx.directory.snapshot();
      const needle = q.q?.toLocaleLowerCase();
      const views: RoomView[] = [];
      for (const room of snapshot.rooms.values()) {
        if (room.id <= (q.after ?? 0)) continue;
        // Direct conversations are no rooms of the directory, not even for their participants (app/direct.ts lists them).
        if (isDirect(room)) continue;
        if (q.categoryId !== undefined && room.categoryId !== q.categoryId) continue;
        if (needle && !room.name.toLocaleLowerCase().includes(needle) && !room.description.toLocaleLowerCase().includes(needle)) continue;
        const category = snapshot.categories.get(room.categoryId);
        if (!category || !can(actor, 'find', room, category)) continue;
        views.push(viewRoom(actor, room, category));
        if (views.length > q.limit) break;
      }
      const more = views.length > q.limit;
      if (more) views.pop();
      return { rooms: views, next: more ? (views.at(-1)?.room.id ?? null) : null };
    },

    async get(actor: Actor, roomId: number): Promise<RoomView> {
      const { room, category } = await roomAccess(ctx, actor, parse(id, roomId), 'find');
      return viewRoom(actor, room, category);
    },

    /** By name, ignoring case; answers room_not_found exactly as for an id the caller may not find. */
    async getByName(actor: Actor, name: string): Promise<RoomView> {
      const snapshot = await ctx.directory.snapshot();
      const wanted = name.trim().toLocaleLowerCase();
      const room = [...snapshot.rooms.values()].find((r) => !isDirect(r) && r.name.toLocaleLowerCase() === wanted);
      if (!room) throw roomNotFound();
      const { category } = await roomAccess(ctx, actor, room.id, 'find');
      return viewRoom(actor, room, category);
    },

    async create(actor: Actor, input: unknown): Promise<RoomView> {
      const data = parse(createRoomInput, input);
      const snapshot = await ctx.directory.snapshot();
      const category = snapshot.categories.get(data.categoryId);
      if (!category) throw new PchatError('invalid_input', `No category has id ${data.categoryId}.`, { field: 'categoryId' });
      if (!canCreateRoomIn(actor, category)) throw notPermitted('You are not a creator in this category.');
      // The creator of a room becomes its manager (administrators manage every room anyway).
      const managers = actor.isAdmin ? data.managers : [...data.managers, { kind: 'user' as const, id: actor.userId }];
      const settings = checkSettings(snapshot, { ...data, managers, origin: null, legacyUri: null });
      const room = await ctx.store.rooms.create(settings);
      await announce(room, category, []);
      return viewRoom(actor, room, category);
    },

    /**
     * Managers edit settings and role lists; they cannot move a room to a category where they
     * are not creators. Moving drops every role entry the new category does not allow.
     */
    async update(actor: Actor, roomId: number, input: unknown): Promise<RoomView & { dropped: PrincipalRef[] }> {
      const data = parse(updateRoomInput, input);
      const { snapshot, room } = await roomAccess(ctx, actor, roomId, 'manage');
      const patch = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Partial<RoomSettings>;
      let merged: RoomSettings = { ...room, ...patch };
      const dropped: PrincipalRef[] = [];
      if (merged.categoryId !== room.categoryId) {
        const target = snapshot.categories.get(merged.categoryId);
        if (!target) throw new PchatError('invalid_input', `No category has id ${merged.categoryId}.`, { field: 'categoryId' });
        if (!canCreateRoomIn(actor, target)) throw notPermitted('You may only move a room into a category where you are a creator.');
        const keep = (list: readonly PrincipalRef[]): PrincipalRef[] => {
          const kept = rolesWithinScope(list, target, (ref) => identityOf(ref, snapshot.graph));
          dropped.push(...list.filter((r) => !kept.includes(r)));
          return kept;
        };
        merged = { ...merged, members: keep(merged.members), managers: keep(merged.managers), presenters: keep(merged.presenters) };
      }
      if (merged.type === 'normal' && data.presenters === undefined) merged = { ...merged, presenters: [] };
      // A move filtered every list already; otherwise check only the lists this request sets.
      const changedLists = ROLE_LISTS.filter((list) => data[list] !== undefined);
      const next: Room = { ...checkSettings(snapshot, merged, changedLists), id: room.id, createdAt: room.createdAt };
      await ctx.store.rooms.update(next);
      const category = snapshot.category(next.categoryId);
      await announce(next, category, room.members);
      return { ...viewRoom(actor, next, category), dropped: uniquePrincipals(dropped) };
    },

    /**
     * For a connected session after a change: which of its open rooms it may still read, and
     * why not for the others. Protocols use this to disconnect members at once.
     */
    async recheck(userId: number, roomIds: Iterable<number>): Promise<Map<number, 'ok' | 'deleted' | 'disabled' | 'revoked'>> {
      const snapshot = await ctx.directory.snapshot();
      const actor = snapshot.actor(userId);
      const verdicts = new Map<number, 'ok' | 'deleted' | 'disabled' | 'revoked'>();
      for (const roomId of roomIds) {
        const found = snapshot.roomWithCategory(roomId);
        if (!found) verdicts.set(roomId, 'deleted');
        else if (found.room.disabled) verdicts.set(roomId, 'disabled');
        else verdicts.set(roomId, actor && can(actor, 'read', found.room, found.category) ? 'ok' : 'revoked');
      }
      return verdicts;
    },

    /** Only administrators delete rooms; history goes with them, compliance records stay. */
    async remove(actor: Actor, roomId: number): Promise<void> {
      requireAdmin(actor);
      await roomAccess(ctx, actor, roomId, 'manage');
      await ctx.store.rooms.remove(roomId);
      await ctx.bus.publish({ type: 'room.deleted', roomId });
    },
  };
}
