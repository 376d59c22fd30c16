import type { ImportUseCases } from '../../app/imports.js';
import type { Actor } from '../../core/permissions.js';
import type { ImportedMessage } from '../../ports/store.js';
import type { RecordOf } from '../archive/records.js';
import { identityOf, type RecordSource } from '../source.js';
import { categoryFields, type IdMaps, mapRef, roomFields, sameFields } from './fields.js';
import type { ImportPlan } from './plan.js';
import type { TargetIndex } from './target.js';

/** What the application offers an import (the import use cases and a policy setter). */
export interface ImportPorts {
  readonly actor: Actor;
  readonly imports: ImportUseCases;
  setGroupMembers(groupId: number, members: { kind: 'user' | 'group'; id: number }[]): Promise<void>;
  setPolicy(rule: { scope: 'global' | 'site' | 'user'; targetId: number | null; enabled: boolean }): Promise<void>;
}

export interface ImportResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly messagesAdded: number;
  readonly roomsRenumbered: number;
}

export interface RunHooks {
  onItem?(): void;
  onMessages?(count: number): void;
}

const BATCH = 5000;

/**
 * Writes a checked plan into the target, in dependency order: groups and users, memberships,
 * add-ins, categories, rooms, policies, then each room's history in batches. Every write is
 * idempotent (items are found again by origin, messages skipped by origin), so a run that is
 * killed at any moment and started again ends exactly where an uninterrupted run would.
 */
export async function runImport(source: RecordSource, plan: ImportPlan, target: TargetIndex, ports: ImportPorts, hooks: RunHooks = {}): Promise<ImportResult> {
  const tally = { created: 0, updated: 0, unchanged: 0, messagesAdded: 0, roomsRenumbered: 0 };
  await writeDirectory(source, plan, target, ports, tally, hooks);
  await importContent(source, plan, plan.maps, ports, hooks, tally);
  await ports.imports.makeDurable(ports.actor);
  return tally;
}

/**
 * Writes everything but the messages, in dependency order (groups and users, memberships, add-ins,
 * categories, rooms, policies), completing `plan.maps` with the pchat id of every item.
 */
export async function writeDirectory(
  source: RecordSource,
  plan: Omit<ImportPlan, 'content'>,
  target: TargetIndex,
  ports: ImportPorts,
  tally: { created: number; updated: number; unchanged: number },
  hooks: RunHooks = {},
): Promise<void> {
  const { actor, imports } = ports;
  const maps: IdMaps = plan.maps;
  const identity = (r: { id: string; origin: { system: string; id: string } | null }) => identityOf(source.description, r);
  const resolveOnly = plan.level === 'content';
  const note = (existing: number | undefined, changed: boolean) => {
    if (existing === undefined) tally.created += 1;
    else if (changed) tally.updated += 1;
    else tally.unchanged += 1;
    hooks.onItem?.();
  };

  /** Saves an item unless the target already holds exactly these fields, and learns its pchat id. */
  const upsert = async (kind: keyof IdMaps, sourceId: string, stored: object | undefined, compared: Record<string, unknown>, save: (existing: number | null) => Promise<number>) => {
    const existing = maps[kind].get(sourceId);
    const changed = existing === undefined || !stored || !sameFields(stored as never, compared);
    if (changed) maps[kind].set(sourceId, await save(existing ?? null));
    note(existing, changed);
  };

  if (!resolveOnly) {
    for await (const g of source.records('groups')) {
      const fields = { name: g.name, description: g.description, origin: identity(g) };
      await upsert('group', g.id, target.groups.match(fields.origin, g.name)?.item, fields, (e) => imports.saveGroup(actor, e, fields));
    }
    // Users are only resolved (by the plan) when importing content alone.
    for await (const u of source.records('users')) {
      const fields = { login: u.login, displayName: u.displayName, email: u.email, disabled: u.disabled, isAdmin: u.isAdmin, origin: identity(u) };
      // isAdmin is not compared: an import never takes the administrator role away (see saveUser).
      const { isAdmin: _admin, ...compared } = fields;
      await upsert('user', u.id, target.users.match(fields.origin, u.login)?.item, compared, (e) => imports.saveUser(actor, e, fields));
    }
    await importMemberships(source, maps, target, ports);
    for await (const a of source.records('addins')) {
      await upsert('addin', a.id, target.addins.match(null, a.name)?.item, { name: a.name, url: a.url }, (e) => imports.saveAddin(actor, e, a.name, a.url));
    }
    for await (const c of source.records('categories')) {
      const fields = categoryFields(c, maps, identity(c), plan.scope)!;
      await upsert('category', c.id, target.categories.match(fields.origin, c.name)?.item, fields, (e) => imports.saveCategory(actor, e, fields));
    }
    for await (const r of source.records('rooms')) {
      const fields = roomFields(r, maps, identity(r), plan.scope)!;
      await upsert('room', r.id, target.rooms.match(fields.origin, r.name)?.item, fields, (e) => imports.saveRoom(actor, e, fields));
    }
    for await (const p of source.records('policies')) {
      const ref = p.target ? mapRef(maps, p.target) : null;
      await ports.setPolicy({ scope: p.scope, targetId: ref?.id ?? null, enabled: p.enabled });
    }
  }
}

