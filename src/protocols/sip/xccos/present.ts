import type { Snapshot } from '../../../app/directory.js';
import type { RoomView } from '../../../app/rooms.js';
import { effectiveRoles } from '../../../core/permissions.js';
import type { Message, Room } from '../../../core/model.js';
import { plainText } from '../../../core/richText.js';
import { replyQuote } from '../../present.js';
import { fileSummary } from '../../present.js';
import { element, escapeXml } from '../xml.js';
import type { SipNames } from './uris.js';

/** aib keys of a join reply: who is in the room, and who of them is a channel operator (manager). */
export const AIB_PARTICIPANT = '3984';
export const AIB_CHANOP = '12276';

/** Legacy visibility names: secret rooms were "private", closed ones "scope"d. */
const VISIBILITY = { secret: 'private', closed: 'scope', open: 'open' } as const;

/** A room as `chansrch` lists it: name, description, URI, user count, visibility and properties. */
export function searchEntry(names: SipNames, view: RoomView, userCount: number): string {
  const { room, category } = view;
  const info = element('info', { id: 'urn:parlano:ma:info:ucnt' }, String(userCount)) + element('info', { id: 'urn:parlano:ma:info:visibilty' }, VISIBILITY[room.privacy]);
  const props =
    element('prop', { id: 'urn:parlano:ma:prop:filepost' }, String(category.fileUpload)) +
    element('prop', { id: 'urn:parlano:ma:prop:invite' }, String(view.invitationsEnabled)) +
    element('prop', { id: 'urn:parlano:ma:prop:logged' }, String(category.chatHistory));
  return element('chanib', { name: room.name, description: room.description, uri: names.roomUri(room) }, info + props);
}

/** A join reply's room: its people by id (with the managers as chanops), then their uib entries. */
export function joinEntry(names: SipNames, snapshot: Snapshot, room: Room, participants: readonly number[]): { chanib: string; uibs: Map<number, string> } {
  const found = snapshot.roomWithCategory(room.id);
  const chanops = participants.filter((uid) => {
    const actor = snapshot.actor(uid);
    return Boolean(actor && found && (effectiveRoles(actor, found.room, found.category).manager || actor.isAdmin));
  });
  const aibs = element('aib', { key: AIB_PARTICIPANT, value: participants.join(',') }) + (chanops.length > 0 ? element('aib', { key: AIB_CHANOP, value: chanops.join(',') }) : '');
  const chanib = element('chanib', { name: room.name, uri: names.roomUri(room), topic: room.description || undefined }, aibs);
  const uibs = new Map(participants.map((uid) => [uid, userEntry(names, snapshot, uid)]));
  return { chanib, uibs };
}

export function userEntry(names: SipNames, snapshot: Snapshot | null, userId: number): string {
  return element('uib', { id: userId, uri: names.userUriOf(userId, snapshot), dn: snapshot?.users.get(userId)?.displayName });
}

/**
 * A message's text as a legacy client shows it: a story's title on its own line above the text;
 * a file post's caption (if any) and then its file line with an absolute download link; an
 * inline link as `label (url)`; a reply's quote of its parent first.
 */
export function chatText(m: Message, baseUrl: string, quote: string | null = null): string {
  const body = plainText(m.text); // an inline link `[label](url)` reads `label (url)` (core/richText.ts)
  const titled = m.kind === 'story' && m.title ? `${m.title}\n\n${body}` : body;
  // A reply shows a one-line quote of its parent above its text (core/replies.ts).
  const text = quote === null ? titled : `${quote}\n${titled}`;
  if (!m.file) return text;
  const line = fileSummary(m.file, baseUrl);
  return text === m.file.name ? line : `${text}\n${line}`;
}

/** One message: `grpchat` live, or `msg id="grpchat"` inside a bccontext reply. */
export function chatElement(tag: 'grpchat' | 'msg', names: SipNames, snapshot: Snapshot | null, roomUri: string, m: Message): string {
  // XML cannot carry a bare CR; line breaks travel as CRLF escaped, which every client reads back.
  const text = escapeXml(chatText(m, names.publicUrl, replyQuote(m, snapshot))).replace(/\n/g, '&#13;\n');
  return element('grpchat' === tag ? 'grpchat' : 'msg', { id: 'grpchat', seqid: m.seq, chanUri: roomUri, author: names.userUriOf(m.authorId, snapshot), ts: new Date(m.createdAt).toISOString() }, `<chat>${text}</chat>`);
}
