import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ExportSummary } from '../app/complianceExport.js';
import type { TextSink } from '../ports/complianceExport.js';
import { parseInteger } from './args.js';
import { printItem } from './output.js';
import { defined, defineCommand } from './resource.js';

/** Standard output as a sink that respects backpressure (a slow pipe pauses the export). */
function stdoutSink(): { sink: TextSink; done(ok: boolean): Promise<void> } {
  return {
    sink: {
      write: async (chunk) => {
        if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      },
    },
    done: async () => undefined,
  };
}

/** A file written under `<file>.partial` and renamed once complete: a failed export leaves no half file. */
async function fileSink(path: string): Promise<{ sink: TextSink; done(ok: boolean): Promise<void> }> {
  const partial = `${path}.partial`;
  const file = await open(partial, 'w', 0o640);
  return {
    sink: {
      write: async (chunk) => {
        await file.write(chunk, null, 'utf8');
      },
    },
    done: async (ok) => {
      if (ok) await file.sync();
      await file.close();
      if (ok) await rename(partial, path);
      else await rm(partial, { force: true });
    },
  };
}

/** Buffers small writes into larger ones (each record is a few hundred bytes). */
function buffered(target: TextSink, bytes = 256 * 1024): { sink: TextSink; flush(): Promise<void> } {
  let parts: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (parts.length === 0) return;
    const text = parts.join('');
    parts = [];
    size = 0;
    await target.write(text);
  };
  return {
    sink: {
      write: async (chunk) => {
        parts.push(chunk);
        size += chunk.length;
        if (size >= bytes) await flush();
      },
    },
    flush,
  };
}

/** `pchat compliance export`: the compliance adapter by hand, for scripts that keep their own cursor. */
export function addComplianceExport(compliance: Command): Command {
  return defineCommand(compliance, {
    name: 'export',
    description:
      'Write the compliance records after a cursor as XML shaped like the output of Lync’s compliance XmlAdapter (one Conversation per room) or as JSON lines (one record per line, room and user resolved), then print the cursor to continue from.',
    examples: [
      'pchat compliance export --out batch.xml                 # every record; prints the next cursor',
      'CURSOR=$(pchat compliance export --after "$CURSOR" --format jsonl --out "batch-$CURSOR.jsonl")',
      'pchat compliance export --after 5000 --limit 1000 | xsltproc review.xsl -',
    ],
    note: `The cursor is the id of the last record written: give it as --after to the next export, which
then starts exactly where this one ended (none is skipped or written twice). With --out <file>
the cursor is printed on standard output (with --json: {count, firstId, lastId, next}); when the
records go to standard output it is printed on standard error. See docs/compliance.md.`,
    options: (cmd) =>
      cmd
        .option('--after <id>', 'export the records after this id, the cursor a previous export printed (default 0: from the first)', parseInteger)
        .addOption(new Option('--format <format>', 'xml (Lync XmlAdapter shape) or jsonl (one JSON record per line)').choices(['xml', 'jsonl']).default('xml'))
        .option('--out <file>', 'write to this file (written whole, then renamed into place); - or absent: standard output')
        .option('--limit <n>', 'at most this many records (default: all)', parseInteger),
    run: async (cli, _args, o) => {
      const path = typeof o.out === 'string' && o.out !== '-' ? o.out : null;
      const target = path ? await fileSink(path) : stdoutSink();
      const { sink, flush } = buffered(target.sink);
      let summary: ExportSummary;
      try {
        summary = await cli.app.complianceExport.export(cli.actor, defined({ after: o.after, format: o.format, limit: o.limit }), sink);
        await flush();
      } catch (error) {
        await target.done(false).catch(() => undefined);
        throw error;
      }
      await target.done(true);
      const range = summary.count === 0 ? 'no records' : `${summary.count} record${summary.count === 1 ? '' : 's'}, ids ${summary.firstId} to ${summary.lastId}`;
      process.stderr.write(`pchat: exported ${range}; continue with --after ${summary.next}\n`);
      if (path) {
        if (cli.json) printItem(true, { ...summary });
        else process.stdout.write(`${summary.next}\n`);
      } else if (cli.json) {
        process.stderr.write(`${JSON.stringify(summary)}\n`);
      }
    },
  });
}

/** `pchat compliance cursor`: where the scheduled export (config compliance.export) stands. */
export function addComplianceCursor(compliance: Command): Command {
  return defineCommand(compliance, {
    name: 'cursor',
    description: 'Show the scheduled export’s state: its cursor (every record up to it is in a published file), the batch claimed and not yet published, the node holding its lease, and when its last run caught up.',
    examples: ['pchat compliance cursor', 'pchat compliance cursor --json --database postgres://pchat@db/pchat'],
    run: async (cli) => {
      const state = await cli.app.complianceExport.scheduled(cli.actor);
      if (!state) {
        printItem(cli.json, { cursor: 0, pending: null, owner: null, leaseUntil: null, lastRunAt: null });
        return;
      }
      const time = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);
      printItem(cli.json, {
        cursor: state.cursor,
        pending: state.pending && (cli.json ? state.pending : `${state.pending.firstId}-${state.pending.lastId} (${state.pending.count} records, ${state.pending.format})`),
        owner: state.owner,
        leaseUntil: state.owner ? time(state.leaseUntil) : null,
        lastRunAt: time(state.lastRunAt),
      });
    },
  });
}
