import { type ExportContainer, exportProblem, readJsonFile } from '../exportContainer.js';

/**
 * The directory files of a Slack workspace export (Slack's help: "How to read Slack data
 * exports"): users.json (org_users.json from an Enterprise Grid org), channels.json (public
 * channels), groups.json (private channels), dms.json and mpims.json (direct and group direct
 * messages), and a folder per conversation of `YYYY-MM-DD.json` day files. The export may be the
 * zip Slack gives or the directory it was unpacked into, also one level down (a re-zipped folder).
 */

export interface SlackPerson {
  readonly id: string;
  /** The username (`name`), the account's login. */
  readonly login: string;
  readonly displayName: string;
  readonly email: string | null;
  /** `deleted: true`: a deactivated account. */
  readonly deleted: boolean;
  readonly bot: boolean;
  /** A multi- or single-channel guest (`is_restricted`, `is_ultra_restricted`). */
  readonly guest: boolean;
  /** The bot id (`profile.bot_id`) a bot user posts `bot_message`s as. */
  readonly botId: string | null;
}

export type ConversationKind = 'public' | 'private' | 'dm' | 'mpim';

export interface Conversation {
  /** Slack's id (`C…`, `G…`, `D…`): the room's identity, kept when the channel is renamed. */
  readonly id: string;
  /** The current name (a DM has none: its participants name it later). */
  readonly name: string;
  /** The folder of its day files. */
  readonly folder: string;
  readonly kind: ConversationKind;
  readonly members: readonly string[];
  /** When it was created (ms). */
  readonly created: number;
  readonly creator: string | null;
  readonly archived: boolean;
  /** Its topic, else its purpose. */
  readonly description: string;
}

export interface SlackExport {
  readonly container: ExportContainer;
  readonly people: readonly SlackPerson[];
  readonly conversations: readonly Conversation[];
  /** Per folder, its day files (full names inside the export), in date order. */
  readonly days: ReadonlyMap<string, readonly string[]>;
  /** Folders of day files no conversation of the directory files names. */
  readonly strayFolders: readonly string[];
  /** The workspace's team id (from users.json), '' when it names none. */
  readonly teamId: string;
}

type Json = Record<string, unknown>;
const DAY_FILE = /^(.*)\/(\d{4}-\d{2}-\d{2})\.json$/;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** Reads the directory files of a Slack export; errors name the file and entry. */
export async function readSlackExport(container: ExportContainer): Promise<SlackExport> {
  const root = rootOf(container);
  const entries = async (file: string, required: boolean): Promise<Json[]> => {
    const name = `${root}${file}`;
    if (!container.has(name)) {
      if (required) throw exportProblem('slack', `${container.label} holds no ${file}: it is not a Slack workspace export, or not all of it (Slack writes ${file} at the top of the export)`);
      return [];
    }
    const json = await readJsonFile(container, name, 'slack');
    if (!Array.isArray(json)) throw exportProblem('slack', `${file} in ${container.label} is not a JSON array`);
    return json.map((e, i) => {
      if (typeof e !== 'object' || e === null || typeof (e as Json).id !== 'string' || (e as Json).id === '') {
        throw exportProblem('slack', `${file} entry ${i + 1}: not an object with an "id" string`);
      }
      return e as Json;
    });
  };
  const usersFile = container.has(`${root}users.json`) || !container.has(`${root}org_users.json`) ? 'users.json' : 'org_users.json';
  const users = await entries(usersFile, true);
  const people = users.map(personOf);
  const conversations: Conversation[] = [];
  const add = (list: Json[], kind: ConversationKind) => {
    for (const c of list) conversations.push(conversationOf(c, kind));
  };
  add(await entries('channels.json', true), 'public');
  add(await entries('groups.json', false), 'private');
  add(await entries('mpims.json', false), 'mpim');
  add(await entries('dms.json', false), 'dm');
  const days = new Map<string, string[]>();
  for (const name of container.names) {
    if (!name.startsWith(root)) continue;
    const match = DAY_FILE.exec(name.slice(root.length));
    if (!match) continue;
    const folder = match[1]!;
    let list = days.get(folder);
    if (!list) days.set(folder, (list = []));
    list.push(name);
  }
  for (const list of days.values()) list.sort();
  const folders = new Set(conversations.flatMap((c) => [c.folder, c.id]));
  const strayFolders = [...days.keys()].filter((f) => !folders.has(f)).sort();
  const teamId = users.map((u) => str(u.team_id)).find((t) => t) ?? '';
  return { container, people, conversations, days, strayFolders, teamId };
}

/** The folder holding users.json (or org_users.json) nearest the top: '' or `name/`. */
function rootOf(container: ExportContainer): string {
  const found = container.names.filter((n) => /(^|\/)(org_)?users\.json$/.test(n)).sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (found === undefined) {
    throw exportProblem('slack', `${container.label} holds no users.json (nor org_users.json): it is not a Slack workspace export, or not all of it (Slack writes users.json at the top of the export)`);
  }
  return found.slice(0, found.lastIndexOf('/') + 1);
}

function personOf(u: Json): SlackPerson {
  const id = u.id as string;
  const profile = obj(u.profile);
  const login = (str(u.name) ?? '').trim() || id;
  const displayName = str(profile.real_name) || str(u.real_name) || str(profile.display_name) || login;
  return {
    id,
    login: login.replace(/\s+/g, '_'),
    displayName: displayName.slice(0, 256),
    email: str(profile.email) || null,
    deleted: u.deleted === true,
    bot: u.is_bot === true || id === 'USLACKBOT',
    guest: u.is_restricted === true || u.is_ultra_restricted === true,
    botId: str(profile.bot_id),
  };
}

function conversationOf(c: Json, kind: ConversationKind): Conversation {
  const id = c.id as string;
  const name = str(c.name) ?? '';
  const members = Array.isArray(c.members) ? c.members.filter((m): m is string => typeof m === 'string') : [];
  const created = typeof c.created === 'number' ? c.created * 1000 : 0;
  const description = str(obj(c.topic).value) || str(obj(c.purpose).value) || '';
  // A DM's folder is its id; every other conversation's folder is its (current) name.
  return { id, name, folder: kind === 'dm' ? id : name || id, kind, members, created, creator: str(c.creator), archived: c.is_archived === true, description };
}

/** A conversation's day files: its folder's, else (an export that names folders by id) its id's. */
export const daysOf = (slack: SlackExport, c: Conversation): readonly string[] => slack.days.get(c.folder) ?? slack.days.get(c.id) ?? [];
