import { readFile } from 'node:fs/promises';
import { csvFields } from './csvFields.js';
import { PchatError } from '../core/errors.js';
import { codePoints, MAX_NAME_CHARS } from '../core/validation.js';
import type { NoteRecord, RecordOf, RecordType } from './archive/records.js';
import { filesOf, type RecordSource, recordBatches } from './source.js';

/**
 * An administrator's rename file (`--renames renames.csv`): one line per item to give a name of
 * their choosing, read by plan, export, import and verify alike so they all see the same names.
 *
 *     kind,source id,new name
 *     room,42,Platform on-call
 *
 * A header line, then `kind,source id,new name` per line. Kinds: room, category, group, addin,
 * user (the display name), login. The CSV is read strictly by the small reader below (fields
 * separated by commas; a field may be double-quoted, with `""` for a quote, and may then hold
 * commas; blank lines are ignored), so no parser dependency is needed at run time. Every line is
 * checked and every error names its line.
 */

export const RENAME_KINDS = ['room', 'category', 'group', 'addin', 'user', 'login'] as const;
export type RenameKind = (typeof RENAME_KINDS)[number];

export interface Rename {
  readonly kind: RenameKind;
  readonly id: string;
  readonly name: string;
  /** Line of the file (1 = the header). */
  readonly line: number;
}

export interface Renames {
  /** Where the renames came from, for messages (`renames.csv`). */
  readonly file: string;
  /** The file's text as read (a migration plan keeps it, so later steps apply what was planned). */
  readonly text: string;
  readonly list: readonly Rename[];
  get(kind: RenameKind, id: string): Rename | undefined;
}

const HEADER = ['kind', 'source id', 'new name'];
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

const fail = (file: string, line: number, message: string): never => {
  throw new PchatError('invalid_input', `${file} line ${line}: ${message}`, { field: '--renames' });
};

/** Parses and checks a rename file's text; throws `invalid_input` naming the first bad line. */
export function parseRenames(text: string, file = 'renames.csv'): Renames {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '', file, 1, '--renames').map((f) => f.trim().toLowerCase());
  if (header.length !== 3 || header.some((h, i) => h !== HEADER[i])) {
    fail(file, 1, `the first line must be the header "${HEADER.join(',')}", not "${lines[0] ?? ''}"`);
  }
  const list: Rename[] = [];
  const byKey = new Map<string, Rename>();
  const byName = new Map<string, Rename>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (index === 0 || raw.trim() === '') return;
    const fields = csvFields(raw, file, line, '--renames');
    if (fields.length !== 3) fail(file, line, `expected 3 fields (kind, source id, new name), found ${fields.length}`);
    const [kindField, idField, nameField] = fields as [string, string, string];
    const kind = kindField.trim().toLowerCase();
    if (!(RENAME_KINDS as readonly string[]).includes(kind)) fail(file, line, `unknown kind "${kindField}" (known: ${RENAME_KINDS.join(', ')})`);
    const id = idField.trim();
    if (id === '' || id.length > 512) fail(file, line, 'the source id must have 1 to 512 characters');
    const name = nameField.normalize('NFC').trim();
    if (name === '') fail(file, line, 'the new name is empty');
    if (codePoints(name) > MAX_NAME_CHARS) fail(file, line, `the new name has ${codePoints(name)} characters; at most ${MAX_NAME_CHARS} are allowed`);
    if (CONTROL.test(name)) fail(file, line, 'the new name contains a control character');
    if (kind === 'login' && /\s/u.test(name)) fail(file, line, 'a login cannot contain spaces');
    const rename: Rename = { kind: kind as RenameKind, id, name, line };
    const key = `${kind}\u0000${id}`;
    const twin = byKey.get(key);
    if (twin) fail(file, line, `${kind} "${id}" is renamed on line ${twin.line} already`);
    byKey.set(key, rename);
    // Display names may repeat; the names of rooms, categories, groups, add-ins and logins identify.
    if (kind !== 'user') {
      const folded = `${kind}\u0000${name.toLowerCase()}`;
      const same = byName.get(folded);
      if (same) fail(file, line, `${kind} "${id}" would get the name "${name}", which line ${same.line} gives ${kind} "${same.id}"`);
      byName.set(folded, rename);
    }
    list.push(rename);
  });
  return { file, text, list, get: (kind, id) => byKey.get(`${kind}\u0000${id}`) };
}

/** Reads a rename file. */
export async function readRenames(path: string): Promise<Renames> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PchatError('invalid_input', `cannot read the rename file ${path}: ${(error as Error).message}`, { field: '--renames' });
  }
  return parseRenames(text, path);
}

