import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MessageRecord, type NoteRecord, RECORD_TYPE_NAMES, type RecordOf, type RecordType } from '../archive/records.js';
import { openArchive } from '../archive/reader.js';
import { exportJob, importJob, verifyJob } from '../jobs.js';
import type { PeopleOptions } from '../people/mapping.js';
import { Progress } from '../progress.js';
import { filesOf, type RecordSource, recordBatches } from '../source.js';
import type { MigrateEnv } from './env.js';
import type { Calibration, PhaseSeconds, SourceTiming, WindowEstimate } from './types.js';

/** The scratch database has no accounts to map people to: the calibration creates them all, as the timing needs. */
const SCRATCH_PEOPLE: PeopleOptions = { file: null, createUsers: true };

/**
 * The window estimate is built from the work the migration does, timed on this host:
 *
 * - reading the source: the plan's inventory is one full pass over the real source (opening it,
 *   every record, every message: for a Group Chat dump the order check and, for an unsorted
 *   tblChat, the external sort too), timed as it happens. `migrate run` reads the source twice,
 *   each time opened anew: the export first in its process, as the inventory does; verify after
 *   it, with the reading code already compiled, which the plan times with a second pass. (Charged
 *   the first pass, verify's estimate included compiling the reading code, which its step does not do.)
 * - everything else (converting and writing the archive and its checksum, the import's check,
 *   the import's writes, verify's digests) is timed on the real data held in memory, into a
 *   scratch SQLite database: the whole directory without messages (the fixed cost: users, rooms …
 *   are written one by one, so they cost far more than a message), then the source's first
 *   `messages` messages (see `calibrate`); the difference, per message, is the rate that scales.
 *
 * Before, the whole calibration time was scaled by (directory + messages) / (directory + sample),
 * which multiplied the directory's cost and every fixed cost by the scale too: estimates came out
 * 4 to 200 times the real run.
 */

/** Directory records of a source, its notes, and the first messages, held in memory. */
export interface Sample {
  readonly records: { readonly [T in RecordType]?: RecordOf[T][] };
  readonly messages: MessageRecord[];
}

const DIRECTORY_TYPES = RECORD_TYPE_NAMES.filter((t) => t !== 'messages' && t !== 'notes');

/** Wraps `source` so a pass over its messages (the inventory's) keeps the first `limit` of them in `sample`. */
export function sampling(source: RecordSource, limit: number, sample: MessageRecord[]): RecordSource {
  const keep = (batch: readonly MessageRecord[]) => {
    for (let i = 0; i < batch.length && sample.length < limit; i++) sample.push(batch[i]!);
  };
  return {
    description: source.description,
    ...(source.sipDomains && { sipDomains: source.sipDomains }),
    ...filesOf(source),
    close: () => source.close(),
    records: ((type: RecordType) =>
      type === 'messages'
        ? (async function* () {
            for await (const batch of recordBatches(source, 'messages')) {
              keep(batch);
              yield* batch;
            }
          })()
        : source.records(type)) as RecordSource['records'],
    batches: ((type: RecordType) =>
      type === 'messages'
        ? (async function* () {
            for await (const batch of recordBatches(source, 'messages')) {
              keep(batch);
              yield batch;
            }
          })()
        : recordBatches(source, type)) as NonNullable<RecordSource['batches']>,
  };
}

/** The directory records and notes of `source` (read once, into memory), with `messages`. */
export async function sampleOf(source: RecordSource, messages: MessageRecord[]): Promise<Sample> {
  const records: { [T in RecordType]?: RecordOf[T][] } = {};
  for (const type of [...DIRECTORY_TYPES, 'notes' as const]) {
    const list: RecordOf[typeof type][] = [];
    for await (const r of source.records(type)) list.push(r);
    (records as Record<string, unknown[]>)[type] = list;
  }
  return { records, messages };
}

/** The sample as a source, with `count` of its messages (its files come from the real source). */
function memorySource(real: RecordSource, sample: Sample, count: number): RecordSource {
  const messages = sample.messages.slice(0, count);
  const notes = (sample.records.notes ?? []).filter((n: NoteRecord) => n.item?.type !== 'message' || count > 0);
  return {
    description: real.description,
    ...filesOf(real),
    close: async () => undefined,
    records: ((type: RecordType) =>
      (async function* () {
        yield* type === 'messages' ? messages : type === 'notes' ? notes : (sample.records[type] ?? []);
      })()) as RecordSource['records'],
    batches: ((type: RecordType) =>
      (async function* () {
        const list = type === 'messages' ? messages : type === 'notes' ? notes : (sample.records[type] ?? []);
        for (let i = 0; i < list.length; i += 1000) yield list.slice(i, i + 1000);
      })()) as NonNullable<RecordSource['batches']>,
  };
}

