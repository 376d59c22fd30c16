import { z } from 'zod';
import { parse } from '../../app/validate.js';
import { presentConversation } from '../direct.js';
import { presentMessage } from '../present.js';
import { presentMentions } from '../mentions.js';
import type { WsDeps, WsSession } from './session.js';
import { reactionCommand } from './reactions.js';

const roomId = z.int().positive();

/** A client frame type: who may send it, and what it does. Checks live in the app layer. */
interface Command {
  readonly needsAuth: boolean;
  readonly help: string;
  run(session: WsSession, payload: Record<string, unknown>, ref: unknown, deps: WsDeps): Promise<void>;
}

const authFrame = z.strictObject({ token: z.string().min(1).max(512) });
const joinFrame = z.strictObject({ roomId, since: z.int().nonnegative().nullable().default(null) });
const roomFrame = z.strictObject({ roomId });
const messageFrame = z.strictObject({ roomId, seq: z.int().positive() });

export const COMMANDS: Readonly<Record<string, Command>> = {
  auth: {
    needsAuth: false,
    help: '{type:"auth", token}: sign in when the upgrade request carried no cookie or bearer token.',
    async run(session, payload, ref, deps) {
      const { token } = parse(authFrame, payload);
      const { actor, sessionId } = await deps.app.sessions.authenticateSession(token);
      session.userId = actor.userId;
      session.sessionId = sessionId;
      const user = await deps.app.users.get(actor, actor.userId);
      await session.watchDirect();
      session.send({ type: 'ready', ...(ref !== undefined && { ref }), user: { id: user.id, login: user.login, displayName: user.displayName } });
    },
  },
  join: {
    needsAuth: true,
    help: '{type:"join", roomId, since?}: enter a room; get the last page of history, or everything after `since`, then live events.',
    async run(session, payload, ref) {
      const frame = parse(joinFrame, payload);
      await session.join(frame.roomId, frame.since, ref);
    },
  },
  part: {
    needsAuth: true,
    help: '{type:"part", roomId}: leave a room.',
    async run(session, payload, ref) {
      const frame = parse(roomFrame, payload);
      await session.part(frame.roomId, null);
      session.send({ type: 'parted', ...(ref !== undefined && { ref }), roomId: frame.roomId });
    },
  },
  post: {
    needsAuth: true,
    help: '{type:"post", roomId, text, kind?, title?, clientId?, replyTo?}: acknowledged with {type:"ack"} once durable.',
    async run(session, payload, ref, deps) {
      const { roomId: id, ...rest } = payload;
      const target = parse(roomFrame, { roomId: id }).roomId;
      const actor = await deps.app.sessions.actorFor(session.userId);
      const { message, duplicate } = await deps.app.messages.post(actor, target, rest);
      deps.metrics.messagesPosted.inc();
      session.send({
        type: 'ack',
        ...(ref !== undefined && { ref }),
        duplicate,
        message: { id: message.id, roomId: message.roomId, seq: message.seq, createdAt: new Date(message.createdAt).toISOString(), clientId: message.clientId },
      });
    },
  },
  history: {
    needsAuth: true,
    help: '{type:"history", roomId, before? | after? | around? | at?, limit?}: a page of history.',
    async run(session, payload, ref, deps) {
      const { roomId: id, ...query } = payload;
      const target = parse(roomFrame, { roomId: id }).roomId;
      const actor = await deps.app.sessions.actorFor(session.userId);
      const page = await deps.app.messages.history(actor, target, query);
      const snapshot = await deps.app.directory.snapshot();
      session.send({ type: 'history', ...(ref !== undefined && { ref }), roomId: target, ...page, messages: page.messages.map((m) => presentMessage(m, snapshot)) });
    },
  },
  edit: {
    needsAuth: true,
    help: '{type:"edit", roomId, seq, text}: edit your own message within the configured window; answered with {type:"edited", message}, and everyone in the room gets messages.replaced.',
    async run(session, payload, ref, deps) {
      const { roomId: id, seq, ...input } = payload;
      const target = parse(messageFrame, { roomId: id, seq });
      const actor = await deps.app.sessions.actorFor(session.userId);
      const message = await deps.app.ownMessages.edit(actor, target.roomId, target.seq, input);
      session.send({ type: 'edited', ...(ref !== undefined && { ref }), message: presentMessage(message, await deps.app.directory.snapshot()) });
    },
  },
  delete: {
    needsAuth: true,
    help: '{type:"delete", roomId, seq, reason?}: delete your own message within the configured window; answered with {type:"deleted", roomId, seq}, and everyone in the room gets messages.removed.',
    async run(session, payload, ref, deps) {
      const { roomId: id, seq, ...input } = payload;
      const target = parse(messageFrame, { roomId: id, seq });
      const actor = await deps.app.sessions.actorFor(session.userId);
      const removed = await deps.app.ownMessages.remove(actor, target.roomId, target.seq, input);
      session.send({ type: 'deleted', ...(ref !== undefined && { ref }), roomId: target.roomId, seq: removed.seq });
    },
  },
  react: {
    needsAuth: true,
    help: '{type:"react", roomId, seq, emoji}: add your reaction to a message of a room you may read; answered with {type:"reactions", roomId, seq, messageId, reactions, changed}, and everyone in the room gets message.reactions.',
    run: (session, payload, ref, deps) => reactionCommand(session, payload, ref, deps, true),
  },
  unreact: {
    needsAuth: true,
    help: '{type:"unreact", roomId, seq, emoji}: take your reaction back; answered like react.',
    run: (session, payload, ref, deps) => reactionCommand(session, payload, ref, deps, false),
  },
  'direct.open': {
    needsAuth: true,
    help: '{type:"direct.open", participants:[user id or login, …]}: open the direct conversation with these people (the existing one for a pair); answered with {type:"direct", conversation, created}.',
    async run(session, payload, ref, deps) {
      const actor = await deps.app.sessions.actorFor(session.userId);
      const { created, ...view } = await deps.app.direct.open(actor, payload);
      session.send({ type: 'direct', ...(ref !== undefined && { ref }), created, conversation: presentConversation(view, await deps.app.directory.snapshot()) });
    },
  },
  'direct.list': {
    needsAuth: true,
    help: '{type:"direct.list"}: your direct conversations, most recent first, with unread counts and last messages ({type:"directs", conversations}).',
    async run(session, _payload, ref, deps) {
      const actor = await deps.app.sessions.actorFor(session.userId);
      const views = await deps.app.direct.list(actor);
      const snapshot = await deps.app.directory.snapshot();
      session.send({ type: 'directs', ...(ref !== undefined && { ref }), conversations: views.map((v) => presentConversation(v, snapshot)) });
    },
  },
  reading: {
    needsAuth: true,
    help: '{type:"reading"}: the rooms you follow, have read or were mentioned in, with unread and unread-mention counts and your notification setting ({type:"reading", rooms}), as GET /api/v1/me/rooms.',
    async run(session, _payload, ref, deps) {
      const rooms = await deps.app.reading.list(await deps.app.sessions.actorFor(session.userId));
      session.send({ type: 'reading', ...(ref !== undefined && { ref }), rooms });
    },
  },
  notify: {
    needsAuth: true,
    help: '{type:"notify", roomId, notify:"all"|"mentions"|"none"}: your notification setting for a room; answered with {type:"reading", room}.',
    async run(session, payload, ref, deps) {
      const { roomId: id, ...input } = payload;
      const target = parse(roomFrame, { roomId: id }).roomId;
      const room = await deps.app.reading.setNotify(await deps.app.sessions.actorFor(session.userId), target, input);
      session.send({ type: 'reading', ...(ref !== undefined && { ref }), room });
    },
  },
  mentions: {
    needsAuth: true,
    help: '{type:"mentions", before?, limit?}: the messages that mention you, newest first ({type:"mentions", mentions, nextBefore}), as GET /api/v1/mentions.',
    async run(session, payload, ref, deps) {
      const page = await deps.app.mentions.list(await deps.app.sessions.actorFor(session.userId), payload);
      session.send({ type: 'mentions', ...(ref !== undefined && { ref }), ...(await presentMentions(deps.app, page)) });
    },
  },
  ping: {
    needsAuth: false,
    help: '{type:"ping"}: answered with {type:"pong"}.',
    async run(session, _payload, ref) {
      session.send({ type: 'pong', ...(ref !== undefined && { ref }) });
    },
  },
};
