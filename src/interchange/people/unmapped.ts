import type { NoteRecord, UserRecord } from '../archive/records.js';
import { type RecordSource, recordBatches } from '../source.js';

/** Unmapped users listed one by one at most (the rest are counted in one more note). */
const LISTED = 1000;

/**
 * The plan's list of the source users no pchat account was found for, each with the number of
 * messages they wrote (one pass over the messages, taken only when some are unmapped), most
 * messages first: errors, so nothing is written until the mapping file or --create-users says
 * who they are.
 */
export async function unmappedNotes(source: RecordSource, unmapped: readonly UserRecord[]): Promise<NoteRecord[]> {
  const counts = new Map<string, number>(unmapped.map((u) => [u.id, 0]));
  for await (const page of recordBatches(source, 'messages')) {
    for (const m of page) {
      const n = counts.get(m.author);
      if (n !== undefined) counts.set(m.author, n + 1);
    }
  }
  const sorted = [...unmapped].sort((a, b) => counts.get(b.id)! - counts.get(a.id)! || a.login.localeCompare(b.login));
  const total = sorted.reduce((n, u) => n + counts.get(u.id)!, 0);
  const notes: NoteRecord[] = sorted.slice(0, LISTED).map((u) => {
    const n = counts.get(u.id)!;
    return {
      severity: 'error',
      code: 'user_unmapped',
      item: { type: 'user', id: u.id, name: u.login },
      message: `"${u.login}" (${n} ${n === 1 ? 'message' : 'messages'}) is no pchat account: map it in --users users.csv ("${u.login},<pchat login>" or "${u.login},new"), or give --create-users`,
    };
  });
  const rest = sorted.length - LISTED;
  if (rest > 0) notes.push({ severity: 'error', code: 'user_unmapped', item: null, message: `${rest} more unmapped users not listed` });
  notes.push({
    severity: 'error',
    code: 'user_unmapped',
    item: null,
    message: `${sorted.length} source ${sorted.length === 1 ? 'user is' : 'users are'} not mapped to a pchat account (${total} messages): the import creates no account unless asked (--create-users)`,
  });
  return notes;
}
