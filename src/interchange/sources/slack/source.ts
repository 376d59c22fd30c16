import { MAX_NAME_CHARS } from '../../../core/validation.js';
import type { CategoryRecord, MessageRecord, NoteRecord, PrincipalRefRecord, RoomRecord, UserRecord } from '../../archive/records.js';
import type { RecordSource, SourceDescription } from '../../source.js';
import { conversationName, directCategory, type DirectOptions } from '../direct.js';
import { listedRecords } from '../listed.js';
import { openExportContainer } from '../exportContainer.js';
import { SlackAuthors } from './authors.js';
import { conversationMessages, dayMessages, EVENT_SUBTYPES, emptyStats, type SlackStats } from './convert.js';
import { type Conversation, daysOf, readSlackExport, type SlackExport } from './export.js';
import { slackNotes } from './notes.js';
import { slackText, type TextNames } from './text.js';

export const SLACK_SYSTEM = 'slack';
export const DEFAULT_SLACK_CATEGORY = 'Slack';

export interface SlackOptions {
  readonly startDate?: Date | null;
  /** The category of the channels' rooms (default "Slack"). */
  readonly category?: string;
  readonly direct?: DirectOptions;
}

const DESCRIPTION_MAX = 256;
const ref = (id: string): PrincipalRefRecord => ({ kind: 'user', id });

/**
 * A Slack workspace export (zip or directory) as archive records (docs/migration-guide.md,
 * "Slack"): one category, a room per channel (public → open, private → secret with its members;
 * its id is its identity, its name the current one), the export's users (deactivated ones
 * disabled; guests without access), and the messages of every day file with threads as replies,
 * edits, reactions, integrations' posts and file references; everything else counted in notes.
 * A first pass over the day files meets every author and counts; each later pass converts alike.
 */
export async function slackSource(location: string, options: SlackOptions = {}): Promise<RecordSource> {
  const container = await openExportContainer(location, 'slack');
  try {
    return await build(await readSlackExport(container), options);
  } catch (error) {
    await container.close();
    throw error;
  }
}

