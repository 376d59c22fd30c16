import { type Command, Option } from 'commander';
import type { User } from '../core/model.js';
import { PchatError } from '../core/errors.js';
import { registerUserSessions } from './userSessions.js';
import { addCreateAndSet, addGet, addList, addToggle, defineGroup, onOff, type Opts, type Resource } from './resource.js';

export const users: Resource<User> = {
  noun: 'user',
  plural: 'users',
  key: 'login',
  columns: ['id', 'login', 'displayName', 'email', 'isAdmin', 'disabled'],
  list: (cli) => cli.app.users.list(cli.actor),
  nameOf: (u) => u.login,
  present: (_cli, u) =>
    Promise.resolve({
      id: u.id,
      login: u.login,
      displayName: u.displayName,
      email: u.email,
      isAdmin: u.isAdmin,
      disabled: u.disabled,
      createdAt: new Date(u.createdAt).toISOString(),
      origin: u.origin,
    }),
};

/** The first line of standard input, without its line ending. */
async function readFirstLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (shown as typed; pipe it in to hide it): ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return (text.split('\n')[0] ?? '').replace(/\r$/, '');
}

async function passwordFrom(o: Opts): Promise<string | undefined> {
  if (o.passwordStdin !== true) return o.password as string | undefined;
  const password = await readFirstLine();
  if (password === '') throw new PchatError('invalid_input', '--password-stdin: standard input held no password.', { field: '--password-stdin' });
  return password;
}

function userOptions(cmd: Command, mode: 'create' | 'set'): void {
  if (mode === 'set') cmd.option('--login <login>', 'change the login (e.g. alice@example.com or sip:alice@example.com)');
  cmd
    .option('--display-name <name>', 'the name other users see (default on create: the login)')
    .option('--email <address>', mode === 'set' ? 'e-mail address, or none to clear it' : 'e-mail address')
    .addOption(new Option('--password-stdin', 'read the password from the first line of standard input (at least 8 characters)').conflicts('password'))
    .addOption(new Option('--password <password>', 'the password; WARNING: command-line arguments are visible to other users of this host (ps), prefer --password-stdin'))
    .option('--admin', 'make the user a Persistent Chat administrator')
    .option('--no-admin', 'take the administrator role away (the last active administrator keeps it)');
  addToggle(cmd, ['--disable', 'disable the account: signed out everywhere at once, keeps authorship of old messages'], ['--enable', 'enable a disabled account again']);
}

export function registerUsers(program: Command): void {
  const group = defineGroup(
    program,
    'user',
    'Manage user accounts. Users are never removed: disable them instead, so their messages keep an author.',
    ['pchat user list', 'echo "$PASSWORD" | pchat user create alice@example.com --display-name Alice --password-stdin', 'pchat user set alice@example.com --disable'],
    'Users are named by login or numeric id.',
  );
  addList(group, users, ['pchat user list', 'pchat user list --json']);
  addGet(group, users, ['pchat user get alice@example.com', 'pchat user get 7 --json']);
  addCreateAndSet(group, users, {
    options: userOptions,
    input: async (_cli, o) => {
      const email = o.email as string | undefined;
      return {
        login: o.login,
        displayName: o.displayName,
        email: email?.toLowerCase() === 'none' ? null : email,
        password: await passwordFrom(o),
        isAdmin: o.admin,
        disabled: onOff(o, 'disable', 'enable'),
      };
    },
    create: (cli, login, input) => cli.app.users.create(cli.actor, { ...input, login }),
    update: (cli, u, input) => cli.app.users.update(cli.actor, u.id, input),
    createExamples: [
      'pchat user create alice@example.com --display-name "Alice Smith" --email alice@example.com --password-stdin < password.txt',
      'pchat user create sip:ops@example.com --admin --password-stdin',
    ],
    setExamples: ['pchat user set alice@example.com --disable', 'pchat user set 7 --display-name "Alice S." --email none', 'printf "%s\\n" "$NEW" | pchat user set bob@example.com --password-stdin'],
    note: 'A user without a password cannot sign in until one is set. Setting a password here is a reset: every session of the user ends.',
  });
  registerUserSessions(group, users);
}
