import { notFound, PchatError } from '../core/errors.js';
import { GroupGraph, identityOf } from '../core/groupGraph.js';
import { foldLegacyUri } from '../core/legacyUri.js';
import type { AddIn, Category, ChatConfig, Group, PolicyKind, PolicyRule, PrincipalRef, Room, User } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { policyEnabledFor } from '../core/policy.js';
import { DIRECT_CATEGORY, directPairKey, isDirect, participantsOf } from '../core/direct.js';
import type { DomainEvent, EventBus } from '../ports/events.js';
import type { Maintenance } from '../ports/pool.js';
import type { Store } from '../ports/store.js';

/**
 * An immutable picture of everything permission checks need: users, groups, categories, rooms,
 * add-ins, policy and chat configuration. Messages are not in it. Rebuilt after any change
 * event, so the hot paths (post, deliver, search) never query storage to authorise.
 */
export class Snapshot {
  readonly graph: GroupGraph;
  readonly users: ReadonlyMap<number, User>;
  readonly groups: ReadonlyMap<number, Group>;
  readonly categories: ReadonlyMap<number, Category>;
  readonly rooms: ReadonlyMap<number, Room>;
  readonly addins: ReadonlyMap<number, AddIn>;
  private readonly actors = new Map<number, Actor>();
  private byLegacyUri: Map<string, Room> | null = null;
  private directByUser: Map<number, Room[]> | null = null;
  private directByPair: Map<string, Room> | null = null;

  constructor(
    users: User[],
    groups: Group[],
    categories: Category[],
    rooms: Room[],
    addins: AddIn[],
    readonly policies: readonly PolicyRule[],
    readonly config: ChatConfig,
    /** Pool-wide read-only maintenance, or null. */
    readonly maintenance: Maintenance | null = null,
    /** The direct-message policy's rules (same scopes as `policies`). */
    readonly directPolicies: readonly PolicyRule[] = [],
  ) {
    this.graph = new GroupGraph(groups);
    this.users = new Map(users.map((u) => [u.id, u]));
    this.groups = new Map(groups.map((g) => [g.id, g]));
    this.categories = new Map(categories.map((c) => [c.id, c]));
    this.rooms = new Map(rooms.map((r) => [r.id, r]));
    this.addins = new Map(addins.map((a) => [a.id, a]));
  }

  /** One policy's rules: persistent chat (`chat`) or direct conversations (`direct`). */
  policiesOf(kind: PolicyKind): readonly PolicyRule[] {
    return kind === 'direct' ? this.directPolicies : this.policies;
  }

  /** The permission model's view of a user; null when the user does not exist. */
  actor(userId: number): Actor | null {
    const cached = this.actors.get(userId);
    if (cached) return cached;
    const user = this.users.get(userId);
    if (!user) return null;
    const actor: Actor = {
      ...identityOf({ kind: 'user', id: userId }, this.graph),
      userId,
      isAdmin: user.isAdmin,
      disabled: user.disabled,
      chatEnabled: policyEnabledFor(userId, this.policies, this.graph),
      directEnabled: policyEnabledFor(userId, this.directPolicies, this.graph),
    };
    this.actors.set(userId, actor);
    return actor;
  }

  category(id: number): Category {
    const category = this.categories.get(id);
    if (!category) throw notFound('category');
    return category;
  }

  /** A room with its category; rooms the caller may not find are filtered by the caller. */
  roomWithCategory(id: number): { room: Room; category: Category } | null {
    const room = this.rooms.get(id);
    if (!room) return null;
    // A direct conversation's category is hidden: no listing holds it, the permission model needs it.
    if (isDirect(room)) return { room, category: DIRECT_CATEGORY };
    const category = this.categories.get(room.categoryId);
    return category ? { room, category } : null;
  }

  /** The user's direct conversations, oldest first (the index is built at the first call). */
  directRoomsOf(userId: number): readonly Room[] {
    if (!this.directByUser) this.indexDirect();
    return this.directByUser?.get(userId) ?? [];
  }

