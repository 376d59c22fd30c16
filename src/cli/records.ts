import type { Command } from 'commander';
import { COMPLIANCE_TYPES } from '../core/model.js';
import { parseInteger } from './args.js';
import { printList } from './output.js';
import { defined, defineCommand, defineGroup, resolve } from './resource.js';
import { rooms } from './rooms.js';
import { addComplianceCursor, addComplianceExport } from './complianceExport.js';

/** Read-only views of the two append-only records: the compliance log and the audit trail. */
export function registerRecords(program: Command): void {
  const compliance = defineGroup(
    program,
    'compliance',
    'Read the compliance record: JOIN, PART, CHAT (posts, with their original text) and BACKCHAT (history viewed). It cannot be changed.',
    ['pchat compliance list --type CHAT --room "release planning"', 'pchat compliance list --after 5000 --limit 1000 --json', 'pchat compliance export --after 5000 --format jsonl --out batch.jsonl'],
  );
  defineCommand(compliance, {
    name: 'list',
    description: 'List compliance events in order; page with --after <last id shown>.',
    examples: ['pchat compliance list --type JOIN', 'pchat compliance list --room 12 --json'],
    options: (cmd) =>
      cmd
        .option('--type <type>', `only this event type: ${COMPLIANCE_TYPES.join('|')}`)
        .option('--room <name|id>', 'only events in this room')
        .option('--after <id>', 'only events after this id (for paging)', parseInteger)
        .option('--limit <n>', 'at most this many events (default 500, at most 5000)', parseInteger),
    run: async (cli, _args, o) => {
      const roomId = o.room === undefined ? undefined : (await resolve(cli, rooms, o.room as string, '--room')).id;
      const page = await cli.app.compliance.list(cli.actor, defined({ type: o.type, roomId, after: o.after, limit: o.limit }));
      const rows = page.events.map((e) => ({ ...e, at: new Date(e.at).toISOString(), data: e.data ?? undefined }));
      printList(cli.json, rows, ['id', 'at', 'type', 'roomId', 'userId', 'data']);
    },
  });
  addComplianceExport(compliance);
  addComplianceCursor(compliance);

  const audit = defineGroup(
    program,
    'audit',
    'Read the audit trail: every change made through the API or this CLI, by whom, with its outcome (refusals included). It cannot be changed.',
    ['pchat audit list', 'pchat audit list --actor 0   # changes made with this CLI'],
  );
  defineCommand(audit, {
    name: 'list',
    description: 'List audit entries in order; page with --after <last id shown>. Actor 0 is the local administrator (this CLI).',
    examples: ['pchat audit list --limit 50', 'pchat audit list --actor 7 --json'],
    options: (cmd) =>
      cmd
        .option('--actor <user id>', 'only changes made by this user id (0 = the CLI)', parseInteger)
        .option('--after <id>', 'only entries after this id (for paging)', parseInteger)
        .option('--limit <n>', 'at most this many entries (default 500, at most 5000)', parseInteger),
    run: async (cli, _args, o) => {
      const page = await cli.app.audit.list(cli.actor, defined({ actorId: o.actor, after: o.after, limit: o.limit }));
      const rows = page.entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
      printList(cli.json, rows, ['id', 'at', 'actorId', 'action', 'target', 'outcome']);
    },
  });
}
