import { groupChatRoomUri } from '../../../core/legacyUri.js';
import type { AddinRecord, CategoryRecord, PrincipalRefRecord, RoomRecord } from '../../archive/records.js';
import type { Dump, NodeRow } from './load.js';
import { codePoints, MAX_NAME_CHARS } from '../../../core/validation.js';
import { distinctName } from '../../names.js';
import { fittedName, item, type Notes } from './notes.js';
import { rootManagersRule, type RootManagersOptions } from './rootManagers.js';

/**
 * The node tree → flat categories and rooms (docs/groupchat-dump.md, "Conversions").
 *
 * - The root (the node that is its own parent, id 1) is not a prefix: its children are the
 *   top-level categories. It becomes a category itself only when rooms sit directly in it.
 * - A nested category is named by its ancestors below the root and itself, joined by " / "
 *   (`Engineering / Platform / Storage`); rooms in a nested category get the same prefix
 *   (`Engineering / Platform / Storage / oncall`). Rooms of top-level categories keep their names.
 * - Settings left NULL on a category (invite, logged, filePost) are inherited from its parent;
 *   at the root, NULL means on.
 * - Scope: a category's allowed list is that of the nearest node (itself or an ancestor) that
 *   lists allowed principals; denied principals accumulate down the path (denying never grants).
 * - Creators accumulate down the path too. Managers of a category manage every room below it
 *   (the root's managers therefore manage every room, Microsoft's documented rule). A category
 *   whose scope leaves a root manager out would make the import drop them from its rooms
 *   (pchat's role holders lie within the category's scope): by default (`every-room`) the
 *   manager is added to that category's allowed principals, reported; with `scope` the scope is
 *   kept and the drop reported. A root manager the category *denies* stays out either way
 *   (denied wins: an ethical wall is never opened by a conversion), reported.
 * - A room keeps its legacy address `ma-chan://<domain>/<nodeGuid>` (legacyUri) so that legacy
 *   clients find it again; the domain is the deployment's SIP domain (the first organisation
 *   domain). Without a nodeGuid or a domain it is null, with a warning.
 */

export const SEPARATOR = ' / ';

export { ROOT_MANAGERS_RULES, type RootManagersRule } from './rootManagers.js';
export type TreeOptions = RootManagersOptions;

const UNKNOWN_CREATED = '1970-01-01T00:00:00.000Z';

export interface TreeOut {
  readonly addins: AddinRecord[];
  readonly categories: CategoryRecord[];
  readonly rooms: RoomRecord[];
  /** Disabled rooms, whose messages are left out. */
  readonly skippedRooms: ReadonlySet<number>;
}

interface Resolved {
  readonly node: NodeRow;
  /** Ancestors from the root's child down to the node itself (the root excluded). */
  readonly path: readonly NodeRow[];
  readonly root: NodeRow;
}

const sortedRefs = (refs: Iterable<PrincipalRefRecord>) =>
  [...new Map([...refs].map((r) => [`${r.kind}:${r.id}`, r])).values()].sort((a, b) => (a.kind === b.kind ? Number(a.id) - Number(b.id) : a.kind < b.kind ? 1 : -1));

