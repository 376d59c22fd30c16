import { type Command, Option } from 'commander';
import type { User } from '../core/model.js';
import { defineCommand, resolve, type Resource } from './resource.js';
import { printList, printResult } from './output.js';

const sessionId = (value: string, previous: number[] = []): number[] => {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new Error(`--session takes a session id (a positive integer, from \`pchat user sessions\`), not "${value}".`);
  return [...previous, Number(value)];
};

/** `pchat user sessions` and `pchat user revoke-sessions`: an administrator's view of anyone's sign-ins. */
export function registerUserSessions(group: Command, users: Resource<User>): void {
  defineCommand(group, {
    name: 'sessions <user>',
    description: "List a user's sessions: web sign-ins (with user agent) and IRC and SIP connections, with address, creation and last use.",
    examples: ['pchat user sessions alice@example.com', 'pchat user sessions 7 --json'],
    run: async (cli, [ref]) => {
      const user = await resolve(cli, users, ref as string);
      printList(cli.json, (await cli.app.accounts.list(cli.actor, user.id)).map((s) => ({ ...s })), ['id', 'kind', 'userAgent', 'address', 'createdAt', 'lastUsedAt']);
    },
  });
  defineCommand(group, {
    name: 'revoke-sessions <user>',
    description:
      "End a user's sessions (all, or those given with --session): their tokens stop working and their WebSocket, IRC and SIP connections close at once, also on a running server.",
    examples: ['pchat user revoke-sessions alice@example.com', 'pchat user revoke-sessions alice@example.com --session 41 --session 42'],
    note: 'A running server reads the change from the shared event log: connections close within a second.',
    options: (cmd) => cmd.addOption(new Option('--session <id>', 'only this session (repeat for several)').argParser(sessionId)),
    run: async (cli, [ref], opts) => {
      const user = await resolve(cli, users, ref as string);
      const ids = opts.session as number[] | undefined;
      const ended = ids ? await cli.app.accounts.end(cli.actor, user.id, ids) : await cli.app.accounts.endAll(cli.actor, user.id);
      printResult(cli.json, { userId: user.id, ended }, `Ended ${ended} session${ended === 1 ? '' : 's'} of ${user.login}.`);
    },
  });
}
