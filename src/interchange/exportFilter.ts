import { PchatError } from '../core/errors.js';
import { type ExportLevel, type ExportOptions, type NoteRecord, RECORD_TYPE_NAMES, type RecordOf, type RecordType } from './archive/records.js';
import { filesOf, type RecordSource, recordBatches } from './source.js';

/**
 * The record types each export level writes (Microsoft's levels). `content` carries the users
 * and rooms its messages refer to, so an import can resolve them in the target; an import of a
 * content archive changes no user or room.
 */
export const LEVEL_TYPES: Readonly<Record<ExportLevel, readonly RecordType[]>> = {
  all: RECORD_TYPE_NAMES,
  user: ['users', 'groups', 'memberships', 'policies', 'notes'],
  category: ['users', 'groups', 'memberships', 'policies', 'categories', 'notes'],
  'room-directory': ['users', 'groups', 'memberships', 'policies', 'addins', 'categories', 'rooms', 'notes'],
  content: ['users', 'rooms', 'messages', 'notes'],
};

const fold = (name: string) => name.toLowerCase();

/**
 * Applies --scope (only these categories, their rooms and their rooms' messages) and
 * --start-date (no older messages) to any source, and notes what they left out.
 */
export async function filtered(source: RecordSource, options: ExportOptions): Promise<RecordSource> {
  const scope = new Set(options.scope.map(fold));
  const start = options.startDate;
  if (scope.size === 0 && start === null) return source;

  let categories: Set<string> | null = null;
  let rooms: Set<string> | null = null;
  if (scope.size > 0) {
    categories = new Set();
    const seen = new Set<string>();
    for await (const c of source.records('categories')) {
      seen.add(fold(c.name));
      if (scope.has(fold(c.name))) categories.add(c.id);
    }
    const missing = options.scope.filter((name) => !seen.has(fold(name)));
    if (missing.length > 0) {
      throw new PchatError('invalid_input', `--scope names no category called ${missing.map((n) => `"${n}"`).join(', ')}`, { field: '--scope' });
    }
    rooms = new Set();
    for await (const r of source.records('rooms')) if (categories.has(r.category)) rooms.add(r.id);
  }
  const left = { rooms: 0, categories: 0, messagesOutOfScope: 0, messagesOlder: 0 };

  const kept = <T extends RecordType>(type: T, record: RecordOf[T]): boolean => {
    if (type === 'categories' && categories && !categories.has((record as RecordOf['categories']).id)) {
      left.categories += 1;
      return false;
    }
    if (type === 'rooms' && rooms && !rooms.has((record as RecordOf['rooms']).id)) {
      left.rooms += 1;
      return false;
    }
    if (type === 'messages') {
      const m = record as RecordOf['messages'];
      if (rooms && !rooms.has(m.room)) {
        left.messagesOutOfScope += 1;
        return false;
      }
      // ISO timestamps in UTC with milliseconds compare correctly as strings.
      if (start !== null && m.at < start) {
        left.messagesOlder += 1;
        return false;
      }
    }
    return true;
  };

  async function* pass<T extends RecordType>(type: T): AsyncGenerator<RecordOf[T]> {
    for await (const record of source.records(type)) if (kept(type, record)) yield record;
    if (type === 'notes') yield* leftOutNotes() as AsyncIterable<RecordOf[T]>;
  }

  async function* batches<T extends RecordType>(type: T): AsyncGenerator<readonly RecordOf[T][]> {
    for await (const batch of recordBatches(source, type)) {
      const keptRecords = batch.filter((record) => kept(type, record));
      if (keptRecords.length > 0) yield keptRecords;
    }
    if (type === 'notes') {
      const notes: NoteRecord[] = [];
      for await (const n of leftOutNotes()) notes.push(n);
      if (notes.length > 0) yield notes as RecordOf[T][];
    }
  }

  async function* leftOutNotes(): AsyncGenerator<NoteRecord> {
    if (scope.size > 0) {
      yield {
        severity: 'conversion',
        code: 'out_of_scope',
        item: null,
        message: `--scope ${options.scope.join(', ')}: left out ${left.categories} categories, ${left.rooms} rooms and ${left.messagesOutOfScope} of their messages`,
      };
    }
    if (start !== null) {
      yield { severity: 'conversion', code: 'start_date', item: null, message: `--start-date ${start}: left out ${left.messagesOlder} older messages` };
    }
  }

  return { description: source.description, records: pass, batches, close: () => source.close(), ...filesOf(source) };
}
