import { foldLegacyUri } from '../../core/legacyUri.js';
import type { AddIn, Category, Group, Origin, Room, User } from '../../core/model.js';

const originKey = (origin: Origin): string => `${origin.system}\u0000${origin.id}`;
const fold = (name: string): string => name.toLowerCase();

/** One kind of item in the target, found by origin (identity) or by name (a collision). */
export class TargetItems<T extends { id: number; origin?: Origin | null }> {
  private readonly byOrigin = new Map<string, T>();
  private readonly byName = new Map<string, T>();

  constructor(
    items: Iterable<T>,
    nameOf: (item: T) => string,
  ) {
    for (const item of items) {
      if (item.origin) this.byOrigin.set(originKey(item.origin), item);
      this.byName.set(fold(nameOf(item)), item);
    }
  }

  /**
   * The item an imported record lands on: the one with its identity, else the one with its name
   * (overwritten: Microsoft's merge semantics), else none (created).
   */
  match(identity: Origin | null, name: string): { item: T; by: 'origin' | 'name' } | null {
    const same = identity ? this.byOrigin.get(originKey(identity)) : undefined;
    if (same) return { item: same, by: 'origin' };
    const named = this.byName.get(fold(name));
    return named ? { item: named, by: 'name' } : null;
  }

  /** Every item (names are unique per kind in pchat). */
  all(): T[] {
    return [...this.byName.values()];
  }
}

/** The target's directory, for matching. */
export interface TargetIndex {
  readonly users: TargetItems<User>;
  readonly groups: TargetItems<Group>;
  readonly categories: TargetItems<Category>;
  readonly rooms: TargetItems<Room>;
  readonly addins: TargetItems<AddIn & { origin?: null }>;
  /** Rooms by legacy URI (folded with foldLegacyUri), which is unique among rooms. */
  readonly roomsByLegacyUri: ReadonlyMap<string, Room>;
}

export function targetIndex(snapshot: {
  users: ReadonlyMap<number, User>;
  groups: ReadonlyMap<number, Group>;
  categories: ReadonlyMap<number, Category>;
  rooms: ReadonlyMap<number, Room>;
  addins: ReadonlyMap<number, AddIn>;
}): TargetIndex {
  return {
    users: new TargetItems(snapshot.users.values(), (u) => u.login),
    groups: new TargetItems(snapshot.groups.values(), (g) => g.name),
    categories: new TargetItems(snapshot.categories.values(), (c) => c.name),
    rooms: new TargetItems(snapshot.rooms.values(), (r) => r.name),
    addins: new TargetItems(snapshot.addins.values(), (a) => a.name),
    roomsByLegacyUri: new Map([...snapshot.rooms.values()].flatMap((r) => (r.legacyUri === null ? [] : [[foldLegacyUri(r.legacyUri), r] as const]))),
  };
}
