import { PchatError } from '../core/errors.js';

/**
 * The fields of one line of an administrator's CSV file (quotes as RFC 4180, no line breaks
 * inside a field); an error names the file, the line and column, and the option that gave the
 * file (`--renames`, `--users`).
 */
export function csvFields(text: string, file: string, line: number, option: string): string[] {
  const fail = (message: string): never => {
    throw new PchatError('invalid_input', `${file} line ${line}: ${message}`, { field: option });
  };
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) fail('a quoted field is not closed (a field cannot span lines)');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
      if (i < text.length && text[i] !== ',') fail(`unexpected text after a quoted field at column ${i + 1}`);
    } else {
      const end = text.indexOf(',', i);
      field = text.slice(i, end < 0 ? text.length : end);
      if (field.includes('"')) fail(`a quote inside an unquoted field at column ${i + field.indexOf('"') + 1} (quote the whole field and double the quote)`);
      i = end < 0 ? text.length : end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i += 1; // the comma
  }
}