/** Which record type each kind renames, and the field. */
const TARGETS: Readonly<Record<RenameKind, { type: RecordType; field: 'name' | 'displayName' | 'login' }>> = {
  room: { type: 'rooms', field: 'name' },
  category: { type: 'categories', field: 'name' },
  group: { type: 'groups', field: 'name' },
  addin: { type: 'addins', field: 'name' },
  user: { type: 'users', field: 'displayName' },
  login: { type: 'users', field: 'login' },
};
const NOTE_TYPE: Readonly<Record<RenameKind, string>> = { room: 'room', category: 'category', group: 'group', addin: 'addin', user: 'user', login: 'user' };

/**
 * `source` with the renames applied to its records, and a `name_renamed` note per rename (in
 * place of a note that said the source shortened or told apart that name). A rename whose source id
 * a full pass over its record type did not meet is an error naming its line, raised at the end of
 * that pass: every command reads the whole directory before it writes anything.
 */
export function withRenames<S extends RecordSource>(source: S, renames: Renames): S {
  if (renames.list.length === 0) return source;
  const kindsOf = new Map<RecordType, RenameKind[]>();
  for (const kind of RENAME_KINDS) kindsOf.set(TARGETS[kind].type, [...(kindsOf.get(TARGETS[kind].type) ?? []), kind]);
  /** The name each renamed item had in the source, as met. */
  const before = new Map<string, string>();

  const rename = <T extends RecordType>(type: T, record: RecordOf[T], seen: Set<string>): RecordOf[T] => {
    const kinds = kindsOf.get(type);
    if (!kinds) return record;
    const id = (record as { id: string }).id;
    let out = record;
    for (const kind of kinds) {
      const r = renames.get(kind, id);
      if (!r) continue;
      seen.add(`${kind}\u0000${id}`);
      const field = TARGETS[kind].field;
      before.set(`${kind}\u0000${id}`, (record as unknown as Record<string, string>)[field]!);
      out = { ...out, [field]: r.name };
    }
    return out;
  };
  const checkSeen = (type: RecordType, seen: Set<string>) => {
    for (const r of renames.list) {
      if (TARGETS[r.kind].type === type && !seen.has(`${r.kind}\u0000${r.id}`)) {
        fail(renames.file, r.line, `there is no ${r.kind === 'login' || r.kind === 'user' ? 'user' : r.kind} with the source id "${r.id}" in the source`);
      }
    }
  };
  const renamed = new Set(renames.list.map((r) => `${r.kind}\u0000${r.id}`));
  /** Which name of its item a note is about: a user's shortened name is the display name, a user's collision the login. */
  const nameKindOf = (code: NoteRecord['code'], item: NonNullable<NoteRecord['item']>): string => (item.type !== 'user' ? item.type : code === 'name_shortened' ? 'user' : 'login');
  const renameNotes = (): NoteRecord[] =>
    renames.list.map((r) => {
      const old = before.get(`${r.kind}\u0000${r.id}`);
      const what = r.kind === 'user' ? 'display name' : r.kind === 'login' ? 'login' : 'name';
      return {
        severity: 'conversion',
        code: 'name_renamed',
        item: { type: NOTE_TYPE[r.kind], id: r.id, name: r.name },
        message: `${NOTE_TYPE[r.kind]} ${r.id}: ${what} ${old === undefined ? '' : `"${old}" `}set to "${r.name}" by ${renames.file} line ${r.line}.`,
      };
    });
  // A source's note that it shortened or told apart a name the administrator chose is replaced by the rename's.
  const superseded = (n: NoteRecord) =>
    (n.code === 'name_shortened' || n.code === 'name_deduplicated' || n.code === 'login_collision') && n.item !== null && renamed.has(`${nameKindOf(n.code, n.item)}\u0000${n.item.id}`);

  async function* batches<T extends RecordType>(type: T): AsyncGenerator<readonly RecordOf[T][]> {
    if (type === 'notes') {
      for await (const batch of recordBatches(source, 'notes')) yield batch.filter((n) => !superseded(n)) as RecordOf[T][];
      yield renameNotes() as RecordOf[T][];
      return;
    }
    if (!kindsOf.has(type)) {
      yield* recordBatches(source, type);
      return;
    }
    const seen = new Set<string>();
    for await (const batch of recordBatches(source, type)) yield batch.map((r) => rename(type, r, seen));
    checkSeen(type, seen);
  }
  async function* records<T extends RecordType>(type: T): AsyncGenerator<RecordOf[T]> {
    for await (const batch of batches(type)) yield* batch;
  }
  // The wrapper keeps what the source is besides a record source (an archive's file and manifest, SIP domains).
  return Object.assign(Object.create(source) as S, { records, batches, close: () => source.close(), ...filesOf(source) });
}
