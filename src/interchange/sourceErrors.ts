import type { NoteRecord } from './archive/records.js';

/**
 * What `pchat export` and the export steps of `pchat migrate run` say about the errors a source
 * reported (notes of severity `error`): the archive is still written whole, with the errors in
 * its notes, but neither claims success for it unless the administrator accepts them
 * (`--allow-errors`).
 */
export const errorNotes = (notes: readonly NoteRecord[]): NoteRecord[] => notes.filter((n) => n.severity === 'error');

/** One line per error, `code [item]: message`, at most `limit` of them, and a last line for the rest. */
export function errorLines(errors: readonly NoteRecord[], limit = 20): string[] {
  const lines = errors.slice(0, limit).map((n) => `${n.code}${n.item ? ` [${n.item.type} ${n.item.name ?? n.item.id}]` : ''}: ${n.message}`);
  if (errors.length > limit) lines.push(`… and ${errors.length - limit} more`);
  return lines;
}

/**
 * The sentence that names how many errors the source had and where they are all listed, and what
 * happens now: refused (non-zero exit, the run stops) or accepted with `--allow-errors`.
 */
export function sourceErrorsSummary(count: number, where: string, allowed: boolean, again = 'export again'): string {
  const head = `${count} ${count === 1 ? 'error' : 'errors'} in the source, all listed ${where}`;
  return allowed
    ? `${head}; accepted (--allow-errors): the archive carries them in its notes and the import reports them again.`
    : `${head}. Fix them in the source and ${again}, or give --allow-errors to accept the archive with them.`;
}
