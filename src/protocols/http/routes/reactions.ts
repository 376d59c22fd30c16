import { presentReactions } from '../../presentReactions.js';
import { idParam, type Route, type RouteContext } from '../route.js';

/** PUT adds, DELETE takes back; both answer the message's reactions after the change (idempotent: a repeat changes nothing). */
const change = async (c: RouteContext, add: boolean) => {
  const roomId = idParam(c, 'roomId');
  const seq = idParam(c, 'seq');
  const emoji = c.params.emoji;
  const view = add ? await c.app.reactions.add(c.actor, roomId, seq, emoji) : await c.app.reactions.remove(c.actor, roomId, seq, emoji);
  return { ...view, reactions: presentReactions(view.reactions, await c.app.directory.snapshot()) };
};

const PATH = '/api/v1/rooms/:roomId/messages/:seq/reactions/:emoji';
const RULE =
  'The emoji is URL-encoded in the path: one Unicode emoji (👍 is `%F0%9F%91%8D`) or a custom `:name:`, at most 64 characters. ' +
  'Answers `{roomId, seq, messageId, reactions: [{emoji, count, users: [{id, name}]}], changed}`; everyone in the room gets the `message.reactions` event.';

export const reactionRoutes: Route[] = [
  {
    method: 'PUT',
    url: PATH,
    summary: `Add your reaction to a message of a room you may read (at most 20 different emoji per message; not during read-only maintenance; compliance records REACT). ${RULE}`,
    tag: 'messages',
    auth: true,
    handler: (c) => change(c, true),
  },
  {
    method: 'DELETE',
    url: PATH,
    summary: `Take your reaction back (compliance records UNREACT). ${RULE}`,
    tag: 'messages',
    auth: true,
    handler: (c) => change(c, false),
  },
];