async function build(slack: SlackExport, options: SlackOptions): Promise<RecordSource> {
  const direct = options.direct ?? { mode: 'skip', category: null };
  const startMs = options.startDate ? options.startDate.getTime() : null;
  const authors = new SlackAuthors(slack.people);
  const members = slack.people.filter((p) => !p.guest && !p.deleted && !p.bot);
  const allowedIds = new Set(members.map((p) => p.id));
  const channels = slack.conversations.filter((c) => c.kind === 'public' || c.kind === 'private');
  const directs = slack.conversations.filter((c) => c.kind === 'dm' || c.kind === 'mpim');
  const imported = direct.mode === 'as-rooms' ? [...channels, ...directs] : channels;
  const byId = new Map(slack.conversations.map((c) => [c.id, c]));
  const names: TextNames = { user: (id) => authors.login(id), channel: (id) => byId.get(id)?.name || null };

  // Rooms: channels by their current names, then conversations by their participants.
  const taken = new Set<string>();
  const roomNames = new Map<string, string>();
  for (const c of channels) {
    const name = [...(c.name || c.id)].slice(0, MAX_NAME_CHARS).join('');
    roomNames.set(c.id, name);
    taken.add(name.toLowerCase());
  }
  if (direct.mode === 'as-rooms') {
    for (const c of directs) roomNames.set(c.id, conversationName(c.members.map((m) => authors.login(m) ?? m), c.id, taken));
  }
  const shortened: string[] = [];
  const rooms: RoomRecord[] = imported.map((c) => roomOf(c, roomNames.get(c.id)!, slackText(c.description, names), allowedIds, authors, shortened));

  // The first pass: every author met (bots, users users.json leaves out), everything counted.
  const stats = emptyStats();
  const reading = (c: Conversation, s: SlackStats | null) => ({ container: slack.container, conversation: c, roomName: roomNames.get(c.id)!, authors, names, startMs, stats: s });
  let messageCount = 0;
  for (const c of imported) for await (const page of conversationMessages(reading(c, stats), daysOf(slack, c))) messageCount += page.length;
  authors.counting = false;
  const directSkipped = { conversations: 0, messages: 0 };
  if (direct.mode === 'skip') {
    for (const c of directs) {
      directSkipped.conversations += 1;
      for (const day of daysOf(slack, c)) directSkipped.messages += (await dayMessages(slack.container, day)).filter((m) => typeof m.subtype !== 'string' || !EVENT_SUBTYPES.has(m.subtype)).length;
    }
  }

  const users: UserRecord[] = [
    ...slack.people.map((p) => ({ id: p.id, login: p.login, displayName: p.displayName, email: p.email, disabled: p.deleted || p.bot, isAdmin: false, origin: null })),
    ...[...authors.extra.values()].map((a) => a.record),
  ];
  const categoryName = (options.category ?? DEFAULT_SLACK_CATEGORY).slice(0, MAX_NAME_CHARS);
  const categories: CategoryRecord[] = [
    { id: 'slack', name: categoryName, description: 'Channels imported from Slack', allowed: members.map((p) => ref(p.id)), denied: [], creators: [], invitations: true, fileUpload: true, chatHistory: true, origin: null },
  ];
  if (direct.mode === 'as-rooms') categories.push(directCategory('slack-direct', direct.category!, directs.flatMap((c) => c.members.filter((m) => authors.has(m)))));
  const notes: NoteRecord[] = slackNotes({
    stats,
    roomNames,
    extra: authors.extra.values(),
    guests: slack.people.filter((p) => p.guest),
    deleted: slack.people.filter((p) => p.deleted).length,
    archived: imported.filter((c) => c.archived).length,
    strayFolders: slack.strayFolders,
    directSkipped,
    shortened,
    // Every author is met now: a reaction is kept when its user is one the source has a record of.
    reactions: stats.reactions.settle((user) => authors.has(user)),
  });

  const messages = async function* (): AsyncGenerator<MessageRecord[]> {
    for (const c of imported) yield* conversationMessages(reading(c, null), daysOf(slack, c));
  };
  const description: SourceDescription = { system: SLACK_SYSTEM, version: 'export', instance: slack.teamId };
  const lists = { users, groups: [], memberships: [], addins: [], categories, rooms, policies: [], notes };
  return {
    ...listedRecords(description, lists, messages),
    messageCount,
    close: () => slack.container.close(),
  };
}

function roomOf(c: Conversation, name: string, topic: string, allowed: ReadonlySet<string>, authors: SlackAuthors, shortened: string[]): RoomRecord {
  const conversation = c.kind === 'dm' || c.kind === 'mpim';
  let description = conversation ? '' : topic;
  if ([...description].length > DESCRIPTION_MAX) {
    description = `${[...description].slice(0, DESCRIPTION_MAX - 1).join('')}…`;
    shortened.push(c.id);
  }
  // Private channels keep their members; a conversation's members are its participants (the
  // direct category allows each of them); public channels are open and list nobody.
  const members = c.kind === 'public' ? [] : conversation ? c.members.filter((m) => authors.has(m)) : c.members.filter((m) => allowed.has(m));
  const creator = !conversation && c.creator !== null && allowed.has(c.creator) ? [ref(c.creator)] : [];
  return {
    id: c.id,
    name,
    description,
    category: conversation ? 'slack-direct' : 'slack',
    privacy: c.kind === 'public' ? 'open' : 'secret',
    type: 'normal',
    members: [...new Set(members)].map(ref),
    managers: creator,
    presenters: [],
    invitations: 'inherit',
    addin: null,
    disabled: c.archived,
    createdAt: new Date(c.created).toISOString(),
    origin: null,
  };
}
