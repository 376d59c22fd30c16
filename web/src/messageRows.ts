/**
 * How a room's window of messages reads: a line for each day (in the reader's local time), a
 * "New messages" line at the read position the room was opened with, and consecutive messages
 * of one author grouped under one name.
 */
import type { Message } from './types.js';

/** Messages of one author closer than this read as one turn: one name and avatar. */
export const GROUP_MS = 5 * 60_000;

export type Row =
  | { readonly type: 'day'; readonly key: string; readonly label: string }
  | { readonly type: 'new'; readonly key: string }
  | { readonly type: 'message'; readonly message: Message; readonly continued: boolean };

const dayKey = (d: Date): string => `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;

/** "Today", "Yesterday", "Monday 7 December" (this year) or "Friday 4 March 2022", in the browser's locale. */
export function dayLabel(d: Date, now = new Date()): string {
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (dayKey(d) === dayKey(now)) return 'Today';
  if (dayKey(d) === dayKey(yesterday)) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', ...(d.getFullYear() !== now.getFullYear() && { year: 'numeric' as const }) });
}

/** Stories and notices stand alone; text and file posts group. */
const groups = (m: Message): boolean => m.kind === 'text';

/**
 * The rows of a window. `readMark` is the last message read when the room was opened (null: no
 * line); the line goes before the first message after it by someone else than `me`, when the read position lies in the
 * window (or the window starts at the room's beginning), so it never claims that older unread
 * messages above it were read.
 */
export function arrange(messages: readonly Message[], readMark: number | null, moreBefore: boolean, me: number | null, now = new Date()): Row[] {
  const rows: Row[] = [];
  let previous: Message | null = null;
  let previousDay = '';
  let marked = false;
  let mark = readMark;
  for (const m of messages) {
    // What one wrote oneself is never new, and whoever wrote it had read what came before.
    if (!marked && mark !== null && m.seq > mark && m.authorId === me) mark = m.seq;
    const at = new Date(m.createdAt);
    const day = dayKey(at);
    let broken = previous === null;
    if (day !== previousDay) {
      rows.push({ type: 'day', key: `day-${day}`, label: dayLabel(at, now) });
      previousDay = day;
      broken = true;
    }
    if (!marked && mark !== null && m.seq > mark && (previous ? previous.seq > 0 && previous.seq <= mark : !moreBefore)) {
      rows.push({ type: 'new', key: 'new' });
      marked = true;
      broken = true;
    }
    const continued =
      !broken && previous !== null && previous.authorId === m.authorId && groups(previous) && groups(m) && Math.abs(at.getTime() - Date.parse(previous.createdAt)) < GROUP_MS;
    rows.push({ type: 'message', message: m, continued });
    previous = m;
  }
  return rows;
}

/** "14:05" or "2:05 PM" in the reader's locale, for a message under its day's line (short enough for the avatar's gutter). */
export const clock = (iso: string): string => new Date(iso).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });

/** The full date and time, for a tooltip. */
export const fullTime = (iso: string): string => new Date(iso).toLocaleString([], { dateStyle: 'full', timeStyle: 'short' });
