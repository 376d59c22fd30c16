import type { NoteRecord } from '../../archive/records.js';
import type { ExtraAuthor } from './authors.js';
import type { SlackStats } from './convert.js';
import type { SlackPerson } from './export.js';

const WORDS: Readonly<Record<string, [string, string]>> = {
  channel_join: ['join', 'joins'],
  group_join: ['join', 'joins'],
  channel_leave: ['leave', 'leaves'],
  group_leave: ['leave', 'leaves'],
  channel_topic: ['topic change', 'topic changes'],
  group_topic: ['topic change', 'topic changes'],
  channel_purpose: ['purpose change', 'purpose changes'],
  group_purpose: ['purpose change', 'purpose changes'],
  channel_name: ['rename', 'renames'],
  group_name: ['rename', 'renames'],
  pinned_item: ['pin notice', 'pin notices'],
  unpinned_item: ['unpin notice', 'unpin notices'],
};
const counted = (n: number, kind: string): string => {
  const words = WORDS[kind];
  return words ? `${n} ${words[n === 1 ? 0 : 1]}` : `${n} "${kind}"`;
};
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export interface SlackNoteFacts {
  readonly stats: SlackStats;
  readonly roomNames: ReadonlyMap<string, string>;
  readonly extra: Iterable<ExtraAuthor>;
  readonly guests: readonly SlackPerson[];
  readonly deleted: number;
  readonly archived: number;
  readonly strayFolders: readonly string[];
  /** Direct conversations left out (the default), with their messages. */
  readonly directSkipped: { conversations: number; messages: number };
  /** Descriptions shortened to the room limit, by room id. */
  readonly shortened: readonly string[];
  /** The reactions the records keep, and those left out (stats.reactions settled). */
  readonly reactions: { readonly kept: number; readonly dropped: number };
}

/** What the Slack source changed, counted or could not carry, each by kind (nothing dropped silently). */
export function slackNotes(f: SlackNoteFacts): NoteRecord[] {
  const s = f.stats;
  const notes: NoteRecord[] = [];
  const note = (severity: NoteRecord['severity'], code: string, message: string, item: NoteRecord['item'] = null) => notes.push({ severity, code, item, message });
  for (const [room, counts] of s.events) {
    const name = f.roomNames.get(room) ?? room;
    note('conversion', 'slack_events_counted', `${name}: ${[...counts].map(([k, n]) => counted(n, k)).join(', ')}; not imported as messages (the room's description is its current topic, else its purpose; its name the current one)`, { type: 'room', id: room, name });
  }
  for (const [subtype, n] of s.unknownImported) {
    note('warning', 'slack_subtype_unknown', `${plural(n, 'message', 'messages')} of subtype "${subtype}", which pchat does not know: imported as notices with their text`);
  }
  for (const [subtype, n] of s.unknownDropped) {
    note('warning', 'slack_subtype_unknown', `${plural(n, 'message', 'messages')} of subtype "${subtype}", which pchat does not know, with no text or file: not imported`);
  }
  if (s.replies > 0) note('conversion', 'slack_thread_replies', `${plural(s.replies, 'thread reply', 'thread replies')}: imported as replies to their thread's first message`);
  if (s.orphanReplies > 0) {
    note('conversion', 'slack_thread_parent_missing', `${plural(s.orphanReplies, 'thread reply answers', 'thread replies answer')} a message that is not in the export (before its date range or the start date): imported as plain messages`);
  }
  if (s.edited > 0) note('conversion', 'slack_edited', `${plural(s.edited, 'message was', 'messages were')} edited: imported with the last text and marked edited at the last edit (a Slack export keeps no earlier text)`);
  if (f.reactions.kept > 0) note('conversion', 'slack_reactions', `${plural(f.reactions.kept, 'reaction', 'reactions')} imported (common emoji names as Unicode emoji, others as :name:)`);
  if (f.reactions.dropped > 0) note('warning', 'slack_reactions_dropped', `${plural(f.reactions.dropped, 'reaction', 'reactions')} by users the export does not list: not imported`);
  if (s.pinned > 0) note('conversion', 'slack_pins_counted', `${plural(s.pinned, 'message was', 'messages were')} pinned: pchat has no pins, the messages are imported unpinned`);
  if (s.attachmentsAsText > 0) note('conversion', 'slack_attachments_as_text', `${plural(s.attachmentsAsText, 'integration post has', 'integration posts have')} no text of its own: its attachments' text became the message`);
  if (s.withoutAuthor > 0) note('warning', 'slack_message_without_author', `${plural(s.withoutAuthor, 'message names', 'messages name')} neither a user nor a bot: not imported`);
  for (const a of f.extra) {
    const u = a.record;
    if (a.kind === 'bot') {
      note('conversion', 'slack_bot_user', `the integration "${u.displayName}" (bot ${u.id}, ${plural(a.messages, 'post', 'posts')}) is not in users.json: its posts are by a disabled user "${u.login}" made for it`, { type: 'user', id: u.id, name: u.login });
    } else {
      note('warning', 'slack_user_unknown', `user ${u.id} (${plural(a.messages, 'message', 'messages')}) is not in users.json: a disabled user "${u.login}" is made for it`, { type: 'user', id: u.id, name: u.login });
    }
  }
  for (const g of f.guests) {
    note('warning', 'slack_guest_left_out', `"${g.login}" is a Slack guest: imported as a user (with their messages) but given no access to the category or its rooms; grant what they should see by hand`, { type: 'user', id: g.id, name: g.login });
  }
  if (f.deleted > 0) note('conversion', 'slack_deleted_users', `${plural(f.deleted, 'deactivated Slack account is', 'deactivated Slack accounts are')} kept as disabled users, with their messages`);
  if (f.archived > 0) note('conversion', 'slack_channel_archived', `${plural(f.archived, 'archived channel is', 'archived channels are')} imported as disabled rooms (history kept, re-enable to use)`);
  for (const room of f.shortened) {
    note('conversion', 'slack_description_shortened', `the topic of ${f.roomNames.get(room) ?? room} is longer than 256 characters: the room's description keeps its first 255 and "…"`, { type: 'room', id: room });
  }
  for (const folder of f.strayFolders) {
    note('warning', 'slack_folder_unknown', `the folder "${folder}" holds day files, but no channel, private channel or conversation of the export is named so: not imported`, { type: 'file', id: folder });
  }
  const d = f.directSkipped;
  if (d.conversations > 0) {
    note('conversion', 'slack_direct_skipped', `${plural(d.conversations, 'direct conversation', 'direct conversations')} (${plural(d.messages, 'message', 'messages')}) not imported: pchat's direct conversations are not rooms (give --direct-messages as-rooms --direct-category <name> to import each as a secret room of its participants)`);
  }
  if (s.olderThanStart > 0 || s.daysBeforeStart > 0) {
    const unread = s.daysBeforeStart > 0 ? `, and ${plural(s.daysBeforeStart, 'day file', 'day files')} wholly before it not read` : '';
    note('conversion', 'older_than_start_date', `${s.olderThanStart} messages older than the start date were left out${unread}`);
  }
  return [...notes, ...s.files];
}