/** Sets every imported group's direct members to the source's list (an overwrite, as for every field). */
async function importMemberships(source: RecordSource, maps: IdMaps, target: TargetIndex, ports: ImportPorts): Promise<void> {
  const lists = new Map<number, { kind: 'user' | 'group'; id: number }[]>();
  for (const groupId of maps.group.values()) lists.set(groupId, []);
  for await (const m of source.records('memberships')) {
    const groupId = maps.group.get(m.group)!;
    lists.get(groupId)!.push(mapRef(maps, m.member)!);
  }
  const stored = new Map(target.groups.all().map((g) => [g.id, g.members]));
  for (const [groupId, members] of lists) {
    if (!sameFields({ members: stored.get(groupId) ?? [] }, { members })) await ports.setGroupMembers(groupId, members);
  }
}

async function importContent(source: RecordSource, plan: ImportPlan, maps: IdMaps, ports: ImportPorts, hooks: RunHooks, tally: { messagesAdded: number; roomsRenumbered: number }): Promise<void> {
  const fresh = new Map(plan.content.map((c) => [c.room, c.new]));
  let room: string | null = null;
  let roomId = 0;
  let renumbered = false;
  let added = 0;
  let batch: ImportedMessage[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await ports.imports.importHistory(ports.actor, roomId, batch);
    added += result.inserted;
    renumbered ||= result.renumbered;
    hooks.onMessages?.(batch.length);
    batch = [];
  };
  const closeRoom = async () => {
    if (room === null) return;
    await flush();
    tally.messagesAdded += added;
    if (renumbered) tally.roomsRenumbered += 1;
    if (added > 0) await ports.imports.historyImported(ports.actor, roomId);
  };
  for await (const m of source.records('messages')) {
    if (m.room !== room) {
      await closeRoom();
      room = m.room;
      roomId = maps.room.get(m.room)!;
      renumbered = false;
      added = 0;
    }
    // Rooms with nothing new are read through without a write (a re-run costs one pass, no transactions).
    if (fresh.get(m.room) === 0) {
      hooks.onMessages?.(1);
      continue;
    }
    batch.push(importedMessage(m, maps, identityOf(source.description, m)));
    if (batch.length >= BATCH) await flush();
  }
  await closeRoom();
}

const importedMessage = (m: RecordOf['messages'], maps: IdMaps, origin: { system: string; id: string }): ImportedMessage => ({
  authorId: maps.user.get(m.author)!,
  kind: m.kind,
  title: m.title,
  text: m.text,
  createdAt: Date.parse(m.at),
  origin,
});
