import type { HistoryPage } from '../../../app/messages.js';
import type { Message } from '../../../core/model.js';
import { sameChannel } from '../channels.js';
import { historyLines } from '../membership.js';
import { seqOfMsgid } from '../present.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { CHATHISTORY_MAX } from './welcome.js';
import { chathistoryTargets, directHistory } from '../direct.js';

/**
 * draft/chathistory (ircv3.net/specs/extensions/chathistory), backed by messages.history, which
 * checks read access and records BACKCHAT. References are msgid=<id>-<seq> or
 * timestamp=<ISO 8601>; a timestamp is turned into a seq by asking history for the first
 * message at or after it.
 */
type Ref = { readonly kind: 'none' } | { readonly kind: 'seq'; readonly seq: number } | { readonly kind: 'time'; readonly at: number };

function parseRef(raw: string | undefined): Ref | null {
  if (raw === '*') return { kind: 'none' };
  if (raw?.startsWith('msgid=')) {
    const seq = seqOfMsgid(raw.slice(6));
    return seq === null ? null : { kind: 'seq', seq };
  }
  if (raw?.startsWith('timestamp=')) {
    const at = Date.parse(raw.slice(10));
    return Number.isFinite(at) ? { kind: 'time', at } : null;
  }
  return null;
}

class HistoryQuery {
  constructor(
    private readonly session: IrcSession,
    private readonly roomId: number,
  ) {}

  async page(query: Record<string, number>): Promise<HistoryPage> {
    return this.session.deps.app.messages.history(await this.session.actor(), this.roomId, query);
  }

  /** The seq of the first message at or after `at`, or one past the last. */
  private async seqAt(at: number): Promise<number> {
    const page = await this.page({ at, limit: 1 });
    return page.messages[0]?.seq ?? page.lastSeq + 1;
  }

  /** An exclusive lower bound: messages with a greater seq are after the reference. */
  async lower(ref: Ref): Promise<number> {
    if (ref.kind === 'seq') return ref.seq;
    if (ref.kind === 'time') return (await this.seqAt(ref.at + 1)) - 1;
    return 0;
  }

  /** An exclusive upper bound: messages with a smaller seq are before the reference. */
  async upper(ref: Ref): Promise<number> {
    if (ref.kind === 'seq') return ref.seq;
    if (ref.kind === 'time') return this.seqAt(ref.at);
    return Number.MAX_SAFE_INTEGER;
  }
}

async function fetch(session: IrcSession, sub: string, roomId: number, refs: Ref[], limit: number): Promise<Message[] | null> {
  const q = new HistoryQuery(session, roomId);
  const [a, b] = refs as [Ref, Ref | undefined];
  switch (sub) {
    case 'LATEST': {
      const floor = await q.lower(a);
      return (await q.page({ limit })).messages.filter((m) => m.seq > floor);
    }
    case 'BEFORE':
      return a.kind === 'none' ? null : (await q.page({ before: await q.upper(a), limit })).messages;
    case 'AFTER':
      return a.kind === 'none' ? null : (await q.page({ after: await q.lower(a), limit })).messages;
    case 'AROUND':
      if (a.kind === 'none') return null;
      return (await q.page(a.kind === 'seq' ? { around: a.seq, limit } : { at: a.at, limit })).messages;
    case 'BETWEEN': {
      if (!b || a.kind === 'none' || b.kind === 'none') return null;
      const forward = (a.kind === 'seq' ? a.seq : a.at) <= (b.kind === 'seq' ? b.seq : b.at) || a.kind !== b.kind;
      const [from, to] = forward ? [a, b] : [b, a];
      const lo = await q.lower(from);
      const hi = await q.upper(to);
      const page = forward ? await q.page({ after: lo, limit }) : await q.page({ before: hi, limit });
      return page.messages.filter((m) => m.seq > lo && m.seq < hi);
    }
    default:
      return null;
  }
}

const chathistory: IrcCommand = {
  minParams: 3,
  needsRegistration: true,
  async run(session, params, reply: Reply) {
    const sub = (params[0] ?? '').toUpperCase();
    const target = params[1] ?? '';
    if (sub === 'TARGETS') return chathistoryTargets(session, params, reply, CHATHISTORY_MAX);
    const refCount = sub === 'BETWEEN' ? 2 : 1;
    const refs = params.slice(2, 2 + refCount).map(parseRef);
    const limit = Number(params[2 + refCount]);
    if (!['LATEST', 'BEFORE', 'AFTER', 'AROUND', 'BETWEEN'].includes(sub)) return reply.fail('CHATHISTORY', 'INVALID_PARAMS', sub, 'Unknown subcommand');
    if (refs.length < refCount || refs.some((r) => r === null) || !Number.isInteger(limit) || limit < 1) {
      return reply.fail('CHATHISTORY', 'INVALID_PARAMS', sub, 'Give a reference (* , msgid= or timestamp=) and a limit');
    }
    // A nick: the direct conversation with that user (../direct.ts), read as a channel's history is.
    if (!target.startsWith('#')) return directHistory(session, sub, target, reply, (roomId) => fetch(session, sub, roomId, refs as Ref[], Math.min(limit, CHATHISTORY_MAX)));
    // A channel's history is read once the connection has joined it, as on other servers. One
    // answer for a channel not joined and one that is missing or secret: it tells an outsider nothing.
    const joined = [...session.rooms].find(([, state]) => sameChannel(state.channel, target));
    if (!joined) return reply.fail('CHATHISTORY', 'INVALID_TARGET', sub, target, 'You are not on that channel: JOIN it to read its history');
    const [roomId, { channel }] = joined;
    const messages = await fetch(session, sub, roomId, refs as Ref[], Math.min(limit, CHATHISTORY_MAX));
    if (messages === null) return reply.fail('CHATHISTORY', 'INVALID_PARAMS', sub, 'This subcommand needs a msgid= or timestamp= reference');
    const snapshot = await session.deps.app.directory.snapshot();
    await reply.batch('chathistory', [channel], (tags) => {
      for (const m of messages) for (const out of historyLines(session, m, channel, snapshot, tags)) reply.send(out);
    });
  },
};

export const CHATHISTORY: Readonly<Record<string, IrcCommand>> = { CHATHISTORY: chathistory };