  /** The one-to-one conversation of two users, or null. */
  directPair(a: number, b: number): Room | null {
    if (!this.directByPair) this.indexDirect();
    return this.directByPair?.get(directPairKey([a, b]) ?? '') ?? null;
  }

  private indexDirect(): void {
    const byUser = new Map<number, Room[]>();
    const byPair = new Map<string, Room>();
    for (const room of this.rooms.values()) {
      if (!isDirect(room)) continue;
      const ids = participantsOf(room);
      for (const id of ids) {
        let list = byUser.get(id);
        if (!list) byUser.set(id, (list = []));
        list.push(room);
      }
      const pair = directPairKey(ids);
      if (pair !== null) byPair.set(pair, room);
    }
    this.directByUser = byUser;
    this.directByPair = byPair;
  }

  /**
   * The room a legacy client knows by this URI (Room.legacyUri), compared case-insensitively as
   * the stores' unique index does; null when none has it. The index is built at the first call.
   */
  roomByLegacyUri(uri: string): Room | null {
    if (!this.byLegacyUri) {
      this.byLegacyUri = new Map();
      for (const room of this.rooms.values()) if (room.legacyUri !== null) this.byLegacyUri.set(foldLegacyUri(room.legacyUri), room);
    }
    return this.byLegacyUri.get(foldLegacyUri(uri.trim())) ?? null;
  }

  principalExists(ref: PrincipalRef): boolean {
    return ref.kind === 'user' ? this.users.has(ref.id) : this.groups.has(ref.id);
  }

  principalName(ref: PrincipalRef): string {
    return ref.kind === 'user' ? (this.users.get(ref.id)?.login ?? `user ${ref.id}`) : (this.groups.get(ref.id)?.name ?? `group ${ref.id}`);
  }

  /** Checks that every referenced principal exists; names the offending list entry. */
  assertPrincipalsExist(refs: readonly PrincipalRef[], field: string): void {
    refs.forEach((ref, i) => {
      if (!this.principalExists(ref)) {
        throw new PchatError('invalid_input', `No ${ref.kind} has id ${ref.id}.`, { field: `${field}.${i}` });
      }
    });
  }
}

/** Keeps the current Snapshot, reloading it lazily after change events from any process. */
export class Directory {
  private current: Promise<Snapshot> | null = null;
  private latest: Snapshot | null = null;
  private generation = 0;

  constructor(
    private readonly store: Store,
    bus: EventBus,
  ) {
    bus.subscribe((event) => {
      if (changesDirectory(event)) this.invalidate();
    });
  }

  invalidate(): void {
    this.generation += 1;
    this.current = null;
  }

  /**
   * The most recently loaded snapshot, possibly a moment old: for presentation only (display
   * names on the delivery hot path), never for permission checks.
   */
  peek(): Snapshot | null {
    return this.latest;
  }

  snapshot(): Promise<Snapshot> {
    if (!this.current) this.current = this.load();
    return this.current;
  }

  private async load(): Promise<Snapshot> {
    for (;;) {
      const generation = this.generation;
      const s = this.store;
      const [users, groups, categories, rooms, addins, policies, config, maintenance, directPolicies] = await Promise.all([
        s.users.list(),
        s.groups.list(),
        s.categories.list(),
        s.rooms.list(),
        s.addins.list(),
        s.policies.list(),
        s.settings.chatConfig(),
        s.settings.maintenance(),
        s.directPolicies.list(),
      ]);
      // A change committed while we read may have been half-seen: read again.
      if (generation === this.generation) {
        this.latest = new Snapshot(users, groups, categories, rooms, addins, policies, config, maintenance, directPolicies);
        return this.latest;
      }
    }
  }
}

function changesDirectory(event: DomainEvent): boolean {
  return event.type === 'room.changed' || event.type === 'room.deleted' || event.type === 'direct.opened' || event.type === 'directory.changed' || event.type === 'pool.changed';
}
