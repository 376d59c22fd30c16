import Table from 'cli-table3';

/** One item as the CLI shows it: plain values, nested { name } objects, principal lists. */
export type Row = Record<string, unknown>;

/** A principal reference with the name an administrator knows it by. */
export interface NamedPrincipal {
  readonly kind: 'user' | 'group';
  readonly id: number;
  readonly name: string;
}

const isNamedPrincipal = (v: unknown): v is NamedPrincipal =>
  typeof v === 'object' && v !== null && 'kind' in v && 'name' in v;

/** Renders a value for a table cell: principal lists as `kind:name`, named objects by name. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) {
    if (value.length === 0) return '-';
    return value.map((v) => (isNamedPrincipal(v) ? `${v.kind}:${v.name}` : formatValue(v))).join(', ');
  }
  if (typeof value === 'object') {
    if ('name' in value) return String((value as { name: unknown }).name);
    return JSON.stringify(value);
  }
  return String(value);
}

const plain = { style: { head: [], border: [], compact: true } };

const write = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** Prints JSON (machine-readable, stable) or a table. */
export function printJson(data: unknown): void {
  write(JSON.stringify(data, null, 2));
}

/** A list: one row per item, with the given key columns. */
export function printList(json: boolean, items: readonly Row[], columns: readonly string[]): void {
  if (json) return printJson(items);
  if (items.length === 0) return write('(none)');
  const table = new Table({ ...plain, head: [...columns] });
  for (const item of items) table.push(columns.map((c) => formatValue(item[c])));
  write(table.toString());
}

/** One item: a two-column field/value table. */
export function printItem(json: boolean, item: Row): void {
  if (json) return printJson(item);
  const table = new Table({ ...plain, head: ['field', 'value'], wordWrap: true });
  for (const [field, value] of Object.entries(item)) table.push([field, formatValue(value)]);
  write(table.toString());
}

/** The result of an action: JSON data, or one human sentence. */
export function printResult(json: boolean, data: unknown, sentence: string): void {
  if (json) printJson(data);
  else write(sentence);
}
