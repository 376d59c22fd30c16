import { uniquePrincipals } from '../core/groupGraph.js';
import { PchatError } from '../core/errors.js';
import { MAX_LEGACY_URI } from '../core/legacyUri.js';
import type { Category, Group, Origin, Room, User } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { validateDescription, validateHttpUrl, validateName } from '../core/validation.js';
import type { BulkSession, ImportedMessage, ImportHistoryResult } from '../ports/store.js';
import { type AppContext, requireAdmin } from './context.js';
import { NODE_DOWN_AFTER_MS } from './pool.js';

export type UserFields = Omit<User, 'id' | 'createdAt'>;
export type GroupFields = Omit<Group, 'id' | 'members'>;
export type CategoryFields = Omit<Category, 'id'>;
/** A room's fields; without `legacyUri` an existing room keeps its own (a new one gets null). */
export type RoomFields = Omit<Room, 'id' | 'legacyUri'> & { readonly legacyUri?: string | null };

/**
 * The writes an import makes, for administrators only. Each creates the item when `existing` is
 * null and otherwise overwrites the existing one (found by origin, or by name: Microsoft's merge
 * semantics), keeping its pchat id. The importer (src/interchange) decides which; these check
 * the domain's rules and publish the change so live clients see imported rooms appear.
 */
export function importUseCases(ctx: AppContext) {
  const changed = (what: 'user' | 'group' | 'category' | 'addin') => ctx.bus.publish({ type: 'directory.changed', what });

  return {
    async saveUser(actor: Actor, existing: number | null, fields: UserFields): Promise<number> {
      requireAdmin(actor);
      const user = { ...fields, login: fields.login.trim(), displayName: fields.displayName || fields.login };
      let id = existing;
      if (id === null) id = (await ctx.store.users.create({ ...user, passwordHash: null })).id;
      else {
        const stored = await ctx.store.users.get(id);
        if (!stored) throw new Error(`user ${id} vanished during the import`);
        // An imported account never takes away the administrator role it already has here.
        await ctx.store.users.update({ ...stored, ...user, isAdmin: stored.isAdmin || user.isAdmin });
      }
      await changed('user');
      return id;
    },

    async saveGroup(actor: Actor, existing: number | null, fields: GroupFields): Promise<number> {
      requireAdmin(actor);
      const group = { ...fields, name: validateName(fields.name), description: fields.description.slice(0, 1024) };
      let id = existing;
      if (id === null) id = (await ctx.store.groups.create({ ...group, members: [] })).id;
      else {
        const stored = await ctx.store.groups.get(id);
        if (!stored) throw new Error(`group ${id} vanished during the import`);
        await ctx.store.groups.update({ ...stored, ...group });
      }
      await changed('group');
      return id;
    },

    async saveCategory(actor: Actor, existing: number | null, fields: CategoryFields): Promise<number> {
      requireAdmin(actor);
      const category = {
        ...fields,
        name: validateName(fields.name),
        description: validateDescription(fields.description),
        allowed: uniquePrincipals(fields.allowed),
        denied: uniquePrincipals(fields.denied),
        creators: uniquePrincipals(fields.creators),
      };
      const id = existing ?? (await ctx.store.categories.create(category)).id;
      if (existing !== null) await ctx.store.categories.update({ ...category, id });
      await changed('category');
      return id;
    },

    async saveAddin(actor: Actor, existing: number | null, name: string, url: string): Promise<number> {
      requireAdmin(actor);
      const addin = { name: validateName(name), url: validateHttpUrl(url) };
      const id = existing ?? (await ctx.store.addins.create(addin)).id;
      if (existing !== null) await ctx.store.addins.update({ ...addin, id });
      await changed('addin');
      return id;
    },

    async saveRoom(actor: Actor, existing: number | null, fields: RoomFields): Promise<number> {
      requireAdmin(actor);
      const room = {
        ...fields,
        name: validateName(fields.name),
        description: validateDescription(fields.description),
        members: uniquePrincipals(fields.members),
        managers: uniquePrincipals(fields.managers),
        presenters: fields.type === 'auditorium' ? uniquePrincipals(fields.presenters) : [],
      };
      if (room.legacyUri && room.legacyUri.length > MAX_LEGACY_URI) {
        throw new PchatError('invalid_input', `A legacy URI has at most ${MAX_LEGACY_URI} characters.`, { field: 'legacyUri' });
      }
      let id = existing;
      if (id === null) id = (await ctx.store.rooms.create({ ...room, legacyUri: room.legacyUri ?? null })).id;
      else {
        const stored = await ctx.store.rooms.get(id);
        if (!stored) throw new Error(`room ${id} vanished during the import`);
        await ctx.store.rooms.update({ ...room, id, createdAt: stored.createdAt, legacyUri: room.legacyUri === undefined ? stored.legacyUri : room.legacyUri });
        // (A room's creation time is kept from when it first appeared here.)
      }
      await ctx.bus.publish({ type: 'room.changed', roomId: id });
      return id;
    },

    /** Adds one batch of a room's history (see MessageStore.importHistory). */
    async importHistory(actor: Actor, roomId: number, messages: readonly ImportedMessage[]): Promise<ImportHistoryResult> {
      requireAdmin(actor);
      return ctx.store.messages.importHistory(roomId, messages);
    },

    /**
     * Opens a bulk session (see BulkImport) when the store has a bulk path and no server is
     * serving this database: a bulk import holds the write lock until it ends, and a live
     * server's posts would wait for it. Null otherwise: the import then writes batch by batch.
     */
    async beginBulk(actor: Actor, parts: number): Promise<BulkSession | null> {
      requireAdmin(actor);
      if (!ctx.store.bulk) return null;
      const now = ctx.clock.now();
      if ((await ctx.store.nodes.list()).some((node) => now - node.heartbeatAt <= NODE_DOWN_AFTER_MS)) return null;
      return ctx.store.bulk.begin(parts);
    },

    /** Tells the room's live clients to reload its history once a room's import is done. */
    async historyImported(actor: Actor, roomId: number): Promise<void> {
      requireAdmin(actor);
      await ctx.bus.publish({ type: 'room.historyMerged', roomId });
    },

    /**
     * Makes everything the import wrote durable. The CLI's import commits with SQLite
     * synchronous=normal (no fsync per commit; see docs/archive-format.md) and calls this once,
     * before it reports success.
     */
    async makeDurable(actor: Actor): Promise<void> {
      requireAdmin(actor);
      await ctx.store.sync();
    },

    /** Which of these origins of one system are already stored as messages (for dry runs). */
    async storedMessageOrigins(actor: Actor, system: string, ids: readonly string[]): Promise<Set<string>> {
      requireAdmin(actor);
      return ctx.store.messages.storedOrigins(system, ids);
    },

    /** Whether a room holds any message imported from this system (for dry runs). */
    async roomHoldsOrigins(actor: Actor, roomId: number, system: string): Promise<boolean> {
      requireAdmin(actor);
      return ctx.store.messages.roomHoldsOrigins(roomId, system);
    },
  };
}

export type ImportUseCases = ReturnType<typeof importUseCases>;
export type { Origin };
