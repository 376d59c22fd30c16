import { historyQuery, postInput } from '../../../app/messages.js';
import { clearInput } from '../../../app/moderation.js';
import { editInput, removeOwnInput } from '../../../app/ownMessages.js';
import { createRoomInput, directoryQuery, updateRoomInput } from '../../../app/rooms.js';
import { presentMessage, presentPrincipals, presentRoom } from '../../present.js';
import { idParam, type Route } from '../route.js';

export const roomRoutes: Route[] = [
  {
    method: 'GET',
    url: '/api/v1/rooms',
    summary: 'The room directory as the caller may see it (secret rooms only to their members). Paged by `after`.',
    tag: 'rooms',
    auth: true,
    query: directoryQuery,
    handler: async (c) => {
      const { rooms, next } = await c.app.rooms.directory(c.actor, c.query);
      const snapshot = await c.app.directory.snapshot();
      return { rooms: rooms.map((v) => presentRoom(v, snapshot)), next };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/rooms',
    summary: 'Create a room (administrators, or creators of the category; the creator becomes a manager).',
    tag: 'rooms',
    auth: true,
    body: createRoomInput,
    status: 201,
    handler: async (c) => presentRoom(await c.app.rooms.create(c.actor, c.body), await c.app.directory.snapshot()),
  },
  {
    method: 'GET',
    url: '/api/v1/rooms/:roomId',
    summary: 'One room. Answers room_not_found for rooms the caller may not find.',
    tag: 'rooms',
    auth: true,
    handler: async (c) => presentRoom(await c.app.rooms.get(c.actor, idParam(c, 'roomId')), await c.app.directory.snapshot()),
  },
  {
    method: 'PATCH',
    url: '/api/v1/rooms/:roomId',
    summary: "Change a room's settings or role lists (managers and administrators). Moving it drops roles the new category does not allow; they are listed in `dropped`.",
    tag: 'rooms',
    auth: true,
    body: updateRoomInput,
    handler: async (c) => {
      const result = await c.app.rooms.update(c.actor, idParam(c, 'roomId'), c.body);
      const snapshot = await c.app.directory.snapshot();
      return { ...presentRoom(result, snapshot), dropped: presentPrincipals(result.dropped, snapshot) };
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/rooms/:roomId',
    summary: 'Delete a room and its history (administrators only).',
    tag: 'rooms',
    auth: true,
    adminOnly: true,
    status: 204,
    handler: async (c) => {
      await c.app.rooms.remove(c.actor, idParam(c, 'roomId'));
      return null;
    },
  },
  {
    method: 'GET',
    url: '/api/v1/rooms/:roomId/messages',
    summary: 'History by keyset: `before`/`after` a seq, `around` a seq, or `at` a time. Default: the newest page.',
    tag: 'messages',
    auth: true,
    query: historyQuery,
    handler: async (c) => {
      const page = await c.app.messages.history(c.actor, idParam(c, 'roomId'), c.query);
      const snapshot = await c.app.directory.snapshot();
      return { ...page, messages: page.messages.map((m) => presentMessage(m, snapshot)) };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/rooms/:roomId/messages',
    summary: 'Post a message or a story. Acknowledged only once durable; a repeated clientId is stored once (`duplicate: true`).',
    tag: 'messages',
    auth: true,
    body: postInput,
    status: 201,
    handler: async (c) => {
      const { message, duplicate } = await c.app.messages.post(c.actor, idParam(c, 'roomId'), c.body);
      if (duplicate) c.reply.status(200);
      return { message: presentMessage(message, await c.app.directory.snapshot()), duplicate };
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/rooms/:roomId/messages/:seq',
    summary:
      "Edit one's own message: its new `text` (the text rule of a post). Only its author, within the configured `editOwnMessages` window; compliance records the previous text. Answers the message with `editedAt`.",
    tag: 'messages',
    auth: true,
    body: editInput,
    handler: async (c) => ({ message: presentMessage(await c.app.ownMessages.edit(c.actor, idParam(c, 'roomId'), idParam(c, 'seq'), c.body), await c.app.directory.snapshot()) }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/rooms/:roomId/messages/:seq',
    summary: "Delete one's own message (and its file), with an optional `reason` in the query. Only its author, within the configured `editOwnMessages` window; compliance records the text removed.",
    tag: 'messages',
    auth: true,
    query: removeOwnInput,
    status: 204,
    handler: async (c) => {
      await c.app.ownMessages.remove(c.actor, idParam(c, 'roomId'), idParam(c, 'seq'), c.query);
      return null;
    },
  },
  {
    method: 'POST',
    url: '/api/v1/rooms/:roomId/clear',
    summary: 'Moderation: delete the room history from the oldest message through `upTo` (administrators).',
    tag: 'moderation',
    auth: true,
    adminOnly: true,
    body: clearInput,
    handler: async (c) => c.app.moderation.clearRoom(c.actor, idParam(c, 'roomId'), c.body),
  },
];
