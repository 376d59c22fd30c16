/**
 * The expected permission table, written out from the domain rules (../shared/docs/domain.md)
 * and never derived from src/core/permissions.ts. Shared by the unit test of the model and the
 * black-box matrix over HTTP and WebSocket, so both layers are held to one statement.
 *
 * One string per caller and room, one letter per operation, in the order
 *   find enter read post search manage
 * Y = allowed; F = refused, the room can be found (not_permitted); N = refused, the room cannot
 * be found (room_not_found).
 * - open: anyone the category allows (and does not deny) finds, enters, reads, posts, searches;
 * - closed: anyone in scope finds it; only members, managers and presenters enter, read, post, search;
 * - secret: only members, managers and presenters find it; to everyone else it does not exist;
 * - auditorium: only presenters (and administrators) post;
 * - manage: managers and administrators only;
 * - denied always wins over allowed, also through nested groups, and voids role grants.
 */
export const ROOM_KEYS = ['open normal', 'open auditorium', 'closed normal', 'closed auditorium', 'secret normal', 'secret auditorium'] as const;
export type RoomKey = (typeof ROOM_KEYS)[number];
export type TableRow = Record<RoomKey, string>;

/** The same outcome for every operation in every room. */
export const uniform = (letter: string): TableRow =>
  Object.fromEntries(ROOM_KEYS.map((k) => [k, Array(6).fill(letter).join(' ')])) as TableRow;

export const SHARED_EXPECTED = {
  admin: uniform('Y'),
  inScope: {
    'open normal': 'Y Y Y Y Y F',
    'open auditorium': 'Y Y Y F Y F',
    'closed normal': 'Y F F F F F',
    'closed auditorium': 'Y F F F F F',
    'secret normal': 'N N N N N N',
    'secret auditorium': 'N N N N N N',
  },
  member: {
    'open normal': 'Y Y Y Y Y F',
    'open auditorium': 'Y Y Y F Y F',
    'closed normal': 'Y Y Y Y Y F',
    'closed auditorium': 'Y Y Y F Y F',
    'secret normal': 'Y Y Y Y Y F',
    'secret auditorium': 'Y Y Y F Y F',
  },
  /** A member through a group nested in the granted group. */
  nestedMember: {
    'open normal': 'Y Y Y Y Y F',
    'open auditorium': 'Y Y Y F Y F',
    'closed normal': 'Y Y Y Y Y F',
    'closed auditorium': 'Y Y Y F Y F',
    'secret normal': 'Y Y Y Y Y F',
    'secret auditorium': 'Y Y Y F Y F',
  },
  manager: {
    'open normal': 'Y Y Y Y Y Y',
    'open auditorium': 'Y Y Y F Y Y',
    'closed normal': 'Y Y Y Y Y Y',
    'closed auditorium': 'Y Y Y F Y Y',
    'secret normal': 'Y Y Y Y Y Y',
    'secret auditorium': 'Y Y Y F Y Y',
  },
  /** Presenters of the auditoriums (normal rooms have none; each test says what it expects there). */
  presenterInAuditorium: {
    'open auditorium': 'Y Y Y Y Y F',
    'closed auditorium': 'Y Y Y Y Y F',
    'secret auditorium': 'Y Y Y Y Y F',
  },
  /** Also listed as a member: denied wins. */
  denied: uniform('N'),
  deniedNested: uniform('N'),
  outsider: uniform('N'),
  chatPolicyOff: uniform('N'),
} as const;
