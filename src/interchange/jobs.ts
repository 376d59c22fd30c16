import { writeFile, rename } from 'node:fs/promises';
import type { Application } from '../app/index.js';
import { SYSTEM_ACTOR } from '../app/context.js';
import type { BlobStore, Store } from '../ports/store.js';
import { type ExportOptions, type Manifest, type NoteRecord } from './archive/records.js';
import { writeArchive } from './archive/writer.js';
import { filtered, LEVEL_TYPES } from './exportFilter.js';
import { BULK_PARTS, bulkImport, type ContentChecker } from './import/bulk.js';
import { accountsWithoutPassword } from './import/credentials.js';
import type { PeopleOptions } from './people/mapping.js';
import { checkFiles, completePlan, ErrorNotes, errorsOf, type ImportPlan, planContent, planDirectory, type PlanHooks, sourceNotes } from './import/plan.js';
import { type ImportPorts, type ImportResult, runImport } from './import/run.js';
import { targetIndex } from './import/target.js';
import type { Progress } from './progress.js';
import { type Report, writeReport } from './report.js';
import { countsInWords, exportOptionsInWords, plural, typeName } from './reportWords.js';
import { filesOf, type RecordSource, recordBatches } from './source.js';
import type { TargetDigester } from './verify/content.js';
import { verifyView } from './verify/filter.js';
import { type VerifyResult, verify } from './verify/verify.js';

/** What the file notes mean, above every list of them. */
export const FILES_NOT_CARRIED =
  'Files that messages refer to and that this migration does not carry: file_missing = not in the file store (the message keeps its text); ' +
  'file_reference = the dump came without its file store (copy the legacy file store beside it as filestore/, see docs/groupchat-dump.md); ' +
  'file_not_attached = a second file of one message (a message carries one file).';

const noteRows = (notes: readonly NoteRecord[], severity: NoteRecord['severity']) =>
  notes.filter((n) => n.severity === severity).map((n) => [n.code, n.item ? `${typeName(n.item.type)} ${n.item.name ?? n.item.id}` : '', n.message]);
const noteSections = (notes: readonly NoteRecord[]): Report['sections'] => [
  { title: 'Errors', columns: ['code', 'item', 'message'], rows: noteRows(notes, 'error') },
  { title: 'Warnings', columns: ['code', 'item', 'message'], rows: noteRows(notes, 'warning') },
  { title: 'Conversions applied', columns: ['code', 'item', 'message'], rows: noteRows(notes, 'conversion') },
  {
    title: 'Files not carried',
    intro: FILES_NOT_CARRIED,
    columns: ['code', 'item', 'message'],
    rows: noteRows(notes, 'file'),
  },
];

/** Writes `source` to an archive with the export options; returns the manifest and the notes. */
export async function exportJob(source: RecordSource, out: string, options: ExportOptions, progress: Progress, report?: string): Promise<{ manifest: Manifest; notes: NoteRecord[] }> {
  const view = await filtered(source, options);
  const notes: NoteRecord[] = [];
  const collectingNotes: RecordSource = {
    description: view.description,
    close: () => view.close(),
    ...filesOf(view),
    records: ((type) =>
      type === 'notes'
        ? (async function* () {
            for await (const n of view.records('notes')) {
              notes.push(n);
              yield n;
            }
          })()
        : view.records(type)) as RecordSource['records'],
    batches: ((type) =>
      type === 'notes'
        ? (async function* () {
            for await (const batch of recordBatches(view, 'notes')) {
              notes.push(...batch);
              yield batch;
            }
          })()
        : recordBatches(view, type)) as NonNullable<RecordSource['batches']>,
  };
  progress.start('export', 0);
  const manifest = await writeArchive(out, collectingNotes, options, {
    types: LEVEL_TYPES[options.level],
    onRecords: (_, n) => progress.add(n),
    onFiles: (count) => progress.start('files', count),
    onFile: () => progress.add(),
  });
  progress.stop();
  const attachments = Object.entries(manifest.attachments ?? {});
  if (report) {
    await writeReport(report, {
      title: `pchat export: ${out}`,
      summary: [
        ['source', `${manifest.source.system} ${manifest.source.version} (${manifest.source.instance || 'no instance id'})`],
        ['archive', out],
        ['created', manifest.createdAt],
        ['options', exportOptionsInWords(options)],
        ['files carried', `${plural(attachments.length, 'file')} (${plural(attachments.reduce((n, [, a]) => n + a.bytes, 0), 'byte')}; each content once)`],
        ['files not carried', notes.filter((n) => n.severity === 'file').length],
      ],
      sections: [
        { title: 'Records', columns: ['file', 'records', 'bytes', 'SHA-256'], rows: Object.entries(manifest.files).map(([f, v]) => [f, v.records, v.bytes, v.sha256]) },
        ...noteSections(notes),
        { title: 'Files carried', columns: ['entry', 'bytes', 'SHA-256'], rows: attachments.map(([entry, a]) => [entry, a.bytes, a.sha256]) },
      ],
    });
  }
  return { manifest, notes };
}

