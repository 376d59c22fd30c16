import { dumpError, valueOf, type DumpRow, type OpenTable } from './dumpFiles.js';

/**
 * Typed access to one row's columns. A value of the wrong type makes the dump unreadable
 * (the column is not what the header says), so it throws with file, line and column.
 */
export class RowReader {
  constructor(
    readonly table: OpenTable,
    readonly row: DumpRow,
  ) {}

  private fail(column: string, what: string, value: string): never {
    throw dumpError(this.table.file.name, this.row.line, `column ${column}: ${JSON.stringify(value.slice(0, 60))} is not ${what}.`);
  }

  text(column: string): string | null {
    return valueOf(this.row, this.table.columns.get(column));
  }

  int(column: string): number | null {
    const v = this.text(column);
    if (v === null) return null;
    const t = v.trim();
    if (!/^-?\d{1,15}$/.test(t)) this.fail(column, 'an integer', v);
    return Number(t);
  }

  requiredInt(column: string): number {
    const n = this.int(column);
    if (n === null) throw dumpError(this.table.file.name, this.row.line, `column ${column} is empty.`);
    return n;
  }

  /** bcp and sqlcmd write bits as 0/1; PowerShell's Export-Csv as True/False. */
  bit(column: string): boolean | null {
    const v = this.text(column);
    if (v === null) return null;
    const t = v.trim().toLowerCase();
    if (t === '1' || t === 'true') return true;
    if (t === '0' || t === 'false') return false;
    return this.fail(column, 'a bit (0/1)', v);
  }

  /** GUIDs compare case-insensitively and may come braced; keep them lower-case and bare. */
  guid(column: string): string | null {
    const v = this.text(column);
    if (v === null) return null;
    const t = v.trim().replace(/^\{(.*)\}$/, '$1').toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t)) this.fail(column, 'a GUID', v);
    return t;
  }

  ticks(column: string): number | null {
    const v = this.text(column);
    if (v === null) return null;
    const ms = ticksToMs(v.trim());
    if (ms === null) this.fail(column, '.NET ticks (a non-negative bigint)', v);
    return ms;
  }
}

/** .NET ticks of the Unix epoch: 100 ns units since 0001-01-01T00:00:00Z. */
export const UNIX_EPOCH_TICKS = 621355968000000000n;
const EPOCH_MS_FROM_YEAR_1 = 62135596800000;
const MAX_MS = 253402300799999; // 9999-12-31T23:59:59.999Z, the last instant .NET ticks and ISO 8601 share

/**
 * .NET ticks (as their decimal text) → milliseconds since the Unix epoch, truncating the
 * sub-millisecond part. Ticks exceed 2^53, so they are never parsed as one number: dropping the
 * last four digits first (÷ 10,000 = milliseconds since year 1) keeps every digit that matters.
 */
export function ticksToMs(text: string): number | null {
  if (!/^\d{1,19}$/.test(text)) return null;
  const ms = (text.length > 4 ? Number(text.slice(0, -4)) : 0) - EPOCH_MS_FROM_YEAR_1;
  return ms > MAX_MS ? null : ms;
}

export const ticksToIso = (text: string): string | null => {
  const ms = ticksToMs(text);
  return ms === null ? null : new Date(ms).toISOString();
};

/** Milliseconds since the Unix epoch → .NET ticks (for writing dumps and tests). */
export const msToTicks = (ms: number): string => (BigInt(ms) * 10000n + UNIX_EPOCH_TICKS).toString();
