import type { UserRecord } from '../../archive/records.js';
import type { SlackPerson } from './export.js';

/** An author the export's users.json does not list: an integration's bot, or an account it left out. */
export interface ExtraAuthor {
  readonly record: UserRecord;
  readonly kind: 'bot' | 'unknown';
  messages: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^-+|-+$/g, '');

/** Whether a message names a user or a bot: only such a message has an author (SlackAuthors.authorOf). */
export const namesAuthor = (m: Record<string, unknown>): boolean => str(m.user) !== null || str(m.bot_id) !== null;

/**
 * Who wrote each Slack message: the user it names when users.json lists them; for an
 * integration's post (`bot_id`, often with no `user`), the bot user that posts as that bot, else
 * a user made for the bot (its id the bot id, its login the name it posted under); for a user
 * users.json does not list (Slackbot, an account of another workspace), a user made for that id.
 * Made users are disabled: nobody signs in as them. The first pass over the messages meets every
 * author, so the users are complete before a message is handed out.
 */
export class SlackAuthors {
  private readonly people = new Map<string, SlackPerson>();
  private readonly byBot = new Map<string, string>();
  private readonly logins = new Set<string>();
  readonly extra = new Map<string, ExtraAuthor>();
  /** Whether made authors' messages are counted (the first pass; later passes meet them again). */
  counting = true;

  constructor(people: readonly SlackPerson[]) {
    for (const p of people) {
      this.people.set(p.id, p);
      if (p.botId) this.byBot.set(p.botId, p.id);
      this.logins.add(p.login.toLowerCase());
    }
  }

  /** The author's user id, or null for a message that names nobody. */
  authorOf(m: Record<string, unknown>): string | null {
    const user = str(m.user);
    if (user !== null && this.people.has(user)) return user;
    const botId = str(m.bot_id);
    if (botId !== null) {
      const person = this.byBot.get(botId);
      if (person !== undefined) return person;
      const profile = m.bot_profile as { name?: unknown } | undefined;
      return this.made(botId, 'bot', str(m.username) ?? str(profile?.name) ?? botId);
    }
    if (user !== null) return this.made(user, 'unknown', user === 'USLACKBOT' ? 'slackbot' : user);
    return null;
  }

  /** A user's login, by id (people and made authors). */
  login(id: string): string | null {
    return this.people.get(id)?.login ?? this.extra.get(id)?.record.login ?? null;
  }

  has(id: string): boolean {
    return this.people.has(id) || this.extra.has(id);
  }

  private made(id: string, kind: ExtraAuthor['kind'], name: string): string {
    let author = this.extra.get(id);
    if (!author) {
      let login = slug(name) || id.toLowerCase();
      if (this.logins.has(login)) login = `${login}-${id.toLowerCase()}`;
      this.logins.add(login);
      author = { record: { id, login, displayName: name.slice(0, 256), email: null, disabled: true, isAdmin: false, origin: null }, kind, messages: 0 };
      this.extra.set(id, author);
    }
    if (this.counting) author.messages += 1;
    return id;
  }
}
