import type { Snapshot } from '../../app/directory.js';
import type { Category, Room } from '../../core/model.js';
import { effectiveRoles } from '../../core/permissions.js';

/**
 * Channel prefixes for display: '@' for a room's managers (and administrators, who manage
 * every room), '+' for an auditorium's presenters. Presentation only: what anyone may do is
 * decided by the use cases, never from these letters.
 */
export function prefixesOf(snapshot: Snapshot, room: Room, category: Category, userId: number): string {
  const actor = snapshot.actor(userId);
  if (!actor) return '';
  const roles = effectiveRoles(actor, room, category);
  return (roles.manager || actor.isAdmin ? '@' : '') + (roles.presenter ? '+' : '');
}

/**
 * The modes a room shows: n and t always (only those in the channel send, only managers set
 * topics), i closed, s+i secret, m auditorium.
 */
export function modesOf(room: Room): string {
  return '+' + (room.privacy === 'open' ? '' : 'i') + (room.type === 'auditorium' ? 'm' : '') + 'n' + (room.privacy === 'secret' ? 's' : '') + 't';
}

/** The one prefix a client without multi-prefix sees: the highest. */
export const highestPrefix = (prefixes: string): string => prefixes.slice(0, 1);

/** MODE lines (as [modes, nick] pairs) that turn one prefix set into another. */
export function prefixChanges(before: string, after: string, nick: string): [string, string][] {
  const out: [string, string][] = [];
  for (const [symbol, letter] of [['@', 'o'], ['+', 'v']] as const) {
    if (before.includes(symbol) && !after.includes(symbol)) out.push([`-${letter}`, nick]);
    if (!before.includes(symbol) && after.includes(symbol)) out.push([`+${letter}`, nick]);
  }
  return out;
}

/** "+imt" → "+ist" gives "-m+s". */
export function modeDiff(before: string, after: string): string {
  const b = new Set(before.slice(1));
  const a = new Set(after.slice(1));
  const removed = [...b].filter((m) => !a.has(m)).join('');
  const added = [...a].filter((m) => !b.has(m)).join('');
  return (removed ? `-${removed}` : '') + (added ? `+${added}` : '');
}