export function convertTree(dump: Dump, refs: ReadonlyMap<number, PrincipalRefRecord>, notes: Notes, domain: string | null, options: TreeOptions): TreeOut {
  const resolved = resolvePaths(dump, notes);
  const nodeItem = (n: NodeRow) => item(n.isCategory ? 'category' : 'room', n.id, n.name);

  // Grants per node, with every reference checked once.
  const ref = (principal: number, node: number, what: string): PrincipalRefRecord | null => {
    const r = refs.get(principal);
    if (!r) notes.error('principal_missing', item('principal', principal), `${what} on node ${node} names principal ${principal}, which is not in tblPrincipal.`);
    return r ?? null;
  };
  const allowed = new Map<number, PrincipalRefRecord[]>();
  const denied = new Map<number, PrincipalRefRecord[]>();
  for (const s of dump.scopes) {
    const node = dump.nodes.get(s.node);
    if (!node) {
      notes.warning('node_missing', item('node', s.node), `tblScopePrincipal line ${s.line} names node ${s.node}, which is not in tblNode; ignored.`);
      continue;
    }
    if (!node.isCategory) {
      notes.warning('scope_on_room', nodeItem(node), `A scope entry on room ${node.name} (line ${s.line}) is ignored: scopes belong to categories.`);
      continue;
    }
    const r = ref(s.principal, s.node, 'A scope entry');
    if (r) (s.denied ? denied : allowed).set(s.node, [...((s.denied ? denied : allowed).get(s.node) ?? []), r]);
  }
  const roleHolders = new Map<string, PrincipalRefRecord[]>(); // `${node}:${role}`
  for (const g of dump.roles) {
    const node = dump.nodes.get(g.node);
    const role = dump.lookups.roles.get(g.type);
    if (!node) {
      notes.warning('node_missing', item('node', g.node), `tblPrincipalRole line ${g.line} names node ${g.node}, which is not in tblNode; ignored.`);
      continue;
    }
    if (!role) {
      notes.warning('role_type_unknown', nodeItem(node), `tblPrincipalRole line ${g.line}: role type ${g.type} is unknown; ignored.`);
      continue;
    }
    const r = ref(g.principal, g.node, `A ${role} role`);
    if (!r) continue;
    const key = `${g.node}:${role}`;
    roleHolders.set(key, [...(roleHolders.get(key) ?? []), r]);
  }
  const holders = (node: number, role: string) => roleHolders.get(`${node}:${role}`) ?? [];

  const addins: AddinRecord[] = [];
  for (const [id, a] of [...(dump.addins ?? new Map())].sort((x, y) => x[0].localeCompare(y[0]))) {
    if (!/^https?:\/\//i.test(a.url)) notes.error('addin_url_invalid', item('addin', id, a.name), `Add-in ${a.name} has the URL "${a.url}"; pchat accepts only http and https.`);
    addins.push({ id, name: a.name.slice(0, MAX_NAME_CHARS) || id, url: a.url.slice(0, 2048) || 'about:blank' });
  }

  const categories: CategoryRecord[] = [];
  const rooms: RoomRecord[] = [];
  const skippedRooms = new Set<number>();
  const categoryNames = new Map<string, number>();
  const roomNames = new Map<string, number>();
  // A name pchat cannot take (too long after flattening, or equal to another one) is shortened or
  // told apart by a suffix from the node id, and reported (src/interchange/names.ts): the
  // migration goes on, and every run gives the item the same name.
  const named = (kind: 'category' | 'room', node: NodeRow, full: string, seen: Map<string, number>): string => {
    let name = fittedName(notes, kind, node.id, full.trim(), (shortened) => ({
      itemName: shortened,
      message: `The ${kind} name "${full}" has ${codePoints(full.trim())} characters after flattening; at most ${MAX_NAME_CHARS} are allowed, so it is shortened to "${shortened}" (rename it with --renames to choose the name).`,
    }));
    const other = seen.get(name.toLowerCase());
    if (other !== undefined) {
      const distinct = distinctName(name, kind, String(node.id));
      notes.conversion('name_deduplicated', item(kind, node.id, distinct), `The ${kind} name "${name}" is used by nodes ${other} and ${node.id} after flattening; node ${node.id} is named "${distinct}" (rename it with --renames to choose the name).`);
      name = distinct;
    }
    seen.set(name.toLowerCase(), node.id);
    return name;
  };

  // Effective settings and grants along a path (root first).
  const chain = (r: Resolved) => [r.root, ...r.path];
  const inherit = (r: Resolved, pick: (n: NodeRow) => boolean | null) => chain(r).reduce((value, n) => pick(n) ?? value, true);
  const categoryNameOf = (r: Resolved) => (r.path.length === 0 ? r.root.name : r.path.map((n) => n.name).join(SEPARATOR));

  // Root managers whom a category's scope leaves out (see the header).
  const rootManagersInScope = rootManagersRule(options, notes, sortedRefs);
  const rootManagers = (r: Resolved) => sortedRefs(holders(r.root.id, 'manager'));
  const roomCounts = new Map<number, number>();
  for (const x of resolved.values()) if (!x.node.isCategory && !x.node.disabled) roomCounts.set(x.node.parent, (roomCounts.get(x.node.parent) ?? 0) + 1);

  const withRooms = new Set([...resolved.values()].filter((r) => !r.node.isCategory).map((r) => r.node.parent));
  for (const r of [...resolved.values()].filter((x) => x.node.isCategory).sort((a, b) => a.node.id - b.node.id)) {
    const n = r.node;
    if (r.path.length === 0 && !withRooms.has(n.id)) continue; // an empty root is only the tree's anchor
    const name = named('category', n, categoryNameOf(r), categoryNames);
    if (r.path.length >= 2) notes.conversion('category_flattened', item('category', n.id, name), `Nested category ${r.path.map((p) => p.name).join(' > ')} becomes the top-level category "${name}".`);
    const own = chain(r).filter((c) => allowed.has(c.id));
    const source = own[own.length - 1];
    if (source && source.id !== n.id) notes.conversion('scope_inherited', item('category', n.id, name), `Allowed members inherited from ${source.name} (${source.id}).`);
    if (!source) notes.warning('scope_empty', item('category', n.id, name), `No scope lists allowed members for ${name} or its parents: nobody may be given a role in its rooms.`);
    const category: CategoryRecord = {
      id: String(n.id),
      name,
      description: n.description.slice(0, 256),
      allowed: sortedRefs(source ? allowed.get(source.id)! : []),
      denied: sortedRefs(chain(r).flatMap((c) => denied.get(c.id) ?? [])),
      creators: sortedRefs(chain(r).flatMap((c) => holders(c.id, 'creator'))),
      invitations: inherit(r, (c) => c.invite),
      fileUpload: inherit(r, (c) => c.filePost),
      chatHistory: inherit(r, (c) => c.logged),
      origin: null,
    };
    categories.push(rootManagersInScope(category, rootManagers(r), roomCounts.get(n.id) ?? 0));
    for (const role of ['member', 'presenter'] as const) {
      if (holders(n.id, role).length > 0) notes.warning('role_ignored', item('category', n.id, name), `${holders(n.id, role).length} ${role} role(s) on a category have no pchat meaning; ignored.`);
    }
  }
  const emitted = new Set(categories.map((c) => Number(c.id)));

  let inheritedManagerRooms = 0;
  const guids = new Map<string, number>(); // nodeGuid → the room that has it
  for (const r of [...resolved.values()].filter((x) => !x.node.isCategory).sort((a, b) => a.node.id - b.node.id)) {
    const n = r.node;
    const category = resolved.get(n.parent)!;
    if (n.disabled) {
      skippedRooms.add(n.id);
      notes.conversion('room_disabled_skipped', item('room', n.id, n.name), `Room ${n.name} is disabled in the legacy system; it and its messages are not migrated.`);
      continue;
    }
    const fullName = category.path.length >= 2 ? `${categoryNameOf(category)}${SEPARATOR}${n.name}` : n.name;
    const name = named('room', n, fullName, roomNames);
    if (name !== n.name && codePoints(fullName) <= MAX_NAME_CHARS) notes.conversion('room_renamed', item('room', n.id, name), `Room ${n.name} is in a nested category; renamed "${name}".`);
    const it = item('room', n.id, name);

    const visibility = n.visibility === null ? undefined : dump.lookups.enums.get(n.visibility);
    const privacy = visibility === 'private' ? 'secret' : visibility === 'open' ? 'open' : 'closed';
    if (visibility !== 'private' && visibility !== 'open' && visibility !== 'scope') {
      notes.error('visibility_unknown', it, `Visibility ${n.visibility ?? 'NULL'} is not private, scope or open; taken as closed.`);
    }
    const behavior = n.behavior === null ? undefined : dump.lookups.enums.get(n.behavior);
    if (behavior !== 'normal' && behavior !== 'auditorium') notes.error('behavior_unknown', it, `Behavior ${n.behavior ?? 'NULL'} is not normal or auditorium; taken as normal.`);
    const type = behavior === 'auditorium' ? 'auditorium' : 'normal';

    const categoryInvites = inherit(category, (c) => c.invite);
    let invitations: 'inherit' | 'false' = n.invite === false ? 'false' : 'inherit';
    if (n.invite === true && !categoryInvites) {
      invitations = 'false';
      notes.warning('invitations_coerced', it, `Room ${name} enables invitations but its category disables them; set to false.`);
    }

    let addin: string | null = null;
    if (n.siopId !== null) {
      if (dump.addins?.has(n.siopId)) addin = n.siopId;
      else notes.warning('addin_missing', it, `Room ${name} uses add-in ${n.siopId}, which is not in tblSiopWhiteList; the room is migrated without it.`);
    }
    if (n.logged !== null || n.filePost !== null) {
      notes.conversion('room_setting_dropped', it, `Room ${name} sets its own chat history (${n.logged ?? 'NULL'}) / file posting (${n.filePost ?? 'NULL'}); pchat takes these from the category.`);
    }
    if (n.topic) notes.conversion('room_topic_dropped', it, `Room ${name} has the topic "${n.topic}"; pchat rooms have no topic.`);

    const inheritedManagers = chain(category).flatMap((c) => holders(c.id, 'manager'));
    if (inheritedManagers.length > 0) inheritedManagerRooms++;
    const creators = holders(n.id, 'creator');
    if (creators.length > 0) notes.conversion('room_creator_to_manager', it, `The room's creator role (${creators.length}) becomes the manager role.`);
    let presenters = holders(n.id, 'presenter');
    if (type === 'normal' && presenters.length > 0) {
      notes.warning('presenters_dropped', it, `Room ${name} is normal (not an auditorium) but has ${presenters.length} voiced principal(s); normal rooms have no presenters, so they are dropped.`);
      presenters = [];
    }
    if (n.addedOn === null) notes.conversion('room_created_unknown', it, `Room ${name} has no nodeAddedOn; its creation time is set to ${UNKNOWN_CREATED}.`);
    const legacyUri = n.guid !== null && domain ? groupChatRoomUri(domain, n.guid) : null;
    if (legacyUri === null) {
      const missing = n.guid === null ? 'no nodeGuid in tblNode' : 'no organisation SIP domain';
      notes.warning('legacy_uri_missing', it, `Room ${name} has ${missing}: it keeps no ma-chan:// address, so legacy clients that remember it will not find it.`);
    } else {
      const other = guids.get(n.guid!);
      if (other !== undefined) notes.error('legacy_uri_collision', it, `Rooms ${other} and ${n.id} have the same nodeGuid ${n.guid!}; a room's ma-chan:// address must be unique.`);
      guids.set(n.guid!, n.id);
    }
    rooms.push({
      id: String(n.id),
      name,
      description: n.description.slice(0, 256),
      category: String(category.node.id),
      privacy,
      type,
      members: sortedRefs(holders(n.id, 'member')),
      managers: sortedRefs([...holders(n.id, 'manager'), ...creators, ...inheritedManagers]),
      presenters: sortedRefs(presenters),
      invitations,
      addin,
      disabled: false,
      createdAt: n.addedOn === null ? UNKNOWN_CREATED : new Date(n.addedOn).toISOString(),
      origin: null,
      legacyUri,
    });
    if (!emitted.has(category.node.id)) throw new Error(`internal: room ${n.id} in unemitted category ${category.node.id}`);
  }
  for (const r of resolved.values()) {
    const managers = holders(r.node.id, 'manager');
    if (r.node.isCategory && managers.length > 0) {
      const code = r.path.length === 0 ? 'root_managers_to_rooms' : 'category_managers_to_rooms';
      const scope =
        r.path.length === 0
          ? `every room (${inheritedManagerRooms}; where a category's scope leaves them out: ${options.rootManagers === 'scope' ? 'not, with --root-managers scope' : 'added to that scope'}, unless the category denies them, see the root_manager_* notes)`
          : `every room under ${categoryNameOf(r)}`;
      notes.conversion(code, item('category', r.node.id, r.node.name), `The ${managers.length} manager(s) of category ${r.node.name} (${sortedRefs(managers).map((m) => `${m.kind} ${m.id}`).join(', ')}) become managers of ${scope}.`);
    }
  }
  return { addins, categories, rooms, skippedRooms };
}

/** Every node's path to its root; nodes whose parent is missing or that sit in a cycle are reported and left out. */
function resolvePaths(dump: Dump, notes: Notes): Map<number, Resolved> {
  const out = new Map<number, Resolved>();
  const roots = [...dump.nodes.values()].filter((n) => n.id === n.parent);
  if (roots.length === 0) notes.error('root_missing', null, 'tblNode has no root category (a node that is its own parent); nothing can be migrated.');
  for (const node of [...dump.nodes.values()].sort((a, b) => a.id - b.id)) {
    const path: NodeRow[] = [];
    let current: NodeRow | undefined = node;
    const seen = new Set<number>();
    while (current && current.id !== current.parent && !seen.has(current.id)) {
      seen.add(current.id);
      path.unshift(current);
      current = dump.nodes.get(current.parent);
    }
    const it = item(node.isCategory ? 'category' : 'room', node.id, node.name);
    if (!current) notes.error('parent_missing', it, `Node ${node.name} (line ${node.line}) descends from node ${path[0]!.parent}, which is not in tblNode; it is not migrated.`);
    else if (current.id !== current.parent) notes.error('node_cycle', it, `Node ${node.name} (line ${node.line}) is in a cycle of parents; it is not migrated.`);
    else if (path.some((n, i) => i < path.length - 1 && !n.isCategory)) notes.error('parent_not_category', it, `Node ${node.name} sits under a room; it is not migrated.`);
    else out.set(node.id, { node, path, root: current });
  }
  return out;
}
