import { PchatError } from '../../core/errors.js';
import { MAX_NAME_CHARS } from '../../core/validation.js';
import type { CategoryRecord, PrincipalRefRecord } from '../archive/records.js';

/**
 * What a chat source (Slack, Mattermost) does with direct conversations. pchat's direct
 * conversations are not rooms, and an archive has no record for them: by default they are left
 * out and counted; `--direct-messages as-rooms` makes each one a secret room whose members are its
 * participants, in a category the administrator names (`--direct-category`).
 */
export const DIRECT_MODES = ['skip', 'as-rooms'] as const;
export type DirectMode = (typeof DIRECT_MODES)[number];

export interface DirectOptions {
  readonly mode: DirectMode;
  /** The category of the rooms (as-rooms only). */
  readonly category: string | null;
}

/** The direct options of a source, checked: as-rooms needs a category, and a category needs as-rooms. */
export function directOptions(mode: DirectMode | undefined, category: string | undefined): DirectOptions {
  const chosen = mode ?? 'skip';
  if (chosen === 'as-rooms' && (category === undefined || category.trim() === '')) {
    throw new PchatError('invalid_input', '--direct-messages as-rooms needs --direct-category <name>: the category the conversations\' rooms go into', { field: '--direct-category' });
  }
  if (chosen === 'skip' && category !== undefined) {
    throw new PchatError('invalid_input', '--direct-category applies with --direct-messages as-rooms only', { field: '--direct-category' });
  }
  return { mode: chosen, category: chosen === 'as-rooms' ? category!.trim().slice(0, MAX_NAME_CHARS) : null };
}

/** The category of the direct conversations' rooms: everyone who takes part in one may be in it; nobody creates rooms there. */
export function directCategory(id: string, name: string, participants: Iterable<string>): CategoryRecord {
  const allowed: PrincipalRefRecord[] = [...new Set(participants)].map((u) => ({ kind: 'user', id: u }));
  return { id, name, description: 'Direct conversations imported as rooms', allowed, denied: [], creators: [], invitations: false, fileUpload: true, chatHistory: true, origin: null };
}

/**
 * A room name for a conversation of these participants' logins (sorted, comma-separated), unique
 * among `taken` (the conversation's id added when two would share one), within the name limit.
 */
export function conversationName(logins: readonly string[], id: string, taken: Set<string>): string {
  let name = [...new Set(logins)].sort().join(', ') || id;
  if ([...name].length > MAX_NAME_CHARS) name = `${[...name].slice(0, MAX_NAME_CHARS - 2).join('')} …`;
  if (taken.has(name.toLowerCase())) name = `${[...name].slice(0, MAX_NAME_CHARS - id.length - 3).join('')} (${id})`;
  taken.add(name.toLowerCase());
  return name;
}
