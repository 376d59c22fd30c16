import type { NoteRecord } from '../../archive/records.js';

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
