import type { NoteRecord } from '../../archive/records.js';
import type { MattermostScan } from './scan.js';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export interface MattermostNoteFacts {
  readonly scan: MattermostScan;
  readonly roomNames: ReadonlyMap<string, string>;
  /** Direct conversations left out (the default), with the messages --direct-messages as-rooms would import of them. */
  readonly directSkipped: { conversations: number; messages: number };
  /** Attachments posts name that the export does not hold, by path. */
  readonly missing: readonly string[];
  readonly shortened: readonly string[];
}

/** What the Mattermost source changed, counted or could not carry, each by kind. */
export function mattermostNotes(f: MattermostNoteFacts): NoteRecord[] {
  const c = f.scan.counts;
  const notes: NoteRecord[] = [];
  const note = (severity: NoteRecord['severity'], code: string, message: string, item: NoteRecord['item'] = null) => notes.push({ severity, code, item, message });
  for (const [room, byType] of c.events) {
    const name = f.roomNames.get(room) ?? room;
    note('conversion', 'mattermost_events_counted', `${name}: ${[...byType].map(([t, n]) => `${n} "${t}"`).join(', ')}; system messages are not imported`, { type: 'room', id: room, name });
  }
  for (const [type, n] of c.unknownImported) note('warning', 'mattermost_type_unknown', `${plural(n, 'post', 'posts')} of type "${type}", which pchat does not know: imported as notices with their text`);
  for (const [type, n] of c.unknownDropped) note('warning', 'mattermost_type_unknown', `${plural(n, 'post', 'posts')} of type "${type}", which pchat does not know, with no text or file: not imported`);
  if (c.replies > 0) note('conversion', 'mattermost_replies', `${plural(c.replies, 'reply', 'replies')}: imported as replies to their thread's first post`);
  if (c.orphanReplies > 0) note('conversion', 'mattermost_reply_parent_missing', `${plural(c.orphanReplies, 'reply answers', 'replies answer')} a post that is not imported (older than the start date, or a system message) or that is younger than the reply: imported as plain messages`);
  if (c.edited > 0) note('conversion', 'mattermost_edited', `${plural(c.edited, 'post was', 'posts were')} edited: imported with the last text and marked edited (the export keeps no earlier text)`);
  if (c.reactions > 0 || c.reactionsDropped > 0) {
    const left = c.reactionsDropped > 0 ? `; ${c.reactionsDropped} left out (by users the export does not list, or naming no user or emoji)` : '';
    note('conversion', 'mattermost_reactions', `${plural(c.reactions, 'reaction', 'reactions')} (common emoji names as Unicode emoji, custom ones as :name:)${left}`);
  }
  if (c.flagged > 0) note('conversion', 'mattermost_flags_counted', `${plural(c.flagged, 'post was', 'posts were')} flagged (saved) by someone: pchat has no saved messages, the flags are not carried`);
  if (c.pinned > 0) note('conversion', 'mattermost_pins_counted', `${plural(c.pinned, 'post was', 'posts were')} pinned: pchat has no pins, the posts are imported unpinned`);
  if (c.attachmentsAsText > 0) note('conversion', 'mattermost_attachments_as_text', `${plural(c.attachmentsAsText, 'integration post has', 'integration posts have')} no message of its own: its attachments' text became the message`);
  if (c.extraAttachments > 0) note('conversion', 'mattermost_extra_attachments', `${plural(c.extraAttachments, 'attachment', 'attachments')} past a post's first: each is one more message right after its post, by the same author at the same time (a pchat message posts one file)`);
  for (const path of f.missing) {
    note('file', 'mattermost_attachment_missing', `the attachment "${path}" is not in the export (export with --attachments, or put data/${path} beside the .jsonl): its message says [file: ${path.split('/').pop() || path}]; carry the file by hand`, { type: 'file', id: path, name: path.split('/').pop() || path });
  }
  for (const [user, n] of f.scan.unknownUsers) {
    note('warning', 'mattermost_user_unknown', `"${user}" wrote ${plural(n, 'message', 'messages')} but no user line of the export names them: a disabled user is made for them`, { type: 'user', id: user, name: user });
  }
  const deleted = [...f.scan.users.values()].filter((u) => u.deleted).length;
  if (deleted > 0) note('conversion', 'mattermost_deactivated_users', `${plural(deleted, 'deactivated account is', 'deactivated accounts are')} kept as disabled users, with their messages`);
  const bots = [...f.scan.users.values()].filter((u) => u.bot).length;
  if (bots > 0) note('conversion', 'mattermost_bots', `${plural(bots, 'bot is', 'bots are')} imported as disabled users (their posts keep their author)`);
  const archived = f.scan.channels.filter((ch) => ch.deleted).length;
  if (archived > 0) note('conversion', 'mattermost_channel_archived', `${plural(archived, 'archived channel is', 'archived channels are')} imported as disabled rooms (history kept)`);
  for (const room of f.shortened) note('conversion', 'mattermost_description_shortened', `the purpose of ${f.roomNames.get(room) ?? room} is longer than 256 characters: the room's description keeps its first 255 and "…"`, { type: 'room', id: room });
  for (const [key, lines] of f.scan.repeatedChannels) {
    const name = f.roomNames.get(key) ?? key;
    note('warning', 'mattermost_channel_repeated', `the channel "${key}" is declared by ${lines.length} channel lines (lines ${lines.join(', ')}): one room, each later line's attributes over the earlier ones' (as Mattermost's bulk import updates a channel it already has)`, { type: 'room', id: key, name });
  }
  for (const [key, p] of f.scan.channelsBeforeTeam) {
    const name = f.roomNames.get(key) ?? key;
    note('conversion', 'mattermost_channel_before_team', `the channel "${key}" (line ${p.channelLine}) comes before its team's line (line ${p.teamLine}): imported all the same, in the team's category (Mattermost's own bulk import needs the team line first)`, { type: 'room', id: key, name });
  }
  for (const [key, p] of f.scan.postsBeforeChannel) {
    const name = f.roomNames.get(key) ?? key;
    const what = p.messages === p.posts ? plural(p.posts, 'post', 'posts') : `${plural(p.posts, 'post', 'posts')} (${p.messages} messages with ${p.posts === 1 ? 'its' : 'their'} replies)`;
    note('conversion', 'mattermost_posts_before_channel', `${what} of the channel "${key}" ${p.posts === 1 ? 'comes' : 'come'} before its channel line (line ${p.channelLine}), first on line ${p.firstLine}: imported all the same (Mattermost's own bulk import needs the channel line first)`, { type: 'room', id: key, name });
  }
  for (const [key, n] of f.scan.strayPosts) {
    const team = f.scan.teamless.get(key);
    if (team === undefined) note('warning', 'mattermost_channel_unknown', `${plural(n, 'message', 'messages')} of the channel "${key}", which no channel line declares: not imported`);
    else note('warning', 'mattermost_team_unknown', `${plural(n, 'message', 'messages')} of the channel "${key}", whose team "${team}" no team line declares: not imported`);
  }
  for (const [key, team] of f.scan.teamless) {
    if (!f.scan.strayPosts.has(key)) note('warning', 'mattermost_team_unknown', `the channel "${key}" (no messages), whose team "${team}" no team line declares: not imported`);
  }
  for (const [type, n] of f.scan.otherLines) note('conversion', 'mattermost_lines_not_carried', `${plural(n, `"${type}" line`, `"${type}" lines`)} (schemes, roles, custom emoji …): not carried`);
  const d = f.directSkipped;
  if (d.conversations > 0) {
    note('conversion', 'mattermost_direct_skipped', `${plural(d.conversations, 'direct conversation', 'direct conversations')} (${plural(d.messages, 'message', 'messages')} as --direct-messages as-rooms would import them: each attachment past a post's first is a message of its own) not imported: pchat's direct conversations are not rooms (give --direct-messages as-rooms --direct-category <name> to import each as a secret room of its participants)`);
  }
  if (c.olderThanStart > 0) note('conversion', 'older_than_start_date', `${c.olderThanStart} messages older than the start date were left out`);
  return notes;
}
