import { InvalidArgumentError } from 'commander';

/** Commander parsers that turn command-line strings into values; range checks stay in the app layer. */

export function parseInteger(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('Not a whole number.');
  return Number(value);
}

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 date or date-time, as epoch milliseconds. Times without an offset are UTC.
 * A bare date means the start of that UTC day, or its last millisecond when `endOfDay`
 * (so `--up-to 2024-03-31` includes the whole of March 31).
 */
function parseDate(value: string, endOfDay: boolean): number {
  const match = DATE.exec(value.trim());
  if (!match) throw new InvalidArgumentError('Not an ISO 8601 date; write e.g. 2024-03-31 or 2024-03-31T17:00:00Z.');
  const [, day, time, zone] = match;
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  const ms = time === undefined ? dayMs : Date.parse(`${day}T${time}${zone ?? 'Z'}`);
  if (Number.isNaN(dayMs) || Number.isNaN(ms) || new Date(dayMs).toISOString().slice(0, 10) !== day) {
    throw new InvalidArgumentError('Not a valid calendar date or time.');
  }
  return time === undefined && endOfDay ? ms + 86_400_000 - 1 : ms;
}

export const parseStartDate = (value: string): number => parseDate(value, false);
export const parseEndDate = (value: string): number => parseDate(value, true);
