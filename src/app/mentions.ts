import { z } from 'zod';
import { mentionCandidates, NOTIFY_LEVELS } from '../core/mentions.js';
import type { Category, Message, PrincipalRef, Room, User } from '../core/model.js';
import { type Actor, can } from '../core/permissions.js';
import { type AppContext, roomAccess } from './context.js';
import type { Snapshot } from './directory.js';
import { id, parse } from './validate.js';

export const mentionsQuery = z.strictObject({
  /** Keyset cursor: only mentions in messages with a smaller id (the previous page's `nextBefore`). */
  before: z.coerce.number().pipe(z.int().positive()).optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(100)).default(30),
});

export const peopleQuery = z.strictObject({
  /** The start of a login, of a display name or of one of its words; case does not matter. Empty: everyone, alphabetically. */
  prefix: z.string().max(256).default(''),
  limit: z.coerce.number().pipe(z.int().min(1).max(50)).default(10),
});

export const notifyInput = z.strictObject({ notify: z.enum(NOTIFY_LEVELS) });

/** A person offered for completion: who may read the room. */
export interface Person {
  readonly id: number;
  readonly login: string;
  readonly displayName: string;
}

interface PeopleIndex {
  readonly byLogin: ReadonlyMap<string, User>;
  /** Each user's keys (as in `keys`), for rooms whose readers are listed rather than everyone. */
  readonly keysOf: ReadonlyMap<number, readonly string[]>;
  readonly admins: readonly number[];
  /** Per room or category of this snapshot, the users its lists name (listedReaders). */
  readonly listed: Map<Room | Category, ReadonlySet<number>>;
  /** Lower-cased login, display name and each display-name word, sorted, each with its user: a prefix is a binary search away. */
  readonly keys: readonly { readonly key: string; readonly user: User }[];
}

// Built once per directory snapshot (which any change replaces), so a keystroke never scans every user.
const indexes = new WeakMap<Snapshot, PeopleIndex>();
function peopleIndex(snapshot: Snapshot): PeopleIndex {
  let index = indexes.get(snapshot);
  if (index) return index;
  const byLogin = new Map<string, User>();
  const keys: { key: string; user: User }[] = [];
  const keysOf = new Map<number, string[]>();
  const admins: number[] = [];
  for (const user of snapshot.users.values()) {
    if (user.disabled) continue;
    if (user.isAdmin) admins.push(user.id);
    const login = user.login.toLowerCase();
    byLogin.set(login, user);
    const name = user.displayName.toLowerCase();
    const words = [...new Set([login, name, ...name.split(/\s+/u).filter((w) => w !== '')])];
    keysOf.set(user.id, words);
    for (const key of words) keys.push({ key, user });
  }
  keys.sort(byKey);
  index = { byLogin, keysOf, admins, keys, listed: new Map() };
  indexes.set(snapshot, index);
  return index;
}

const byKey = (a: { key: string; user: User }, b: { key: string; user: User }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.user.id - b.user.id);


/**
 * Who may read the room, at most: for an open room the users its category allows, otherwise the
 * users its role lists name (directly or through nested groups), and the administrators either
 * way. `can` still decides for each.
 */
function listedReaders(snapshot: Snapshot, index: PeopleIndex, room: Room, category: Category): ReadonlySet<number> {
  const owner = room.privacy === 'open' && !room.direct ? category : room;
  let users = index.listed.get(owner);
  if (users) return users;
  users = expand(snapshot, owner === category ? category.allowed : [...room.members, ...room.managers, ...room.presenters], index.admins);
  index.listed.set(owner, users);
  return users;
}

function expand(snapshot: Snapshot, refs: readonly PrincipalRef[], admins: readonly number[]): Set<number> {
  const users = new Set<number>(admins);
  const groups = new Set<number>();
  const stack = [...refs];
  for (let ref = stack.pop(); ref !== undefined; ref = stack.pop()) {
    if (ref.kind === 'user') users.add(ref.id);
    else if (!groups.has(ref.id)) {
      groups.add(ref.id);
      stack.push(...(snapshot.groups.get(ref.id)?.members ?? []));
    }
  }
  return users;
}

/** The keys that start with `prefix`, in order, from a binary search for the first. */
function* fromPrefix(keys: PeopleIndex['keys'], prefix: string): Generator<{ key: string; user: User }> {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]!.key < prefix) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < keys.length && keys[i]!.key.startsWith(prefix); i++) yield keys[i]!;
}

/**
 * Whom a message in `room` mentions: the users named `@login` in its text who may read the
 * room (so no one hears of a room they cannot read), not its author. A text without `@`
 * costs one indexOf; the logins are looked up in the directory snapshot, not the store.
 */