const seconds = async (work: () => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
};

async function sha256(path: string): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  hash.digest();
}

/**
 * The median of `REPEATS` timings of `work`. The sample's share of the cheap phases (check, verify,
 * export: a few µs a message) lasts only some 50 to 200 ms, about what a busy host's scheduler
 * takes from a process at a time: with the shorter of two timings, the per-message rates of those
 * phases came out from a fifth to twice their real value. The shortest of several is the work on
 * an idle host, which a run on a busy one exceeds (the check came out at half its real time); the
 * median is the work as the host runs it now, as the other phases (timed once, over seconds) are.
 */
const REPEATS = 5;
const typical = async (work: () => Promise<number>): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) times.push(await work());
  return times.sort((a, b) => a - b)[REPEATS >> 1]!;
};

const exportTo = async (source: RecordSource, archive: string): Promise<number> =>
  seconds(async () => {
    await exportJob(source, archive, { level: 'all', scope: [], startDate: null, disableExported: false }, new Progress('off'));
    await sha256(archive);
  });

/** `work` with a reader of `archive`, timed from opening the archive to closing it, as the check and import steps open and close it. */
const withReader = (archive: string, work: (reader: Awaited<ReturnType<typeof openArchive>>) => Promise<unknown>): Promise<number> =>
  seconds(async () => {
    const reader = await openArchive(archive);
    try {
      await work(reader);
    } finally {
      await reader.close();
    }
  });

const PHASES = ['export', 'whatIf', 'import', 'verify'] as const;
const perPhase = (f: (phase: (typeof PHASES)[number]) => number): PhaseSeconds => ({ export: f('export'), whatIf: f('whatIf'), import: f('import'), verify: f('verify') });

/**
 * Times the phases on this host, in a temporary directory and a scratch SQLite database (nothing
 * else is touched). First with the whole directory and no message, into the empty database: the
 * fixed cost of each phase, the directory's writes included. Then, with the directory in place,
 * the directory again alone (now unchanged, so nothing is written) and the directory with the
 * sample's messages: their difference is what the messages cost, free of the directory's writes,
 * which on a large directory would otherwise drown the messages' share in noise.
 */
