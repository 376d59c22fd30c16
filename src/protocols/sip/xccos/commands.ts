import type { RoomView } from '../../../app/rooms.js';
import { child, childrenNamed, element, type XmlElement } from '../xml.js';
import type { ChatContext } from './context.js';
import { XccosError, xccosErrorOf } from './envelope.js';
import { joinRooms, partRoom, roomHistory } from './membership.js';
import { searchEntry } from './present.js';
import { SipNames } from './uris.js';

/** A command handler answers with the reply's `<data>` content, or throws XccosError. */
export type CommandHandler = (ctx: ChatContext, data: XmlElement | undefined) => Promise<string>;

/** How many rooms a search returns at most (getserverinfo announces it as searchLimit). */
export const SEARCH_LIMIT = 999;
const PREF_LIMIT = 64;

/**
 * The XCCOS commands pchat answers. Each goes through the application layer, so permissions,
 * secret rooms, disabled rooms and compliance records are exactly those of every other door.
 */
export const COMMANDS: Readonly<Record<string, CommandHandler>> = {
  /** The lookup dialog (ocschat@): where the chat service is. */
  'cmd:requri': async (ctx) => element('uib', { uri: chatServiceUri(ctx) }),

  'cmd:getserverinfo': async (ctx) => {
    const snapshot = await ctx.app.directory.snapshot();
    return element('sib', {
      domain: ctx.names.primaryDomain,
      infoType: 123,
      serverTime: new Date().toISOString(),
      searchLimit: SEARCH_LIMIT,
      messageSizeLimit: snapshot.config.maxMessageChars,
      storySizeLimit: snapshot.config.maxMessageChars,
      rootUri: `ma-cat://${ctx.names.primaryDomain}/00000000-0000-0000-0000-000000000000`,
      serverName: ctx.serverName,
    });
  },

  /** Room search by name (BYNAME) or description (BYDESC): exactly the rooms the user may find. */
  'cmd:chansrch': async (ctx, data) => {
    const qib = child(data, 'qib');
    const qtype = (qib?.attrs.qtype ?? 'BYNAME').toUpperCase();
    if (qtype !== 'BYNAME' && qtype !== 'BYDESC') throw new XccosError(400, `Search type ${qtype} is not supported; use BYNAME or BYDESC.`);
    const criteria = (qib?.attrs.criteria ?? '').toLocaleLowerCase();
    if (criteria.length > 256) throw new XccosError(400, 'The search criteria are longer than 256 characters.');
    const out: string[] = [];
    for await (const view of findableRooms(ctx)) {
      const field = qtype === 'BYNAME' ? view.room.name : view.room.description;
      if (criteria && !field.toLocaleLowerCase().includes(criteria)) continue;
      out.push(searchEntry(ctx.names, view, ctx.hub.participants(view.room.id).length));
      if (out.length >= SEARCH_LIMIT) break;
    }
    return out.join('');
  },

  'cmd:join': (ctx, data) => joinRooms(ctx, chanUris(data), false),
  'cmd:bjoin': (ctx, data) => joinRooms(ctx, chanUris(data), true),

  'cmd:part': async (ctx, data) => {
    const uri = child(data, 'chanib')?.attrs.uri;
    if (!uri) throw new XccosError(400, 'cmd:part needs <chanib uri="…"/>.');
    await partRoom(ctx, uri);
    return element('chanib', { uri });
  },

  /** Recent history: `<bcq><last cnt="N"/></bcq>` for a room. */
  'cmd:bccontext': async (ctx, data) => {
    const uri = child(data, 'chanib')?.attrs.uri;
    if (!uri) throw new XccosError(400, 'cmd:bccontext needs <chanib uri="…"/>.');
    const count = Number(child(child(data, 'bcq'), 'last')?.attrs.cnt ?? 25);
    if (!Number.isInteger(count) || count < 1) throw new XccosError(400, 'bccontext needs <last cnt="N"/> with N ≥ 1.');
    return roomHistory(ctx, uri, Math.min(count, 500));
  },

  /** Outstanding invitations: pchat notifies invitations live, so none are kept waiting. */
  'cmd:getinv': async () => '',

  /** The rooms the user holds a role in (member, manager, presenter), as a client's "my rooms". */
  'cmd:getassociations': async (ctx) => {
    const out: string[] = [];
    for await (const { room, roles } of findableRooms(ctx)) {
      if (!roles.member && !roles.manager && !roles.presenter) continue;
      out.push(element('chanib', { uri: ctx.names.roomUri(room), name: room.name, role: roles.manager ? 'manager' : roles.presenter ? 'presenter' : 'member' }));
    }
    return out.join('');
  },

  /** Client preferences (base64 text under a label), stored per user on the server. */
  'cmd:getpref': async (ctx, data) => {
    const prefs = childrenNamed(data, 'pref');
    if (prefs.length === 0 || prefs.length > PREF_LIMIT) throw new XccosError(400, `cmd:getpref needs 1 to ${PREF_LIMIT} <pref label="…"/> elements.`);
    const labels = prefs.map((p) => p.attrs.label ?? '');
    if (labels.some((label) => label === '')) throw new XccosError(400, 'Every <pref> needs a label.');
    const stored = await ctx.app.sip.preferences(await ctx.actor(), labels).catch(rethrow);
    return prefs
      .map((p) => {
        const label = p.attrs.label ?? '';
        const content = stored.get(label);
        if (content === undefined && p.attrs.createdefault !== 'true') return '';
        return element('pref', { label, seqid: p.attrs.seqid, content: content ?? '' });
      })
      .join('');
  },

  'cmd:setpref': async (ctx, data) => {
    const pref = child(data, 'pref');
    if (!pref?.attrs.label) throw new XccosError(400, 'cmd:setpref needs <pref label="…" content="…"/>.');
    await ctx.app.sip.setPreference(await ctx.actor(), pref.attrs.label, pref.attrs.content ?? '').catch(rethrow);
    return element('pref', { label: pref.attrs.label, seqid: pref.attrs.seqid });
  },
};

