/**
 * Counts and record types in words for the HTML reports and their summaries: "12 rooms,
 * 3 categories, 1 add-in" rather than `{"room":12,…}`. Keys are the record types (singular as
 * the import plan counts them, plural as the archive's files name them) and the counts the
 * steps and jobs keep; a key not listed here reads as "<words>: <n>", never with a wrong plural.
 */
const NOUNS: Readonly<Record<string, readonly [string, string]>> = {
  user: ['user', 'users'],
  group: ['group', 'groups'],
  membership: ['group membership', 'group memberships'],
  addin: ['add-in', 'add-ins'],
  category: ['category', 'categories'],
  room: ['room', 'rooms'],
  policy: ['policy', 'policies'],
  message: ['message', 'messages'],
  note: ['note', 'notes'],
  file: ['file', 'files'],
  created: ['item created', 'items created'],
  updated: ['item updated', 'items updated'],
  unchanged: ['item unchanged', 'items unchanged'],
  messagesAdded: ['message added', 'messages added'],
  roomsRenumbered: ['room renumbered', 'rooms renumbered'],
  filesAdded: ['file added', 'files added'],
  fileContentsPut: ['file content put in the file store', 'file contents put in the file store'],
  filesCarried: ['file carried', 'files carried'],
  filesNotCarried: ['file not carried', 'files not carried'],
  accountsWithoutPassword: ['account without a password', 'accounts without a password'],
  errors: ['error', 'errors'],
  warnings: ['warning', 'warnings'],
  collisions: ['name collision', 'name collisions'],
  conflicts: ['unexplained difference', 'unexplained differences'],
  expectedConversions: ['expected conversion', 'expected conversions'],
  usersEnabled: ['user enabled', 'users enabled'],
};

/** The archive's file names are the plural record types. */
const PLURALS: Readonly<Record<string, string>> = { users: 'user', groups: 'group', memberships: 'membership', addins: 'addin', categories: 'category', rooms: 'room', policies: 'policy', messages: 'message', notes: 'note', files: 'file' };

/** `camelCase` → `camel case`. */
const words = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** `n` and the noun for it: "1 category", "3 categories". */
export const plural = (n: number, singular: string, many = `${singular}s`): string => `${n.toLocaleString('en')} ${n === 1 ? singular : many}`;

/** One count in words: "12 rooms", "1 add-in", "bytes: 3". */
export function countInWords(key: string, n: number): string {
  const noun = NOUNS[key] ?? NOUNS[PLURALS[key] ?? ''];
  return noun ? plural(n, noun[0], noun[1]) : `${words(key)}: ${n.toLocaleString('en')}`;
}

/** Counts in words, in their order: "12 rooms, 3 categories, 1 add-in"; "none" when empty. */
export function countsInWords(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => countInWords(k, n)).join(', ');
}

/** A record type as people say it: `addin` → "add-in", `categories` → "categories". */
export function typeName(type: string): string {
  const singular = PLURALS[type];
  if (singular) return NOUNS[singular]![1];
  return NOUNS[type]?.[0] ?? words(type);
}

/** Whether a value is a record of counts (every value a number). */
export const isCounts = (value: unknown): value is Record<string, number> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'number');

/** Any cell value in words: counts as counts, lists joined, other records as "key: value" pairs, never JSON. */
export function inWords(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(inWords).join(', ');
  if (isCounts(value)) return countsInWords(value);
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${words(k)}: ${inWords(v) || '-'}`).join('; ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return value.toLocaleString('en');
  return String(value);
}

/** An export's options in words: "level all; every category; every message; exported rooms stay enabled". */
export function exportOptionsInWords(o: { level: string; scope: readonly string[]; startDate: string | null; disableExported: boolean }): string {
  return [
    `level ${o.level}`,
    o.scope.length > 0 ? `${plural(o.scope.length, 'category', 'categories')}: ${o.scope.join(', ')}` : 'every category',
    o.startDate ? `messages from ${o.startDate}` : 'every message',
    o.disableExported ? 'exported rooms disabled in the source' : 'exported rooms stay enabled in the source',
  ].join('; ');
}