export async function calibrate(env: MigrateEnv, real: RecordSource, sample: Sample, source: SourceTiming): Promise<Calibration> {
  const dir = await mkdtemp(join(tmpdir(), 'pchat-calibrate-'));
  const off = new Progress('off');
  try {
    const messages = sample.messages.length;
    const bare = memorySource(real, sample, 0);
    const full = memorySource(real, sample, messages);
    const bareArchive = join(dir, 'directory.zip');
    const fullArchive = join(dir, 'sample.zip');
    const check = (archive: string, target: Awaited<ReturnType<MigrateEnv['openDatabase']>>) =>
      withReader(archive, (reader) => importJob(reader, target.app, { whatIf: true, confirm: async () => true, progress: off, people: SCRATCH_PEOPLE }));
    const load = (archive: string, target: Awaited<ReturnType<MigrateEnv['openDatabase']>>) =>
      withReader(archive, (reader) => importJob(reader, target.app, { whatIf: false, confirm: async () => true, progress: off, blobs: target.store.blobs, people: SCRATCH_PEOPLE }));
    const compare = (from: RecordSource, target: Awaited<ReturnType<MigrateEnv['openDatabase']>>) => seconds(() => verifyJob(from, target.store, { progress: off }));

    // What can be repeated (it writes nothing) is timed REPEATS times and the median kept.
    const directory = { export: await typical(() => exportTo(bare, bareArchive)) } as { -readonly [P in keyof PhaseSeconds]: number };
    const withMessages = { export: await typical(() => exportTo(full, fullArchive)) } as typeof directory;
    const target = await env.openDatabase(join(dir, 'calibration.db'));
    const again = {} as typeof directory;
    try {
      directory.whatIf = await check(bareArchive, target);
      directory.import = await load(bareArchive, target);
      directory.verify = await typical(() => compare(bare, target));
      again.whatIf = await typical(() => check(bareArchive, target));
      withMessages.whatIf = await typical(() => check(fullArchive, target));
      again.import = await load(bareArchive, target);
      withMessages.import = await load(fullArchive, target);
      again.verify = directory.verify;
      withMessages.verify = await typical(() => compare(full, target));
    } finally {
      await target.close();
    }
    again.export = directory.export;
    // What the messages cost: the difference from the same work without them. Noise can make it
    // come out at nothing; then the whole sample's time per message, which errs long.
    const perMessage = perPhase((p) => {
      if (messages === 0) return 0;
      const difference = withMessages[p] - again[p];
      return (difference > 0 ? difference : withMessages[p]) / messages;
    });
    const directoryRecords = DIRECTORY_TYPES.reduce((n, t) => n + (sample.records[t]?.length ?? 0), 0);
    return { messages, directoryRecords, seconds: withMessages, directorySeconds: directory, unchangedSeconds: again, perMessage, source };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Time for cut-over, restarting the target, and checking by hand: booked on top of the measured phases. */
const MARGIN_MINUTES = 15;
const tenth = (s: number) => Math.round(s * 10) / 10;

/**
 * The phases for `messages` messages with the whole directory: each phase's directory time plus
 * its rate per message times the messages; export and verify each open the source and read it
 * once more (`sourceReads`: the share of a full pass they read, 1 unless only the delta is read).
 * The window to book is the total half again, plus the margin, rounded up to the half hour.
 */
export function estimate(calibration: Calibration, messages: number, sourceReads = 1): WindowEstimate {
  const c = calibration;
  const read = (t: { openSeconds: number; readSeconds: number } | undefined) => (t ? t.openSeconds + t.readSeconds * sourceReads : 0);
  // Export reads the source first in its process, verify after it (plans of older versions timed the first pass only).
  const reading = { export: read(c.source), verify: read(c.source?.again ?? c.source), whatIf: 0, import: 0 };
  // A plan of an older pchat has no directory time: its whole calibration time is scaled.
  const directory = c.directorySeconds ?? perPhase(() => 0);
  const rate = c.perMessage ?? perPhase((p) => (c.messages === 0 ? 0 : c.seconds[p] / c.messages));
  const phase = (p: (typeof PHASES)[number]) => tenth(directory[p] + rate[p] * messages + reading[p]);
  const phases: PhaseSeconds = perPhase(phase);
  const totalSeconds = tenth(phases.export + phases.whatIf + phases.import + phases.verify);
  const recommendedMinutes = Math.ceil(((totalSeconds * 1.5) / 60 + MARGIN_MINUTES) / 30) * 30;
  return { messages, seconds: phases, totalSeconds, recommendedMinutes };
}

const µs = (s: number) => `${(s * 1e6).toFixed(1)} µs`;
const secs = (s: number) => (s < 90 ? `${s.toFixed(2)} s` : `${(s / 60).toFixed(1)} min`);
const PHASE_NAMES: Record<(typeof PHASES)[number], string> = { export: 'export', whatIf: 'check', import: 'import', verify: 'verify' };

/** What the estimate rests on, in words: what was timed, on how many items, at what rate. */
export function calibrationBasis(c: Calibration): string[] {
  const lines: string[] = [];
  if (c.source) {
    const rate = c.source.readSeconds > 0 ? `, ${Math.round(c.source.messages / c.source.readSeconds).toLocaleString('en')} msgs/s` : '';
    lines.push(`Reading the source, timed in the inventory above: opening ${secs(c.source.openSeconds)}; one pass over its ${c.source.messages.toLocaleString('en')} messages ${secs(c.source.readSeconds)}${rate}. ${c.source.again ? 'Export reads it so, first in its process.' : 'Export and verify each read it once.'}`);
    const again = c.source.again;
    if (again) lines.push(`Reading it again, timed: opening ${secs(again.openSeconds)}; one pass ${secs(again.readSeconds)}. Verify reads it so, after the export.`);
  }
  if (!c.directorySeconds || !c.perMessage) {
    lines.push(`Calibration: ${c.messages} messages and ${c.directoryRecords} directory records, scaled (a plan of an older pchat).`);
    return lines;
  }
  lines.push(`Calibration in a scratch database on this host: the directory (${c.directoryRecords} records) alone into it; then, the directory in place, the directory again and with the source's first ${c.messages.toLocaleString('en')} messages:`);
  for (const p of PHASES) {
    const again = c.unchangedSeconds ? `again ${secs(c.unchangedSeconds[p])}, ` : '';
    lines.push(`  ${PHASE_NAMES[p].padEnd(7)} directory ${secs(c.directorySeconds[p])}; ${again}with the messages ${secs(c.seconds[p])}: ${µs(c.perMessage[p])} per message`);
  }
  lines.push('Each phase = its directory time + its time per message × the messages (+ reading the source: export the first pass, verify the second).');
  return lines;
}
