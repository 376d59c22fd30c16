import { followInput, readInput } from '../../../app/reading.js';
import { idParam, type Route } from '../route.js';

/** The caller's followed rooms and read positions: stored on the server, so they roam between devices. */
export const readingRoutes: Route[] = [
  {
    method: 'GET',
    url: '/api/v1/me/rooms',
    summary:
      'The rooms the caller follows, has read or was mentioned in, each with `followed`, `lastRead`, `lastSeq`, `unread` (= lastSeq − lastRead), `mentions` (unread messages that mention the caller, counted apart) and `notify` (the notification setting). Rooms the caller may no longer read are left out.',
    tag: 'reading',
    auth: true,
    handler: async (c) => ({ rooms: await c.app.reading.list(c.actor) }),
  },
  {
    method: 'PUT',
    url: '/api/v1/me/rooms/:roomId',
    summary: 'Follow (`{"followed": true}`, needs read access) or unfollow a room. Followed rooms are opened at every sign-in.',
    tag: 'reading',
    auth: true,
    body: followInput,
    handler: async (c) => c.app.reading.follow(c.actor, idParam(c, 'roomId'), c.body),
  },
  {
    method: 'PUT',
    url: '/api/v1/me/rooms/:roomId/read',
    summary: 'Record that the caller has read the room up to `seq`. Positions only move forward.',
    tag: 'reading',
    auth: true,
    body: readInput,
    handler: async (c) => c.app.reading.markRead(c.actor, idParam(c, 'roomId'), c.body),
  },
];
