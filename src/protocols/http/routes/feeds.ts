import { feedInput, feedPageQuery, feedReadInput } from '../../../app/feeds/feeds.js';
import { presentFeed } from '../../feeds.js';
import { presentMessage } from '../../present.js';
import { idParam, type Route } from '../route.js';

/**
 * Topic feeds: the caller's keyword filters, stored on the server so they follow the caller to
 * every device, and the messages they found. Another user's feed answers not_found.
 */
export const feedRoutes: Route[] = [
  {
    method: 'GET',
    url: '/api/v1/feeds',
    summary: "The caller's topic feeds, oldest first, each with `unread`: hits since the caller last read it, in rooms the caller may still read.",
    tag: 'feeds',
    auth: true,
    handler: async (c) => ({ feeds: (await c.app.feeds.list(c.actor)).map(presentFeed) }),
  },
  {
    method: 'POST',
    url: '/api/v1/feeds',
    summary:
      'Save a topic feed: `words` (split and folded as search does; all must be in a message, whole words, any order; 1 to 8), optional `name`, `authorId` and `roomIds` (rooms the caller may read). New messages that match, in rooms the caller may read, by others, become its hits. At most 100 per user.',
    tag: 'feeds',
    auth: true,
    body: feedInput,
    status: 201,
    handler: async (c) => presentFeed(await c.app.feeds.create(c.actor, c.body)),
  },
  {
    method: 'GET',
    url: '/api/v1/feeds/:feedId',
    summary: 'One topic feed of the caller.',
    tag: 'feeds',
    auth: true,
    handler: async (c) => presentFeed(await c.app.feeds.get(c.actor, idParam(c, 'feedId'))),
  },
  {
    method: 'PUT',
    url: '/api/v1/feeds/:feedId',
    summary: 'Change a topic feed (the same fields as creating one). Hits found so far stay.',
    tag: 'feeds',
    auth: true,
    body: feedInput,
    handler: async (c) => presentFeed(await c.app.feeds.update(c.actor, idParam(c, 'feedId'), c.body)),
  },
  {
    method: 'DELETE',
    url: '/api/v1/feeds/:feedId',
    summary: 'Delete a topic feed and its hits.',
    tag: 'feeds',
    auth: true,
    status: 204,
    handler: async (c) => {
      await c.app.feeds.remove(c.actor, idParam(c, 'feedId'));
      return null;
    },
  },
  {
    method: 'GET',
    url: '/api/v1/feeds/:feedId/messages',
    summary:
      "The feed's messages, newest hit first, `limit` (1–100, default 50) at a time; pass the answer's `next` as `before` for the next page. Only messages the caller may still read.",
    tag: 'feeds',
    auth: true,
    query: feedPageQuery,
    handler: async (c) => {
      const page = await c.app.feeds.messages(c.actor, idParam(c, 'feedId'), c.query);
      const snapshot = await c.app.directory.snapshot();
      return { hits: page.hits.map((h) => ({ ...h, message: presentMessage(h.message, snapshot) })), next: page.next };
    },
  },
  {
    method: 'PUT',
    url: '/api/v1/feeds/:feedId/read',
    summary: 'Record that the caller has seen the feed up to hit `hitId` (the mark only moves forward); its `unread` count restarts from there on every device.',
    tag: 'feeds',
    auth: true,
    body: feedReadInput,
    handler: async (c) => presentFeed(await c.app.feeds.markRead(c.actor, idParam(c, 'feedId'), c.body)),
  },
];
