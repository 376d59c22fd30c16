import type { Snapshot } from '../app/directory.js';
import type { RoomView } from '../app/rooms.js';
import { formatSize } from '../core/sizes.js';
import { presentReactions } from './presentReactions.js';
import type { Category, FileInfo, Group, Message, PrincipalRef, ReplyRef } from '../core/model.js';
import { quoteOf } from '../core/replies.js';

/**
 * JSON shapes shared by the HTTP API and the WebSocket protocol, so a message or a room
 * looks the same whichever door a client came through.
 */
export function presentMessage(m: Message, snapshot: Snapshot | null): Record<string, unknown> {
  return {
    id: m.id,
    roomId: m.roomId,
    seq: m.seq,
    authorId: m.authorId,
    authorName: snapshot?.users.get(m.authorId)?.displayName ?? null,
    kind: m.kind,
    title: m.title,
    text: m.text,
    createdAt: new Date(m.createdAt).toISOString(),
    clientId: m.clientId,
    origin: m.origin,
    file: m.file ? presentFile(m.file) : null,
    /** When its author last edited it; null if never (docs/websocket.md). */
    editedAt: m.editedAt ? new Date(m.editedAt).toISOString() : null,
    /** Emoji reactions: [{emoji, count, users: [{id, name}]}], first-reacted first; [] when none. */
    reactions: presentReactions(m.reactions, snapshot),
    /** The message it answers (seq null when that was removed), or null; and how many answer it. */
    replyTo: m.replyTo ? presentParent(m.replyTo, snapshot) : null,
    replyCount: m.replyCount ?? 0,
  };
}

const presentParent = (p: ReplyRef, snapshot: Snapshot | null): Record<string, unknown> => ({
  seq: p.seq,
  authorId: p.authorId,
  authorName: p.authorId === null ? null : (snapshot?.users.get(p.authorId)?.displayName ?? null),
  excerpt: p.excerpt,
});

/** What doors without replies of their own (IRC, SIP) put before a reply's text: a one-line quote of its parent. */
export const replyQuote = (m: Message, snapshot: Snapshot | null): string | null =>
  m.replyTo ? quoteOf(m.replyTo, m.replyTo.authorId === null ? null : (snapshot?.users.get(m.replyTo.authorId)?.displayName ?? null)) : null;

/** A file name as one URL path segment: every character but RFC 3986's unreserved ones percent-encoded. */
export const encodeFileName = (name: string): string => encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Where a file is downloaded, relative to the server: `/api/v1/files/<id>/<encoded name>` (the name is cosmetic). */
export const fileUrl = (file: Pick<FileInfo, 'id' | 'name'>): string => `/api/v1/files/${file.id}/${encodeFileName(file.name)}`;

export function presentFile(f: FileInfo): Record<string, unknown> {
  return { id: f.id, name: f.name, contentType: f.contentType, size: f.size, sha256: f.sha256, url: fileUrl(f) };
}

/**
 * Principals by kind, id and name (a user's login, a group's name); users also by display name
 * and whether they are disabled (as GET /api/v1/users says to anyone), so a client can show an
 * auditorium's presenters as people know them without listing every user.
 */
export function presentPrincipals(refs: readonly PrincipalRef[], snapshot: Snapshot): Record<string, unknown>[] {
  return refs.map((ref) => {
    const user = ref.kind === 'user' ? snapshot.users.get(ref.id) : undefined;
    const base = { kind: ref.kind, id: ref.id, name: snapshot.principalName(ref) };
    return user ? { ...base, displayName: user.displayName, disabled: user.disabled } : base;
  });
}

export function presentRoom(view: RoomView, snapshot: Snapshot): Record<string, unknown> {
  const { room, category } = view;
  const addin = room.addinId === null ? null : (snapshot.addins.get(room.addinId) ?? null);
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    // Files are posted where both are on (a file needs a kept message): clients offer attaching accordingly.
    category: { id: category.id, name: category.name, fileUpload: category.fileUpload, chatHistory: category.chatHistory },
    privacy: room.privacy,
    type: room.type,
    invitations: room.invitations,
    invitationsEnabled: view.invitationsEnabled,
    addin,
    disabled: room.disabled,
    members: presentPrincipals(room.members, snapshot),
    managers: presentPrincipals(room.managers, snapshot),
    presenters: presentPrincipals(room.presenters, snapshot),
    roles: view.roles,
    can: view.can,
    createdAt: new Date(room.createdAt).toISOString(),
    origin: room.origin,
    /** Read-only: set by a migration from Lync/OCS Group Chat (`ma-chan://…`), never through the API. */
    legacyUri: room.legacyUri,
    /** A direct conversation (GET /api/v1/direct describes it): its name is internal, its members are its participants. */
    direct: room.direct === true,
  };
}

export function presentCategory(c: Category, snapshot: Snapshot): Record<string, unknown> {
  return {
    ...c,
    allowed: presentPrincipals(c.allowed, snapshot),
    denied: presentPrincipals(c.denied, snapshot),
    creators: presentPrincipals(c.creators, snapshot),
  };
}

export function presentGroup(g: Group, snapshot: Snapshot): Record<string, unknown> {
  return { ...g, members: presentPrincipals(g.members, snapshot) };
}


/** A file post as one line of text for clients that show text only (IRC, Lync): `[file] report.pdf (1.2 MB) <absolute link>`. */
export function fileSummary(file: Pick<FileInfo, 'id' | 'name' | 'size'>, baseUrl: string): string {
  return `[file] ${file.name} (${formatSize(file.size)}) ${baseUrl}${fileUrl(file)}`;
}

export { formatSize };
