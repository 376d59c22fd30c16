import { describeDifference } from './firstDifference.js';
import type { Conflict } from './verify.js';

/** One line per unexplained difference, as `pchat verify` and the migration's verify step print it. */
export function describeConflict(c: Conflict): string {
  return `${c.type} ${c.name}: ${c.field}: source ${JSON.stringify(c.source)}, target ${JSON.stringify(c.target)}${c.message ? `; ${describeDifference(c.message)}` : ''}`;
}