export interface ImportOutcome {
  readonly plan: ImportPlan;
  /** Null for a dry run, or when the plan has errors, or the operator declined. */
  readonly result: ImportResult | null;
  /** How it was written: in one transaction with the check (bulk), or batch by batch after it. */
  readonly mode: 'bulk' | 'batches';
  /** What was read: an archive, or a legacy source directly. */
  readonly read: 'archive' | 'source';
}

/**
 * Plans the import (a full read that changes nothing), stops there on --what-if or when the plan
 * has errors, asks for confirmation, then writes. The report covers both. When the operator has
 * confirmed in advance (`--yes`), the source is an archive without files or a legacy source that
 * carries none (`legacyMessages`), and a `contentChecker` is given, the store may take the bulk
 * path (see bulkImport): checking and writing overlap in one transaction.
 */
export async function importJob(
  source: RecordSource & { manifest?: Manifest; file?: string },
  app: Application,
  options: {
    whatIf: boolean;
    confirm: (plan: ImportPlan) => Promise<boolean>;
    progress: Progress;
    report?: string;
    /** Confirmed already: `confirm` will say yes without asking anyone. */
    preconfirmed?: boolean;
    contentChecker?: ContentChecker;
    /** The target's blob store, where the files the messages carry go. */
    blobs?: Pick<BlobStore, 'put'>;
    /** --strict: refuse on any item-level problem instead of resolving it (resolutions.ts). */
    strict?: boolean;
    /** --users and --create-users: how source users are mapped to pchat accounts (people/mapping.ts). */
    people?: PeopleOptions;
    /**
     * A legacy source read directly (not an archive): the messages its first pass counted. With a
     * `contentChecker` that opened the same source, it may take the bulk path like an archive,
     * unless it can carry files (it has `openFile`), which the spool does not.
     */
    legacyMessages?: number;
  },
): Promise<ImportOutcome> {
  const level = source.manifest?.options.level ?? 'all';
  const index = targetIndex(await app.directory.snapshot());
  const total = source.manifest ? Object.values(source.manifest.files).reduce((n, f) => n + f.records, 0) : 0;
  const hooks: PlanHooks = {
    onRecord: () => options.progress.add(),
    storedOrigins: (system, ids) => app.imports.storedMessageOrigins(SYSTEM_ACTOR, system, ids),
    roomHoldsOrigins: (roomId, system) => app.imports.roomHoldsOrigins(SYSTEM_ACTOR, roomId, system),
  };
  const started = Date.now();
  options.progress.start('check', total);
  const directory = await planDirectory(source, level, index, hooks, { strict: options.strict === true, ...(options.people && { people: options.people }) });
  // The spool of the bulk path carries no files: an archive with files is written batch by batch.
  const hasFiles = Object.keys(source.manifest?.attachments ?? {}).length > 0;
  const messages = source.manifest ? (source.manifest.files['messages.ndjson']?.records ?? 0) : (options.legacyMessages ?? 0);
  const bulkable = source.manifest ? source.file !== undefined && !hasFiles : options.legacyMessages !== undefined && !source.openFile;
  const bulk =
    !options.whatIf && options.preconfirmed && options.contentChecker && bulkable && directory.errors.count === 0
      ? await app.imports.beginBulk(SYSTEM_ACTOR, BULK_PARTS)
      : null;
  let outcome: ImportOutcome;
  if (bulk) {
    // The check of this thread covered the directory only; the messages are checked as they are written.
    if (source.manifest) options.progress.setTotal(total - messages - (source.manifest.files['notes.ndjson']?.records ?? 0));
    options.progress.stop();
    options.progress.start('import', messages);
    const written = await bulkImport(source, messages, directory, index, importPorts(app, null), bulk, options.contentChecker!, {
      onMessages: (n) => options.progress.add(n),
    });
    outcome = { ...written, mode: 'bulk', read: source.manifest ? 'archive' : 'source' };
    options.progress.stop();
  } else {
    const skips = new ErrorNotes();
    const content = await planContent(source, { ...directory.context, error: directory.errors.add, note: skips.push, hooks });
    // Every file's bytes are checked too (a damaged entry throws, naming it) before anything is written.
    if (hasFiles) options.progress.start('files', Object.keys(source.manifest!.attachments!).length);
    await checkFiles(source, () => options.progress.add());
    const plan = completePlan(directory, content, null, await sourceNotes(source, hooks), skips);
    options.progress.stop();
    let result: ImportResult | null = null;
    if (!options.whatIf && errorsOf(plan).length === 0 && (await options.confirm(plan))) {
      options.progress.start('import', plan.counts.message ?? 0);
      result = await runImport(source, plan, index, importPorts(app, options.blobs ?? null), { onMessages: (n) => options.progress.add(n) });
      options.progress.stop();
    }
    outcome = { plan, result, mode: 'batches', read: source.manifest ? 'archive' : 'source' };
  }
  if (options.report) await writeReport(options.report, importReport(outcome, options.whatIf, Date.now() - started));
  return outcome;
}

