import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '../archive/reader.js';
import { exportJob, importJob, verifyJob } from '../jobs.js';
import { Progress } from '../progress.js';
import { filesOf, type RecordSource } from '../source.js';
import type { MigrateEnv } from './env.js';
import type { Calibration, Inventory, PhaseSeconds, WindowEstimate } from './types.js';

/** The source with only its first `limit` messages (every directory record stays). */
function firstMessages(source: RecordSource, limit: number): RecordSource {
  return {
    description: source.description,
    close: async () => undefined,
    records: ((type) =>
      type === 'messages'
        ? (async function* () {
            let n = 0;
            for await (const m of source.records('messages')) {
              if (n++ >= limit) return;
              yield m;
            }
          })()
        : source.records(type)) as RecordSource['records'],
    ...filesOf(source),
  };
}

const seconds = async (work: () => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
};

/**
 * Measures this host: exports the directory and the first `messages` messages of the source to
 * a temporary archive, checks it (--what-if), imports it into a temporary SQLite database and
 * verifies it, timing each phase. Nothing outside a temporary directory is touched.
 */
export async function calibrate(env: MigrateEnv, source: RecordSource, inventory: Inventory, messages: number): Promise<Calibration> {
  const dir = await mkdtemp(join(tmpdir(), 'pchat-calibrate-'));
  const off = new Progress('off');
  try {
    const archive = join(dir, 'sample.zip');
    const sample = firstMessages(source, messages);
    const exportSeconds = await seconds(() => exportJob(sample, archive, { level: 'all', scope: [], startDate: null, disableExported: false }, off));
    const target = await env.openDatabase(join(dir, 'calibration.db'));
    const reader = await openArchive(archive);
    try {
      const whatIf = await seconds(() => importJob(reader, target.app, { whatIf: true, confirm: async () => true, progress: off }));
      const importSeconds = await seconds(() => importJob(reader, target.app, { whatIf: false, confirm: async () => true, progress: off, blobs: target.store.blobs }));
      const verifySeconds = await seconds(() => verifyJob(reader, target.store, { progress: off }));
      const c = inventory.counts;
      return {
        messages: Math.min(messages, c.messages),
        directoryRecords: c.categories + c.rooms + c.users + c.groups + c.addins + c.policies,
        seconds: { export: exportSeconds, whatIf, import: importSeconds, verify: verifySeconds },
      };
    } finally {
      await reader.close();
      await target.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Time for cut-over, restarting the target, and checking by hand: booked on top of the measured phases. */
const MARGIN_MINUTES = 15;

/**
 * Scales the calibration to `messages` messages with the whole directory: each phase's time per
 * record (directory records and messages alike) times the records to move. A phase over a
 * directory-heavy sample thus errs long, never short. The window to book is that total
 * half again, plus the margin, rounded up to the half hour.
 */
export function estimate(calibration: Calibration, messages: number): WindowEstimate {
  const measured = calibration.directoryRecords + calibration.messages;
  const factor = measured === 0 ? 1 : (calibration.directoryRecords + messages) / measured;
  const scale = (s: number) => Math.round(s * factor * 10) / 10;
  const s = calibration.seconds;
  const phases: PhaseSeconds = { export: scale(s.export), whatIf: scale(s.whatIf), import: scale(s.import), verify: scale(s.verify) };
  const totalSeconds = Math.round((phases.export + phases.whatIf + phases.import + phases.verify) * 10) / 10;
  const recommendedMinutes = Math.ceil(((totalSeconds * 1.5) / 60 + MARGIN_MINUTES) / 30) * 30;
  return { messages, seconds: phases, totalSeconds, recommendedMinutes };
}
