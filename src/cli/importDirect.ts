// What `pchat import <source>` reads: an archive, or a legacy system read directly (<kind>:<location>).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { PchatError } from '../core/errors.js';
import type { Manifest, RecordOf, RecordType } from '../interchange/archive/records.js';
import { openArchive } from '../interchange/archive/reader.js';
import { readRenames, withRenames } from '../interchange/renames.js';
import { type RecordSource, recordBatches } from '../interchange/source.js';
import { LEGACY_SOURCES } from '../interchange/sources/index.js';
import { listedRecords } from '../interchange/sources/listed.js';
import { checkContentInWorker, startDirectCheck } from './importCheck.js';
import type { ContentChecker } from '../interchange/import/bulk.js';
import { type DirectImportSpec, directoryOf, openDirectSource, type SourceDirectory } from './importSource.js';
import { legacyReader, legacySourceOptionsOf, legacySpecOf, refuseLegacyOptions } from './sources.js';

/**
 * The legacy sources a direct import may write in one transaction: they count their messages when
 * opened and carry no files (the spool has none). Group Chat and Mattermost sources may carry
 * files: they are opened here, not on a checking thread, and written batch by batch.
 */
const ONE_TRANSACTION_KINDS: ReadonlySet<string> = new Set(['slack', 'irc-logs']);

export interface ImportSource {
  readonly source: RecordSource & { manifest?: Manifest; file?: string };
  /** A legacy source's count of messages (its first pass's); undefined for an archive. */
  readonly messageCount: number | undefined;
  /** The thread that checks the messages on the bulk path, when the import may take it; none for a batch-by-batch import. */
  readonly checker: ContentChecker | undefined;
  close(): Promise<void>;
}

/**
 * Opens an archive, or a legacy source as `pchat export --from` would (the same kind-specific
 * options, --start-date and --renames). When the import may take the bulk path (--yes, not
 * --what-if or --batched), a Slack or IRC-logs source is opened on the checking thread, which
 * sends the directory to plan with (importCheck.ts startDirectCheck); any other source is opened
 * here, and one that may carry files (it has `openFile`) is imported batch by batch.
 */
export async function openImportSource(
  cmd: Command,
  spec: string,
  opts: { startDate: string | null; renames?: string; bulk: boolean },
): Promise<ImportSource> {
  const given = legacySourceOptionsOf(cmd);
  // An archive whose name looks like <kind>:<location> (backup:2024.zip) is still an archive.
  const legacy = legacySpecOf(spec);
  if (!legacy || (!LEGACY_SOURCES[legacy.kind] && existsSync(spec))) {
    if (opts.startDate !== null) throw new PchatError('invalid_input', '--start-date applies to a legacy source (<kind>:<location>) only: an archive holds what its export chose', { field: '--start-date' });
    refuseLegacyOptions(given);
    const renames = opts.renames ? await readRenames(opts.renames) : null;
    const archive = await openArchive(spec);
    return { source: renames ? withRenames(archive, renames) : archive, messageCount: undefined, checker: opts.bulk ? checkContentInWorker : undefined, close: () => archive.close() };
  }
  legacyReader(legacy.kind, given, '<source>');
  const direct: DirectImportSpec = { ...legacy, startDate: opts.startDate, options: given, renames: opts.renames ?? null };
  if (opts.bulk && ONE_TRANSACTION_KINDS.has(legacy.kind)) {
    const check = startDirectCheck(direct);
    let directory: SourceDirectory;
    try {
      directory = await check.directory;
    } catch (error) {
      await check.cancel();
      throw error;
    }
    // A source whose messages may carry files, or that does not count them, is written batch by batch.
    if (directory.messageCount !== undefined && !directory.carriesFiles) {
      const source = plannedSource(direct, directory);
      return {
        source,
        messageCount: directory.messageCount,
        checker: check.checker,
        close: async () => {
          await check.cancel();
          await source.close();
        },
      };
    }
    await check.cancel();
  }
  const { source, messageCount } = await openDirectSource(direct);
  return { source, messageCount, checker: undefined, close: () => source.close() };
}

/**
 * The source as the importing thread sees it on the bulk path: the directory the checking thread
 * read. Its messages and notes are read there too; should the import still need them here (the
 * store declined the bulk path, or the directory has errors and the messages are checked for the
 * report), the source is opened on this thread then, as export would open it.
 */
function plannedSource(spec: DirectImportSpec, directory: SourceDirectory): RecordSource {
  let opened: Promise<RecordSource> | null = null;
  // Its directory is read once more there: a rename file's notes name what each renamed item was called as it was read.
  const real = () => (opened ??= openDirectSource(spec).then(async (d) => (await directoryOf(d), d.source)));
  const listed = listedRecords(directory.description, { ...directory.lists, notes: [] }, async function* () {});
  const fromReal = (type: RecordType) => type === 'messages' || type === 'notes';
  return {
    description: directory.description,
    records: <T extends RecordType>(type: T): AsyncIterable<RecordOf[T]> =>
      fromReal(type)
        ? (async function* () {
            yield* (await real()).records(type);
          })()
        : listed.records(type),
    batches: <T extends RecordType>(type: T): AsyncIterable<readonly RecordOf[T][]> =>
      fromReal(type)
        ? (async function* () {
            yield* recordBatches(await real(), type);
          })()
        : listed.batches!(type),
    close: async () => {
      if (opened) await (await opened).close();
    },
  };
}
