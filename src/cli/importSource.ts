// A legacy source imported directly (`pchat import <kind>:<location>`), opened the same way on the
// importing thread and on the thread that checks its messages, and the same way export reads it.
import { filtered } from '../interchange/exportFilter.js';
import { readRenames, withRenames } from '../interchange/renames.js';
import type { RecordSource, SourceDescription } from '../interchange/source.js';
import type { RecordLists } from '../interchange/sources/listed.js';
import { LEGACY_SOURCES, type LegacySourceOptions } from '../interchange/sources/index.js';

/** Everything that decides how a legacy source converts: plain data, so it crosses to a worker thread. */
export interface DirectImportSpec {
  readonly kind: string;
  readonly location: string;
  /** --start-date, as an ISO instant. */
  readonly startDate: string | null;
  readonly options: LegacySourceOptions;
  /** --renames: the rename file. */
  readonly renames: string | null;
}

export interface DirectSource {
  /** The records an export of the source with the same options would have written, in the same order. */
  readonly source: RecordSource;
  /** How many messages the source's first pass counted (undefined: it does not count them). */
  readonly messageCount: number | undefined;
}

/**
 * Opens the source as `pchat export --from` reads it (the rename file applied first, then
 * --start-date's filter with its note), so a direct import writes what export-then-import would.
 * The kind and its options are checked by the caller (sources.ts legacyReader).
 */
export async function openDirectSource(spec: DirectImportSpec): Promise<DirectSource> {
  const reader = LEGACY_SOURCES[spec.kind];
  if (!reader) throw new Error(`unknown source kind "${spec.kind}"`);
  const renames = spec.renames === null ? null : await readRenames(spec.renames);
  const raw = await reader.open(spec.location, { startDate: spec.startDate, ...spec.options });
  try {
    const renamed = renames ? withRenames(raw, renames) : raw;
    const source = await filtered(renamed, { level: 'all', scope: [], startDate: spec.startDate, disableExported: false });
    return { source, messageCount: raw.messageCount };
  } catch (error) {
    await raw.close();
    throw error;
  }
}

/** What the importing thread plans with, read by the checking thread when it opened the source: plain data. */
export interface SourceDirectory {
  readonly description: SourceDescription;
  /** Every record but the messages and the notes (the notes follow the check). */
  readonly lists: Omit<RecordLists, 'notes'>;
  readonly messageCount: number | undefined;
  /** Whether its messages may carry files (it has `openFile`): then it is imported batch by batch. */
  readonly carriesFiles: boolean;
}

const DIRECTORY_TYPES = ['users', 'groups', 'memberships', 'addins', 'categories', 'rooms', 'policies'] as const;

/** The directory records of an opened source, as they reach the import (renamed, filtered). */
export async function directoryOf(opened: DirectSource): Promise<SourceDirectory> {
  const lists: Record<string, unknown[]> = {};
  for (const type of DIRECTORY_TYPES) {
    const list: unknown[] = (lists[type] = []);
    for await (const record of opened.source.records(type)) list.push(record);
  }
  return { description: opened.source.description, lists: lists as unknown as SourceDirectory['lists'], messageCount: opened.messageCount, carriesFiles: opened.source.openFile !== undefined };
}
