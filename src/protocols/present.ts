import type { Snapshot } from '../app/directory.js';
import type { RoomView } from '../app/rooms.js';
import type { Category, Group, Message, PrincipalRef } from '../core/model.js';

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
  };
}

export function presentPrincipals(refs: readonly PrincipalRef[], snapshot: Snapshot): Record<string, unknown>[] {
  return refs.map((ref) => ({ kind: ref.kind, id: ref.id, name: snapshot.principalName(ref) }));
}

export function presentRoom(view: RoomView, snapshot: Snapshot): Record<string, unknown> {
  const { room, category } = view;
  const addin = room.addinId === null ? null : (snapshot.addins.get(room.addinId) ?? null);
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    category: { id: category.id, name: category.name },
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
