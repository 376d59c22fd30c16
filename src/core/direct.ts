import type { Category, Room } from './model.js';

/**
 * Direct conversations (domain.md, "pchat's additions"): a room marked `direct` whose members are
 * its participants, users only, two to eight including whoever started it. It is visible to its
 * participants only, through every door, as a secret room is: nobody else, administrators
 * included, may find, read or search it, and nobody manages it (no rename, no role change, no
 * disabling). A conversation of exactly two people is unique per pair.
 */
export const MIN_DIRECT_PARTICIPANTS = 2;
export const MAX_DIRECT_PARTICIPANTS = 8;

/**
 * The category every direct conversation belongs to. It exists as a row (id 0, migration 0015)
 * only so the rooms table keeps its foreign key; the stores never list it, so it shows in no
 * category listing, and no API can name it (ids are positive).
 */
export const DIRECT_CATEGORY_ID = 0;
export const DIRECT_CATEGORY: Category = {
  id: DIRECT_CATEGORY_ID,
  name: 'Direct conversations',
  description: '',
  allowed: [],
  denied: [],
  creators: [],
  invitations: false,
  fileUpload: true,
  chatHistory: true,
  origin: null,
};

export const isDirect = (room: Pick<Room, 'direct'>): boolean => room.direct === true;

/** The participants' user ids, in the order they were stored. */
export function participantsOf(room: Pick<Room, 'members'>): number[] {
  return room.members.filter((ref) => ref.kind === 'user').map((ref) => ref.id);
}

export function isParticipant(userId: number, room: Pick<Room, 'members'>): boolean {
  return room.members.some((ref) => ref.kind === 'user' && ref.id === userId);
}

/** The key that makes a one-to-one conversation unique: `<lower id>:<higher id>`; null for groups. */
export function directPairKey(userIds: readonly number[]): string | null {
  if (userIds.length !== 2) return null;
  const [a, b] = [...userIds].sort((x, y) => x - y) as [number, number];
  return `${a}:${b}`;
}

export const DIRECT_DISABLED_MESSAGE = 'Direct messages are switched off for you by the policy.';
