import type { ImportUseCases } from '../../app/imports.js';
import { PchatError } from '../../core/errors.js';
import type { Actor } from '../../core/permissions.js';
import type { Origin } from '../../core/model.js';
import type { BlobStore, ImportedMessage } from '../../ports/store.js';
import type { RecordOf } from '../archive/records.js';
import { identityOf, type RecordSource } from '../source.js';
import { categoryFields, type IdMaps, mapRef, roomFields, sameFields } from './fields.js';
import type { ImportPlan } from './plan.js';
import { keptReactions } from './reactions.js';
import { ReplyLinks } from './replyLinks.js';
import { type ItemDecisions, membershipKept, messageSkipReason, policyKept, resolvedAddin, resolvedCategory, resolvedGroup, resolvedRoom, resolvedUser, roomSkipReason } from './resolve.js';
import type { TargetIndex } from './target.js';

/** What the application offers an import (the import use cases and a policy setter). */
export interface ImportPorts {
  readonly actor: Actor;
  readonly imports: ImportUseCases;
  setGroupMembers(groupId: number, members: { kind: 'user' | 'group'; id: number }[]): Promise<void>;
  setPolicy(rule: { scope: 'global' | 'site' | 'user'; targetId: number | null; enabled: boolean }): Promise<void>;
  /** Where the bytes of imported files go (the target's blob store); null when the target keeps none. */
  readonly blobs: Pick<BlobStore, 'put'> | null;
}

export interface ImportResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly messagesAdded: number;
  readonly roomsRenumbered: number;
  /** Imported messages that carry a file (each with its file row). */
  readonly filesAdded: number;
  /** Distinct contents put in the blob store by this run (content already there is not stored twice). */
  readonly fileContentsPut: number;
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
  const tally = { created: 0, updated: 0, unchanged: 0, messagesAdded: 0, roomsRenumbered: 0, filesAdded: 0, fileContentsPut: 0 };
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
  plan: Omit<ImportPlan, 'content' | 'resolutions'>,
  target: TargetIndex,
  ports: ImportPorts,
  tally: { created: number; updated: number; unchanged: number },
  hooks: RunHooks = {},
): Promise<void> {
  const { actor, imports } = ports;
  const maps: IdMaps = plan.maps;
  const identity = (r: { id: string; origin: { system: string; id: string } | null }) => identityOf(source.description, r);
  const resolveOnly = plan.level === 'content';
  // Item-level problems are resolved as the plan decided (resolve.ts): the same names, the same skips.
  const d = plan.decisions;
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
    for await (const record of source.records('groups')) {
      const g = resolvedGroup(record, d);
      const fields = { name: g.name, description: g.description, origin: identity(g) };
      await upsert('group', g.id, target.groups.match(fields.origin, g.name)?.item, fields, (e) => imports.saveGroup(actor, e, fields));
    }
    // Users are only resolved (by the plan) when importing content alone.
    for await (const record of source.records('users')) {
      // A user the people mapping found in pchat is that account, written by nobody here.
      if (d.mapped.has(record.id) || d.sameAs.has(record.id)) continue;
      const u = resolvedUser(record, d);
      const fields = { login: u.login, displayName: u.displayName, email: u.email, disabled: u.disabled, isAdmin: u.isAdmin, origin: identity(u) };
      // isAdmin is not compared: an import never takes the administrator role away (see saveUser).
      const { isAdmin: _admin, ...compared } = fields;
      await upsert('user', u.id, target.users.match(fields.origin, u.login)?.item, compared, (e) => imports.saveUser(actor, e, fields));
    }
    for (const [id, as] of d.sameAs) {
      const account = maps.user.get(as);
      if (account !== undefined) maps.user.set(id, account);
    }
    await importMemberships(source, maps, target, ports, d);
    for await (const record of source.records('addins')) {
      const a = resolvedAddin(record, d);
      if (!a) continue;
      await upsert('addin', a.id, target.addins.match(null, a.name)?.item, { name: a.name, url: a.url }, (e) => imports.saveAddin(actor, e, a.name, a.url));
    }
    for await (const record of source.records('categories')) {
      const c = resolvedCategory(record, d);
      const fields = categoryFields(c, maps, identity(c), plan.scope)!;
      await upsert('category', c.id, target.categories.match(fields.origin, c.name)?.item, fields, (e) => imports.saveCategory(actor, e, fields));
    }
    for await (const record of source.records('rooms')) {
      const r = resolvedRoom(record, d);
      if (!r) continue;
      const fields = roomFields(r, maps, identity(r), plan.scope)!;
      await upsert('room', r.id, target.rooms.match(fields.origin, r.name)?.item, fields, (e) => imports.saveRoom(actor, e, fields));
    }
    for await (const p of source.records('policies')) {
      if (!policyKept(p, d)) continue;
      const ref = p.target ? mapRef(maps, p.target) : null;
      await ports.setPolicy({ scope: p.scope, targetId: ref?.id ?? null, enabled: p.enabled });
    }
  }
}

