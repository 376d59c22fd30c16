import { codePoints, MAX_NAME_CHARS } from '../../../core/validation.js';
import type { NoteRecord } from '../../archive/records.js';
import { shortenName } from '../../names.js';

type Item = NoteRecord['item'];

/** Collects the notes of a conversion in the order they were found (deterministic for verify). */
export class Notes {
  readonly list: NoteRecord[] = [];

  add(severity: NoteRecord['severity'], code: string, item: Item, message: string): void {
    this.list.push({ severity, code, item, message });
  }
  conversion(code: string, item: Item, message: string): void {
    this.add('conversion', code, item, message);
  }
  warning(code: string, item: Item, message: string): void {
    this.add('warning', code, item, message);
  }
  error(code: string, item: Item, message: string): void {
    this.add('error', code, item, message);
  }
}

export const item = (type: string, id: string | number, name?: string): NonNullable<Item> =>
  name === undefined ? { type, id: String(id) } : { type, id: String(id), name };

/**
 * `full` when pchat can store it; else shortened (src/interchange/names.ts: the same suffix from
 * the source id on every run, so re-runs and verify agree) and reported as `name_shortened`, never
 * cut silently. `report` gives the note's item name and message for the shortened name.
 */
export function fittedName(
  notes: Notes,
  kind: 'user' | 'group' | 'category' | 'room',
  id: string | number,
  full: string,
  report: (shortened: string) => { readonly itemName: string; readonly message: string },
): string {
  if (codePoints(full) <= MAX_NAME_CHARS) return full;
  const name = shortenName(full, kind, String(id));
  const { itemName, message } = report(name);
  notes.conversion('name_shortened', item(kind, id, itemName), message);
  return name;
}
