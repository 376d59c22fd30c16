import type { Command } from 'commander';
import type { PeopleOptions } from '../interchange/people/mapping.js';
import { readUsersFile } from '../interchange/people/usersFile.js';

export const USERS_HELP =
  'a CSV file mapping source users to pchat accounts (header "source,pchat"; a source id or nick, `nick*` for a nick and its aliases, then a pchat login or new); see docs/migration-guide.md "People"';

/** --users (and, where accounts may be created, --create-users) on a command. */
export function withPeopleOptions(command: Command, create: boolean): Command {
  command.option('--users <users.csv>', USERS_HELP);
  if (create) command.option('--create-users', 'create an account for every source user of a people source (IRC logs) that no pchat account, --users line, e-mail or login maps; without it the import refuses and lists them');
  return command;
}

/** The people mapping given to `command`. */
export async function peopleOptionsOf(command: Command): Promise<PeopleOptions> {
  const opts = command.opts<{ users?: string; createUsers?: boolean }>();
  return { file: opts.users ? await readUsersFile(opts.users) : null, createUsers: opts.createUsers === true };
}