export const chatServiceUri = (ctx: ChatContext): string => `sip:${CHAT_SERVICE_USER}@${ctx.names.primaryDomain}`;
/** The lookup address (Lync's `ocschat@<domain>`) and the chat service that requri points to. */
export const LOOKUP_USER = 'ocschat';
export const CHAT_SERVICE_USER = 'pchat-chat';

/** Every room the user may find that is not disabled, page by page through the one directory use case. */
async function* findableRooms(ctx: ChatContext): AsyncGenerator<RoomView> {
  const actor = await ctx.actor();
  let after: number | undefined;
  do {
    const page = await ctx.app.rooms.directory(actor, { limit: 1000, ...(after !== undefined && { after }) });
    for (const view of page.rooms) if (!view.room.disabled) yield view;
    after = page.next ?? undefined;
  } while (after !== undefined);
}

/** `<chanid domain value/>` (join, bjoin) or `<chanib uri/>` elements, as ma-chan URIs. */
function chanUris(data: XmlElement | undefined): string[] {
  const uris = [
    ...childrenNamed(data, 'chanid').map((c) => (c.attrs.domain && c.attrs.value ? SipNames.chanidUri(c.attrs.domain, c.attrs.value) : '')),
    ...childrenNamed(data, 'chanib').map((c) => c.attrs.uri ?? ''),
  ];
  if (uris.length === 0 || uris.some((u) => u === '')) throw new XccosError(400, 'A join names each room as <chanid domain="…" value="…"/> or <chanib uri="…"/>.');
  if (uris.length > 100) throw new XccosError(400, 'At most 100 rooms can be joined at once.');
  return uris;
}

function rethrow(error: unknown): never {
  throw xccosErrorOf(error) ?? error;
}