export function mentionedUsers(snapshot: Snapshot, room: Room, category: Category, text: string, authorId: number): number[] {
  const candidates = mentionCandidates(text);
  if (candidates.length === 0) return [];
  const { byLogin } = peopleIndex(snapshot);
  const ids: number[] = [];
  for (const login of candidates) {
    const user = byLogin.get(login);
    if (!user || user.id === authorId || ids.includes(user.id)) continue;
    const actor = snapshot.actor(user.id);
    if (actor && can(actor, 'read', room, category)) ids.push(user.id);
  }
  return ids;
}

/** The mentions as the use cases return them: the messages newest first, and the cursor of the next page. */
export interface MentionPage {
  readonly messages: Message[];
  /** The caller's read position in each room of the page (0: none): a mention above it is unread. */
  readonly lastRead: ReadonlyMap<number, number>;
  /** Pass as `before` for older mentions; null when there are none. */
  readonly nextBefore: number | null;
}

/**
 * @mentions (README, "The web client"): the messages that mention the caller (the Mentions
 * view), the people a composer offers after `@` (only those who may read the room), and the
 * per-room notification setting (reading.ts). Who is mentioned is decided when a message is posted or
 * edited (`mentionedUsers`, called by messages.ts, files.ts and ownMessages.ts).
 */
export function mentionUseCases(ctx: AppContext) {
  const page = async (userId: number, messages: Message[], nextBefore: number | null): Promise<MentionPage> => {
    const rooms = new Set(messages.map((m) => m.roomId));
    const positions = messages.length === 0 ? [] : await ctx.store.reading.list(userId);
    return { messages, lastRead: new Map(positions.filter((r) => rooms.has(r.roomId)).map((r) => [r.roomId, r.lastRead])), nextBefore };
  };
  return {
    /**
     * Newest first, keyset by message id. Rooms the caller may no longer read are left out
     * (their rows stay, and count again if access returns); pages are refilled past them.
     */
    async list(actor: Actor, query: unknown): Promise<MentionPage> {
      const q = parse(mentionsQuery, query);
      const snapshot = await ctx.directory.snapshot();
      const readable = new Map<number, boolean>();
      const mayRead = (roomId: number) => {
        let verdict = readable.get(roomId);
        if (verdict === undefined) {
          const found = snapshot.roomWithCategory(roomId);
          verdict = found !== null && can(actor, 'read', found.room, found.category);
          readable.set(roomId, verdict);
        }
        return verdict;
      };
      const messages: Message[] = [];
      let before = q.before;
      // Bounded: a caller who lost access to many rooms gets a short page and a cursor, never an unbounded scan.
      for (let round = 0; round < 5; round++) {
        const rows = await ctx.store.mentions.list(actor.userId, { limit: q.limit + 1, ...(before !== undefined && { beforeId: before }) });
        for (const m of rows) {
          // Full, and this row is still to show: it starts the next page.
          if (messages.length === q.limit) return page(actor.userId, messages, before ?? null);
          before = m.id;
          if (mayRead(m.roomId)) messages.push(m);
        }
        if (rows.length <= q.limit) return page(actor.userId, messages, null);
      }
      return page(actor.userId, messages, before ?? null);
    },

    /**
     * People who may read the room whose login, display name or one of its words starts with
     * `prefix` (case-insensitive), alphabetically, at most `limit`. Through roomAccess: a room the
     * caller cannot read answers room_not_found or not_permitted as every room operation does.
     */
    async people(actor: Actor, roomId: number, query: unknown): Promise<Person[]> {
      const q = parse(peopleQuery, query);
      const { snapshot, room, category } = await roomAccess(ctx, actor, parse(id, roomId), 'read');
      const index = peopleIndex(snapshot);
      const prefix = q.prefix.trim().replace(/^@/u, '').toLowerCase();
      // Few possible readers (a closed room, a small category): look only at them. Many: walk the
      // sorted keys from the prefix, which stops after `limit` readers.
      const readers = listedReaders(snapshot, index, room, category);
      let matches: Iterable<{ key: string; user: User }>;
      if (readers.size * 4 > index.keysOf.size) matches = fromPrefix(index.keys, prefix);
      else {
        const listed: { key: string; user: User }[] = [];
        for (const userId of readers) {
          const key = index.keysOf.get(userId)?.filter((k) => k.startsWith(prefix)).sort()[0];
          if (key !== undefined) listed.push({ key, user: snapshot.users.get(userId)! });
        }
        matches = listed.sort(byKey);
      }
      const seen = new Set<number>();
      const people: Person[] = [];
      for (const { user } of matches) {
        if (people.length === q.limit) break;
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        const other = snapshot.actor(user.id);
        if (other && can(other, 'read', room, category)) people.push({ id: user.id, login: user.login, displayName: user.displayName });
      }
      return people;
    },
  };
}