const importPorts = (app: Application, blobs: Pick<BlobStore, 'put'> | null): ImportPorts => ({
  actor: SYSTEM_ACTOR,
  blobs,
  imports: app.imports,
  setGroupMembers: async (groupId, members) => void (await app.groups.update(SYSTEM_ACTOR, groupId, { members })),
  setPolicy: async (rule) => void (await app.settings.setPolicy(SYSTEM_ACTOR, rule)),
});

/** One line on the item-level problems: how many, and what happens to them. */
export function resolutionSummary(plan: Pick<ImportPlan, 'resolutions' | 'strict'>): string {
  const n = plan.resolutions.length;
  if (n === 0) return 'none';
  const refused = plan.resolutions.filter((r) => r.refused).length;
  return refused > 0 ? `${n} (--strict: ${refused} refuse the import)` : `${n}, each resolved as listed (see docs/migration-guide.md, "Resolutions")`;
}

/** The report's table of item-level problems and the resolution of each. */
export function resolutionSection(plan: Pick<ImportPlan, 'resolutions' | 'strict'>): Report['sections'][number] {
  return {
    title: 'Item-level problems and their resolutions',
    intro: plan.strict
      ? '--strict: each of these refuses the import. Without --strict the resolution shown applies and everything else migrates.'
      : 'Each item pchat cannot take as it is gets the resolution shown; everything else migrates. A rename file (--renames) chooses a name instead; --strict refuses the import instead.',
    columns: ['type', 'source id', 'name', 'problem', 'resolution', 'details'],
    rows: plan.resolutions.map((r) => [r.type, r.id, r.name, r.code, r.refused ? `refused (--strict; else ${r.resolution})` : r.resolution, r.message]),
  };
}

function importReport({ plan, result, mode, read }: ImportOutcome, whatIf: boolean, ms: number): Report {
  const errors = errorsOf(plan).length;
  return {
    title: whatIf ? 'pchat import: dry run (--what-if), nothing was changed' : 'pchat import',
    summary: [
      ['source', `${plan.source.system} ${plan.source.version} ${plan.source.instance}`],
      ['level', plan.level],
      ['outcome', result ? `imported in ${(ms / 1000).toFixed(1)} s` : errors > 0 ? `refused: ${errors} errors` : whatIf ? 'dry run' : 'not run'],
      ['counts', countsInWords(plan.counts)],
      ['item-level problems', resolutionSummary(plan)],
      ...(result ? ([['result', countsInWords({ ...result })]] as const) : []),
      ...(result ? ([['written', mode === 'bulk' ? `in one transaction, while the ${read} was checked` : `batch by batch, after the ${read} was checked${plan.counts.file ? ` (${read === 'archive' ? 'an archive' : 'a source'} with files always is)` : ''}`]] as const) : []),
      ['files', `${plan.counts.file ?? 0} messages carry a file${result ? `; ${result.filesAdded} added, ${result.fileContentsPut} contents put in the file store (content already there is kept once)` : ''}`],
      ['files not carried', plan.notes.filter((n) => n.severity === 'file').length],
    ],
    sections: [
      resolutionSection(plan),
      ...noteSections(plan.notes),
      { title: 'Items', intro: 'overwrite = a name collision: the existing item takes the imported one\'s settings.', columns: ['type', 'source id', 'name', 'action', 'pchat id'], rows: plan.items.map((i) => [typeName(i.type), i.id, i.name, i.action, i.targetId ?? '']) },
      { title: 'Content per room', columns: ['room', 'messages in source', 'new', 'with a file', 'skipped'], rows: plan.content.map((c) => [c.name, c.messages, c.new, c.files, c.skipped]) },
      { title: 'Accounts that need a credential', intro: 'Imported without a password: set one with `pchat user set <login> --password …`.', columns: ['login'], rows: accountsWithoutPassword(plan).map((l) => [l]) },
    ],
  };
}