/** Sets every imported group's direct members to the source's list (an overwrite, as for every field). */
async function importMemberships(source: RecordSource, maps: IdMaps, target: TargetIndex, ports: ImportPorts, decisions: ItemDecisions): Promise<void> {
  const lists = new Map<number, { kind: 'user' | 'group'; id: number }[]>();
  for (const groupId of maps.group.values()) lists.set(groupId, []);
  for await (const m of source.records('memberships')) {
    if (!membershipKept(m, decisions)) continue;
    const groupId = maps.group.get(m.group)!;
    lists.get(groupId)!.push(mapRef(maps, m.member)!);
  }
  const stored = new Map(target.groups.all().map((g) => [g.id, g.members]));
  for (const [groupId, members] of lists) {
    if (!sameFields({ members: stored.get(groupId) ?? [] }, { members })) await ports.setGroupMembers(groupId, members);
  }
}

type ContentTally = { messagesAdded: number; roomsRenumbered: number; filesAdded: number; fileContentsPut: number };

async function importContent(source: RecordSource, plan: ImportPlan, maps: IdMaps, ports: ImportPorts, hooks: RunHooks, tally: ContentTally): Promise<void> {
  const fresh = new Map(plan.content.map((c) => [c.room, c.new]));
  // Contents put by this run: a file posted in many messages is put once.
  const put = new Set<string>();
  let room: string | null = null;
  let roomId = 0;
  let renumbered = false;
  let added = 0;
  let roomSkipped = false;
  let batch: ImportedMessage[] = [];
  const links = new ReplyLinks(plan.context.replyParents, plan.context.system, true);
  const flush = async () => {
    if (batch.length === 0) return;
    // A file's bytes are durable in the blob store before the transaction that writes its row.
    if (batch.some((m) => m.file)) await putFiles(source, ports, batch, put, tally);
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
      // A skipped room's messages, and each skipped message, are left out as the plan said.
      roomSkipped = roomSkipReason(m.room, plan.context) !== null;
      roomId = roomSkipped ? 0 : maps.room.get(m.room)!;
      renumbered = false;
      added = 0;
    }
    if (roomSkipped || messageSkipReason(m, plan.context) !== null) {
      hooks.onMessages?.(1);
      continue;
    }
    // Rooms with nothing new are read through without a write (a re-run costs one pass, no transactions).
    if (fresh.get(m.room) === 0) {
      hooks.onMessages?.(1);
      continue;
    }
    const identity = identityOf(source.description, m);
    batch.push(importedMessage(m, maps, identity, links.parentOf(m, identity), plan.context.userIds));
    if (batch.length >= BATCH) await flush();
  }
  await closeRoom();
}

/**
 * Puts the bytes of the files of a batch's new messages (those whose identity the target does not
 * hold yet: a re-run or a resumed run puts nothing for what it imported before), each content once
 * per run, checking that the store got exactly the bytes the message says. The put of content the
 * store has already keeps one copy (and refreshes its time, so the orphan sweep of a running server
 * leaves it until its row commits).
 */
async function putFiles(source: RecordSource, ports: ImportPorts, batch: readonly ImportedMessage[], put: Set<string>, tally: ContentTally): Promise<void> {
  const bySystem = new Map<string, string[]>();
  for (const m of batch) {
    if (!m.file) continue;
    const ids = bySystem.get(m.origin.system);
    if (ids) ids.push(m.origin.id);
    else bySystem.set(m.origin.system, [m.origin.id]);
  }
  const stored = new Map<string, Set<string>>();
  for (const [system, ids] of bySystem) stored.set(system, await ports.imports.storedMessageOrigins(ports.actor, system, ids));
  for (const m of batch) {
    const file = m.file;
    if (!file || stored.get(m.origin.system)?.has(m.origin.id)) continue;
    tally.filesAdded += 1;
    if (put.has(file.sha256)) continue;
    if (!ports.blobs) throw new PchatError('invalid_input', 'the archive carries files, and this target has no file store to put them in');
    const bytes = source.openFile ? await source.openFile(file.sha256) : null;
    if (!bytes) throw new PchatError('invalid_archive', `the source does not hold the file "${file.name}" (SHA-256 ${file.sha256}) of message ${m.origin.id}`);
    const result = await ports.blobs.put(bytes, file.size);
    if (result.sha256 !== file.sha256 || result.size !== file.size) {
      throw new PchatError('invalid_archive', `the file "${file.name}" of message ${m.origin.id} read as ${result.size} bytes of SHA-256 ${result.sha256}, not the ${file.size} bytes of ${file.sha256} its record says`);
    }
    put.add(file.sha256);
    tally.fileContentsPut += 1;
  }
}

const importedMessage = (m: RecordOf['messages'], maps: IdMaps, origin: Origin, parent: Origin | null, userIds: ReadonlySet<string>): ImportedMessage => ({
  authorId: maps.user.get(m.author)!,
  kind: m.kind,
  title: m.title,
  text: m.text,
  createdAt: Date.parse(m.at),
  origin,
  ...(m.file && { file: { name: m.file.name, contentType: m.file.contentType, size: m.file.size, sha256: m.file.sha256, origin } }),
  // A parent the check did not find earlier in the room (a warning of the plan) leaves a plain message.
  ...(parent && { replyTo: parent }),
  ...(m.editedAt !== undefined && { editedAt: Date.parse(m.editedAt) }),
  ...(m.reactions !== undefined && { reactions: keptReactions(m, userIds).kept.map((r) => ({ emoji: r.emoji, userIds: r.users.map((u) => maps.user.get(u)!) })) }),
});
