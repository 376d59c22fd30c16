import { openDirectInput } from '../../../app/direct.js';
import { presentConversation } from '../../direct.js';
import { idParam, type Route } from '../route.js';

/**
 * Direct conversations: opening one and listing the caller's. Their messages, history, search
 * and read positions are the rooms' routes, by the conversation's room id.
 */
export const directRoutes: Route[] = [
  {
    method: 'POST',
    url: '/api/v1/direct',
    summary:
      'Open a direct conversation with `participants` (user ids or logins, besides the caller; 2 to 8 people in all). A pair has one conversation: opening it again answers the same one (200, `created: false`); a new one answers 201. Refused when the policy switches direct messages off.',
    tag: 'direct',
    auth: true,
    body: openDirectInput,
    status: 201,
    handler: async (c) => {
      const { created, ...view } = await c.app.direct.open(c.actor, c.body);
      if (!created) c.reply.status(200);
      return { ...presentConversation(view, await c.app.directory.snapshot()), created };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/direct',
    summary: "The caller's direct conversations, most recent activity first, each with its participants, `unread` count and last message.",
    tag: 'direct',
    auth: true,
    handler: async (c) => {
      const views = await c.app.direct.list(c.actor);
      const snapshot = await c.app.directory.snapshot();
      return { conversations: views.map((v) => presentConversation(v, snapshot)) };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/direct/:roomId',
    summary: 'One direct conversation of the caller. Answers room_not_found to everyone else, administrators included.',
    tag: 'direct',
    auth: true,
    handler: async (c) => presentConversation(await c.app.direct.get(c.actor, idParam(c, 'roomId')), await c.app.directory.snapshot()),
  },
];
