import type { NoteRecord } from '../../archive/records.js';
import type { LineKind } from './events.js';
import type { ScanResult } from './scan.js';

const WORDS: Partial<Record<LineKind, [string, string]>> = {
  join: ['join', 'joins'],
  part: ['part', 'parts'],
  quit: ['quit', 'quits'],
  kick: ['kick', 'kicks'],
  nick: ['nick change', 'nick changes'],
  mode: ['mode change', 'mode changes'],
  topic: ['topic change', 'topic changes'],
  topicShown: ['topic shown', 'topics shown'],
  info: ['other client line', 'other client lines'],
};
const counted = (n: number, kind: LineKind) => `${n} ${(WORDS[kind] ?? [kind, kind])[n === 1 ? 0 : 1]}`;
const LISTED = 20;

/**
 * What the reader reports about a logs directory: every line it could not read or place (file and
 * line number), the lines decoded in the legacy encoding, days it inferred, the buffers it skipped,
 * and per channel the count of each kind of line that is not imported as a message.
 */
export function scanNotes(scan: ScanResult, encoding: string, actions: number): NoteRecord[] {
  const notes: NoteRecord[] = [];
  const file = (id: string) => ({ type: 'file', id });
  for (const [relative, buffer] of scan.skipped) {
    notes.push({ severity: 'conversion', code: 'irc_buffer_skipped', item: file(relative), message: `${relative} logs "${buffer}", which is not a channel (a private conversation or a server buffer): not imported` });
  }
  for (const relative of scan.undetected) {
    notes.push({ severity: 'warning', code: 'irc_format_unknown', item: file(relative), message: `${relative}: no line reads as a weechat, irssi, ZNC or [HH:MM] log; the file is not imported (give --log-format if it is one of them)` });
  }
  let legacy = 0;
  for (const [relative, p] of scan.problems) {
    for (const [line, text] of p.unparsed) {
      notes.push({ severity: 'warning', code: 'irc_line_unparsed', item: file(relative), message: `${relative} line ${line}: not a line of its log format, not imported: ${JSON.stringify(text)}` });
    }
    if (p.unparsedCount > p.unparsed.length) {
      notes.push({ severity: 'warning', code: 'irc_line_unparsed', item: file(relative), message: `${relative}: ${p.unparsedCount - p.unparsed.length} more lines not read (${p.unparsedCount} in all)` });
    }
    if (p.undated > 0) {
      notes.push({ severity: 'warning', code: 'irc_line_undated', item: file(relative), message: `${relative}: ${p.undated} lines from line ${p.firstUndated} come before any date (none in the file name, no day line yet); not imported` });
    }
    for (const line of p.inferredDays.slice(0, LISTED)) {
      notes.push({ severity: 'warning', code: 'irc_day_inferred', item: file(relative), message: `${relative} line ${line}: the time goes back with no day-change line; taken as the next day` });
    }
    if (p.inferredDays.length > LISTED) notes.push({ severity: 'warning', code: 'irc_day_inferred', item: file(relative), message: `${relative}: ${p.inferredDays.length - LISTED} more days inferred` });
    if (p.legacyLines > 0) {
      legacy += p.legacyLines;
      const one = p.legacyLines === 1;
      notes.push({ severity: 'conversion', code: 'irc_legacy_encoding', item: file(relative), message: `${relative}: ${p.legacyLines} ${one ? 'line was' : 'lines were'} not UTF-8 and ${one ? 'was' : 'were'} decoded as ${encoding}` });
    }
  }
  if (legacy > 0) notes.push({ severity: 'conversion', code: 'irc_legacy_encoding', item: null, message: `${legacy} ${legacy === 1 ? 'line' : 'lines'} in all decoded as ${encoding}` });
  if (actions > 0) notes.push({ severity: 'conversion', code: 'irc_action', item: null, message: `${actions} actions (/me) became messages written "/me <text>", which pchat's IRC door sends as actions again` });
  if (scan.olderThanStart > 0) notes.push({ severity: 'conversion', code: 'older_than_start_date', item: null, message: `${scan.olderThanStart} messages older than the start date were left out` });
  for (const c of scan.channels) {
    const kinds = [...c.counts].filter(([, n]) => n > 0).map(([k, n]) => counted(n, k));
    if (kinds.length === 0) continue;
    notes.push({ severity: 'conversion', code: 'irc_events_counted', item: { type: 'room', id: c.id, name: c.channel }, message: `${c.channel}${c.network ? ` (${c.network})` : ''}: ${kinds.join(', ')}; not imported as messages${c.topic ? ' (the latest topic is the room\'s description)' : ''}` });
  }
  return notes;
}
