import type { Command } from 'commander';
import { parseInteger } from './args.js';
import { printItem } from './output.js';
import { defined, defineCommand, defineGroup, usage } from './resource.js';

export function registerConfig(program: Command): void {
  const group = defineGroup(
    program,
    'config',
    'Show or change the runtime chat configuration, stored in the database (a running server picks changes up at once).',
    ['pchat config get', 'pchat config set --default-chat-history 50'],
    'Process settings (port, data directory, log level) live in pchat.config.json and the environment instead.',
  );
  defineCommand(group, {
    name: 'get',
    description: 'Show the chat configuration.',
    examples: ['pchat config get', 'pchat config get --json'],
    run: async (cli) => printItem(cli.json, { ...(await cli.app.settings.chatConfig(cli.actor)) }),
  });
  defineCommand(group, {
    name: 'set',
    description: 'Change the chat configuration; only the options given change.',
    examples: ['pchat config set --default-chat-history 50 --participant-update-limit 100', 'pchat config set --edit-own-messages 60', 'pchat config set --edit-own-messages off', 'pchat config set --room-management-url https://intranet.example.com/rooms', 'pchat config set --room-management-url none'],
    options: (cmd) =>
      cmd
        .option('--default-chat-history <n>', 'messages sent when a room is opened (1-500; default 30)', parseInteger)
        .option('--participant-update-limit <n>', 'above this many people in a room, stop pushing roster changes (default 75)', parseInteger)
        .option('--max-message-chars <n>', 'longest message accepted, in characters (default 16000)', parseInteger)
        .option('--max-file-size-kb <n>', 'largest file post accepted, in KB (default 20000)', parseInteger)
        .option('--room-management-url <url|none>', 'a custom room management page (http/https), or none')
        .option('--edit-own-messages <off|always|minutes>', 'how long authors may edit or delete their own messages: off, always, or minutes after posting (default 15)'),
    run: async (cli, _args, o, cmd) => {
      const url = o.roomManagementUrl as string | undefined;
      const patch = defined({
        defaultChatHistory: o.defaultChatHistory,
        participantUpdateLimit: o.participantUpdateLimit,
        maxMessageChars: o.maxMessageChars,
        maxFileSizeKB: o.maxFileSizeKb,
        roomManagementUrl: url?.toLowerCase() === 'none' ? null : url,
        editOwnMessages: editWindowOf(o.editOwnMessages as string | undefined),
      });
      if (Object.keys(patch).length === 0) usage(cmd, 'nothing to change: give at least one option (see --help).');
      printItem(cli.json, { ...(await cli.app.settings.updateChatConfig(cli.actor, patch)) });
    },
  });
}

/** `--edit-own-messages`: the words as they are, a number of minutes as a number (the use case validates both). */
function editWindowOf(raw: string | undefined): string | number | undefined {
  if (raw === undefined) return undefined;
  const word = raw.trim().toLowerCase();
  return /^\d+$/.test(word) ? Number(word) : word;
}
