import type { ExportLevel, ExportOptions, RecordOf, RecordType } from '../archive/records.js';
import { filtered, LEVEL_TYPES } from '../exportFilter.js';
import { filesOf, type RecordSource, recordBatches } from '../source.js';
import type { Conflict, VerifyFilter } from './verify.js';

/**
 * What each export level lets verify compare. A content archive carries its users and rooms only
 * so the import can resolve them (it changes neither), so only the messages (and their files)
 * are compared; the other levels carry no messages.
 */
const LEVEL_KINDS: Readonly<Record<ExportLevel, readonly Conflict['type'][] | null>> = {
  all: null,
  user: ['user', 'group'],
  category: ['user', 'group', 'category'],
  'room-directory': ['user', 'group', 'addin', 'category', 'room'],
  content: ['content', 'file'],
};

/**
 * The source as `pchat export` with the same options would have written it (--level, --scope,
 * --start-date, through the export's own filter), and what verify then compares: a partial
 * migration is verified against the part that was migrated, not against everything.
 */
export async function verifyView(source: RecordSource, options: ExportOptions): Promise<{ source: RecordSource; filter: VerifyFilter }> {
  const view = await filtered(source, options);
  const kinds = LEVEL_KINDS[options.level];
  const filter: VerifyFilter = {
    ...(kinds && { kinds: new Set(kinds) }),
    ...(options.startDate !== null && { sinceMs: Date.parse(options.startDate) }),
  };
  if (options.level === 'all') return { source: view, filter };
  const types = new Set<RecordType>(LEVEL_TYPES[options.level]);
  const none = async function* <T>(): AsyncGenerator<T> {};
  const levelled: RecordSource = {
    description: view.description,
    ...(view.sipDomains && { sipDomains: view.sipDomains }),
    ...filesOf(view),
    records: <T extends RecordType>(type: T): AsyncIterable<RecordOf[T]> => (types.has(type) ? view.records(type) : none<RecordOf[T]>()),
    batches: <T extends RecordType>(type: T): AsyncIterable<readonly RecordOf[T][]> => (types.has(type) ? recordBatches(view, type) : none<readonly RecordOf[T][]>()),
    close: () => view.close(),
  };
  return { source: levelled, filter };
}
