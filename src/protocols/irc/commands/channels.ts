import { roomToChannel, sameChannel } from '../channels.js';
import { joinRoom, partRoom, sendNames } from '../membership.js';
import { ERR, RPL } from '../numerics.js';
import { modesOf } from '../roster.js';
import { topicText } from '../present.js';
import type { IrcCommand } from '../session.js';
import { list, resolveChannel, resolveOrCreate } from './resolve.js';

const join: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    if (params[0] === '0') {
      for (const roomId of [...session.rooms.keys()]) await partRoom(session, roomId, 'Left all channels', reply);
      return;
    }
    for (const channel of list(params[0])) {
      try {
        const view = await resolveOrCreate(session, channel);
        await joinRoom(session, view.room.id, reply);
      } catch (error) {
        reply.error('JOIN', channel, error);
      }
    }
  },
};

const part: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    for (const channel of list(params[0])) {
      const joined = [...session.rooms].find(([, s]) => sameChannel(s.channel, channel));
      if (joined) {
        await partRoom(session, joined[0], params[1] ?? null, reply);
        continue;
      }
      try {
        await resolveChannel(session, channel);
        reply.numeric(ERR.NOTONCHANNEL, channel, "You're not on that channel");
      } catch (error) {
        reply.error('PART', channel, error);
      }
    }
  },
};

/** TOPIC is the room description: anyone who may find the room reads it, managers change it. */
const topic: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const view = await resolveChannel(session, params[0] ?? '');
    const channel = roomToChannel(view.room.name);
    if (params.length < 2) {
      if (view.room.description) reply.numeric(RPL.TOPIC, channel, topicText(view.room.description));
      else reply.numeric(RPL.NOTOPIC, channel, 'No topic is set');
      return;
    }
    session.deps.registry.note(`room:${view.room.id}`, { nick: session.mask, reason: '' });
    await session.deps.app.rooms.update(await session.actor(), view.room.id, { description: params[1] ?? '' });
    // Members in the channel see the change through room.changed; someone outside gets it here.
    if (!session.rooms.has(view.room.id)) reply.send({ source: session.mask, command: 'TOPIC', params: [channel, params[1] ?? ''] });
  },
};

/** NAMES: the people in the room now. A room the caller may not find lists nobody. */
const names: IrcCommand = {
  minParams: 0,
  needsRegistration: true,
  async run(session, params, reply) {
    const channels = list(params[0]);
    if (channels.length === 0) return reply.numeric(RPL.ENDOFNAMES, '*', 'End of /NAMES list');
    for (const channel of channels.slice(0, 1)) {
      try {
        const view = await resolveChannel(session, channel);
        const snapshot = await session.deps.app.directory.snapshot();
        sendNames(session, reply, view.room.id, roomToChannel(view.room.name), view.room.privacy === 'secret', snapshot);
      } catch {
        reply.numeric(RPL.ENDOFNAMES, channel, 'End of /NAMES list');
      }
    }
  },
};

/** LIST: the room directory as the caller may see it (secret rooms only to members), minus disabled rooms. */
const listCommand: IrcCommand = {
  minParams: 0,
  needsRegistration: true,
  async run(session, params, reply) {
    const { app, hub } = session.deps;
    const actor = await session.actor();
    const wanted = list(params[0]).filter((c) => c.startsWith('#'));
    reply.numeric(RPL.LISTSTART, 'Channel', 'Users  Name');
    let after = 0;
    for (;;) {
      const page = await app.rooms.directory(actor, { after, limit: 1000 });
      for (const { room } of page.rooms) {
        const channel = roomToChannel(room.name);
        if (room.disabled || (wanted.length > 0 && !wanted.some((w) => sameChannel(w, channel)))) continue;
        reply.numeric(RPL.LIST, channel, String(hub.participants(room.id).length), `[${modesOf(room)}] ${topicText(room.description)}`.trimEnd());
      }
      if (page.next === null) break;
      after = page.next;
    }
    reply.numeric(RPL.LISTEND, 'End of /LIST');
  },
};

export const CHANNELS: Readonly<Record<string, IrcCommand>> = {
  JOIN: join,
  PART: part,
  TOPIC: topic,
  NAMES: names,
  LIST: listCommand,
};
