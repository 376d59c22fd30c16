import type { Command } from 'commander';
import { DEFAULT_REPLACEMENT } from '../core/moderation.js';
import { parseEndDate, parseStartDate } from './args.js';
import { printResult } from './output.js';
import { defined, defineCommand, defineGroup, resolve } from './resource.js';
import { rooms } from './rooms.js';

export function registerMessages(program: Command): void {
  const group = defineGroup(
    program,
    'message',
    'Moderate messages: remove them, or replace their text, across rooms.',
    ['pchat message remove --room "release planning" --keywords "secret code" --match exact --dry-run'],
    'Removal is irreversible for users; compliance records keep the originals. Try --dry-run first.',
  );
  defineCommand(group, {
    name: 'remove',
    description: 'Remove (or, with --replace, rewrite) every message matching all the given criteria; at least one criterion is needed.',
    examples: [
      'pchat message remove --author mallory@example.com --from 2024-03-01 --to 2024-03-31 --dry-run',
      'pchat message remove --room "release planning" --keywords "password hunter2" --match any',
      'pchat message remove --keywords "do not share" --match exact --case-sensitive --replace',
      'pchat message remove --room 12 --keywords offensive --replace "[removed by moderator]"',
    ],
    note: 'Dates are ISO 8601 (UTC unless an offset is given); a bare --to date includes that whole day.',
    options: (cmd) =>
      cmd
        .option('--room <name|id>', 'only messages in this room')
        .option('--author <login|id>', 'only messages by this user')
        .option('--from <ISO date>', 'only messages posted at or after this time', parseStartDate)
        .option('--to <ISO date>', 'only messages posted at or before this time', parseEndDate)
        .option('--keywords <text>', 'only messages containing these words (see --match)')
        .option('--match <mode>', 'how --keywords match: all (every word, default), any (one word), exact (the phrase)')
        .option('--case-sensitive', 'keywords match case-sensitively (default: ignore case)')
        .option('--replace [text]', `keep the messages but replace their text (default text: "${DEFAULT_REPLACEMENT}")`)
        .option('--dry-run', 'only count what would be affected; change nothing'),
    run: async (cli, _args, o) => {
      const replace = o.replace as string | true | undefined;
      const input = defined({
        roomId: o.room === undefined ? undefined : (await resolve(cli, rooms, o.room as string, '--room')).id,
        authorId: o.author === undefined ? undefined : (await cli.principals.user(o.author as string, '--author')).id,
        from: o.from,
        to: o.to,
        keywords: o.keywords,
        match: o.match,
        caseSensitive: o.caseSensitive,
        action: replace === undefined ? undefined : 'replace',
        replacement: typeof replace === 'string' ? replace : undefined,
        dryRun: o.dryRun,
      });
      const result = await cli.app.moderation.removeMessages(cli.actor, input);
      const affected = await Promise.all(result.rooms.map(async (id) => ({ id, name: (await rooms.find?.(cli, String(id)))?.name ?? `#${id}` })));
      const where = affected.length > 0 ? ` in ${affected.map((r) => `"${r.name}"`).join(', ')}` : '';
      const count = `${result.matched} message(s)${where}`;
      const sentence =
        o.dryRun === true
          ? `Would ${replace === undefined ? 'remove' : 'replace the text of'} ${count}; nothing was changed (dry run).`
          : `${replace === undefined ? 'Removed' : 'Replaced the text of'} ${count}.`;
      printResult(cli.json, { matched: result.matched, rooms: affected, action: replace === undefined ? 'remove' : 'replace', dryRun: o.dryRun === true }, sentence);
    },
  });
}
