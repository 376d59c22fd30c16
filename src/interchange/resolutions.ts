import type { NoteRecord } from './archive/records.js';

/**
 * Item-level problems and what the migration does about each (docs/migration-guide.md,
 * "Resolutions"). A real legacy database always holds a few items that pchat cannot take as they
 * are; one of them must not stop the migration of everything else. So each such problem has a
 * resolution that is applied and reported, never a silent one: a name is shortened, told apart or
 * renamed; an item that cannot be carried is skipped with what depends on it; a reference to
 * something that is not migrated is dropped. `--strict` turns every one of them back into an
 * error that refuses the import (all or nothing).
 *
 * Notes carry the problem's code; this table says which codes are item-level problems and which
 * resolution applies. Sources keep their own codes (a Group Chat dump's `room_missing`, …).
 */
export type Resolution = 'shortened' | 'told apart' | 'renamed' | 'converted' | 'skipped' | 'reference dropped';

export const RESOLUTIONS: Readonly<Record<string, Resolution>> = {
  // Names (any source, and the import).
  name_shortened: 'shortened',
  name_deduplicated: 'told apart',
  name_renamed: 'renamed',
  // The import's own.
  item_skipped: 'skipped',
  message_skipped: 'skipped',
  reference_dropped: 'reference dropped',
  legacy_uri_dropped: 'reference dropped',
  membership_skipped: 'skipped',
  policy_skipped: 'skipped',
  // A Group Chat dump's (docs/groupchat-dump.md): the source already applied the resolution.
  visibility_unknown: 'converted',
  behavior_unknown: 'converted',
  parent_missing: 'skipped',
  node_cycle: 'skipped',
  parent_not_category: 'skipped',
  principal_missing: 'reference dropped',
  room_missing: 'skipped',
  author_missing: 'skipped',
  messages_of_unmigrated_nodes: 'skipped',
  addin_url_invalid: 'skipped',
  login_collision: 'told apart',
  group_cycle: 'skipped',
  legacy_uri_collision: 'reference dropped',
};

/** An item-level problem as plans and reports list it. */
export interface ItemResolution {
  readonly type: string;
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly resolution: Resolution;
  /** Under --strict: refused instead. */
  readonly refused: boolean;
  readonly message: string;
}

export const isItemProblem = (note: NoteRecord): boolean => Object.hasOwn(RESOLUTIONS, note.code) && note.severity !== 'file';
/** An administrator's own choice (a rename file's line): listed, never refused by --strict. */
const chosen = (note: NoteRecord) => note.code === 'name_renamed';

/**
 * A note as the import counts it: a source's error for an item-level problem whose resolution is
 * applied becomes a warning (it no longer stops the import), unless `strict`, where every
 * item-level problem is an error, as before resolutions existed.
 */
export function resolveNote(note: NoteRecord, strict: boolean): NoteRecord {
  if (!isItemProblem(note) || chosen(note)) return note;
  if (strict) return note.severity === 'error' ? note : { ...note, severity: 'error', message: `${note.message} (--strict: refused)` };
  return note.severity === 'error' ? { ...note, severity: 'warning' } : note;
}

/** The item-level problems among the notes, with their resolutions. */
export function itemResolutions(notes: readonly NoteRecord[], strict: boolean): ItemResolution[] {
  return notes.filter(isItemProblem).map((n) => ({
    type: n.item?.type ?? '',
    id: n.item?.id ?? '',
    name: n.item?.name ?? '',
    code: n.code,
    resolution: RESOLUTIONS[n.code]!,
    refused: strict && !chosen(n),
    message: n.message,
  }));
}