/** The export options verify compared as, in words. */
const filterText = (f: ExportOptions) =>
  [`level ${f.level}`, f.scope.length > 0 ? `scope ${f.scope.join(', ')}` : 'every category', f.startDate ? `messages from ${f.startDate}` : 'every message'].join('; ');

/** Compares and writes the report and the conflicts file; the caller exits non-zero on conflicts. */
export async function verifyJob(
  source: RecordSource,
  store: Store,
  options: { progress: Progress; report?: string; conflicts?: string; targetDigests?: TargetDigester; filter?: ExportOptions; people?: PeopleOptions },
): Promise<VerifyResult> {
  const view = options.filter ? await verifyView(source, options.filter) : { source, filter: {} };
  options.progress.start('verify', 0);
  const result = await verify(
    view.source,
    store,
    {
      onRecord: () => options.progress.add(),
      onMessages: (n) => options.progress.add(n),
      ...(options.targetDigests ? { targetDigests: options.targetDigests } : {}),
    },
    view.filter,
    options.people,
  );
  options.progress.stop();
  if (options.conflicts) {
    await writeFile(`${options.conflicts}.partial`, `${JSON.stringify({ conflicts: result.conflicts, conversions: result.conversions }, null, 2)}\n`);
    await rename(`${options.conflicts}.partial`, options.conflicts);
  }
  if (options.report) {
    await writeReport(options.report, {
      title: result.conflicts.length === 0 ? 'pchat verify: no unexplained difference' : `pchat verify: ${result.conflicts.length} unexplained differences`,
      summary: [
        ['source', `${source.description.system} ${source.description.version} ${source.description.instance}`],
        ['compared', countsInWords(result.compared)],
        ...(options.filter ? ([['as exported with', filterText(options.filter)]] as const) : []),
        ['files', `${result.compared.file ?? 0} compared, ${result.conflicts.filter((c) => c.type === 'file').length} differ or missing; ${result.conversions.filter((n) => n.severity === 'file').length} not carried (source notes)`],
      ],
      sections: [
        { title: 'Unexplained differences', columns: ['type', 'id', 'name', 'field', 'source', 'target'], rows: result.conflicts.map((c) => [typeName(c.type), c.id, c.name, c.field, c.source, c.target]) },
        {
          title: 'First differing message per room',
          intro: 'For each room whose messages differ: the first message where the source and the target part (the target\'s seq, the source\'s message id), the field that differs, and both values from a little before where they first differ.',
          columns: ['room', 'seq', 'source message', 'field', 'source', 'target'],
          rows: result.conflicts.flatMap((c) => (c.message ? [[c.name, c.message.seq ?? '(none)', c.message.sourceId ?? '(none)', c.message.field, c.message.source, c.message.target]] : [])),
        },
        {
          title: 'Files that differ or are missing in the target',
          intro: 'Every file a source message carries is compared with the target message\'s file: name, size, SHA-256, and the bytes in the target\'s file store (read and hashed).',
          columns: ['message', 'file', 'what', 'source', 'target'],
          rows: result.conflicts.filter((c) => c.type === 'file').map((c) => [c.id, c.name, c.field, c.source, c.target]),
        },
        { title: 'Files not carried (source notes)', intro: FILES_NOT_CARRIED, columns: ['code', 'item', 'message'], rows: noteRows(result.conversions, 'file') },
        { title: 'Expected conversions (not differences)', columns: ['severity', 'code', 'item', 'message'], rows: result.conversions.map((n) => [n.severity, n.code, n.item ? `${typeName(n.item.type)} ${n.item.name ?? n.item.id}` : '', n.message]) },
        { title: 'Content per room', columns: ['room', 'source count', 'target count', 'digest matches', 'other messages in target'], rows: result.rooms.map((r) => [r.name, r.sourceCount, r.targetCount, r.sourceDigest === r.targetDigest ? 'yes' : 'NO', r.otherInTarget]) },
      ],
    });
  }
  return result;
}
