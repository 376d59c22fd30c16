import { mentionsQuery, notifyInput, peopleQuery } from '../../../app/mentions.js';
import { presentMentions } from '../../mentions.js';
import { idParam, type Route } from '../route.js';

/** @mentions: the messages that mention the caller, the people a composer offers after `@`, and per-room notification settings. */
export const mentionRoutes: Route[] = [
  {
    method: 'GET',
    url: '/api/v1/mentions',
    summary:
      'The messages that mention the caller (`@login`), newest first, only in rooms the caller may read: `{mentions: [{message, roomName, direct, unread}], nextBefore}`; page with `before` = the previous `nextBefore` (null: no more).',
    tag: 'mentions',
    auth: true,
    query: mentionsQuery,
    handler: async (c) => presentMentions(c.app, await c.app.mentions.list(c.actor, c.query)),
  },
  {
    method: 'GET',
    url: '/api/v1/rooms/:roomId/people',
    summary:
      'People who may read the room whose login, display name or a word of it starts with `prefix` (case-insensitive), alphabetically, at most `limit` (default 10, at most 50): `{people: [{id, login, displayName}]}`. For completing `@` mentions.',
    tag: 'mentions',
    auth: true,
    query: peopleQuery,
    handler: async (c) => ({ people: await c.app.mentions.people(c.actor, idParam(c, 'roomId'), c.query) }),
  },
  {
    method: 'PUT',
    url: '/api/v1/me/rooms/:roomId/notify',
    summary:
      'The caller\'s notification setting for a room they may read (`{"notify": "all" | "mentions" | "none"}`; default `mentions`), kept on the server so every device follows it. Answers the room\'s reading view.',
    tag: 'reading',
    auth: true,
    body: notifyInput,
    handler: async (c) => c.app.reading.setNotify(c.actor, idParam(c, 'roomId'), c.body),
  },
];
