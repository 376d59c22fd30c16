import { join } from 'node:path';
import { dumpError, type OpenTable } from './dumpFiles.js';
import { mergeRuns, reduceRuns, RunBuffer } from './sortedRuns.js';
import { makeTempDir, removeTempDir } from './tempDirs.js';

/**
 * tblChat rows in (channelId, chatId) order, whatever order the dump has, in bounded memory.
 * A dump that is already sorted (what `ORDER BY channelId, chatId` in the documented query
 * gives) streams straight through. Otherwise the rows are cut into sorted runs in temporary
 * files and merged k ways (sortedRuns.ts): memory holds one run's arena of `runBytes` while
 * cutting, and one block per run while merging, whatever the table's size.
 */

export interface ChatRow {
  readonly channel: number;
  readonly chat: number;
  /** chatDate as its decimal .NET ticks. */
  readonly date: string;
  readonly user: number;
  readonly content: string;
  readonly line: number;
}

export interface SortOptions {
  /** Bytes of row text per sorted run (the arena it is gathered in), and rows at most. */
  readonly runBytes: number;
  readonly runRows: number;
  /** Runs merged at once at most (more are merged in groups first). */
  readonly fanIn: number;
  readonly tmpDir: string;
}

/**
 * A run gathers 16 MiB of row text (10 million messages of 100 characters make about 60 runs);
 * with its keys and offsets, the sort holds some 20 MiB while cutting runs.
 */
export const DEFAULT_SORT: Omit<SortOptions, 'tmpDir'> = { runBytes: 16 * 1024 * 1024, runRows: 262_144, fanIn: 128 };

/** The merge reads each run in blocks of this size (they are reused; 128 runs hold 4 MiB). */
const MERGE_BLOCK_BYTES = 32 * 1024;
/** Rows per batch out of the merge: small, so a batch dies young rather than in the old generation. */
const MERGE_BATCH = 512;

/** A key column's value as an integer; anything else is a malformed dump. */
const integerIn = (table: OpenTable) => (v: string | undefined, line: number, column: string): number => {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  if (!Number.isSafeInteger(n)) throw dumpError(table.file.name, line, `column ${column}: ${JSON.stringify(v ?? '')} is not an integer.`);
  return n;
};

/** Reads tblChat rows in file order, in batches; a key that is not an integer is a malformed dump. */
export async function* fileOrder(table: OpenTable): AsyncGenerator<ChatRow[]> {
  const col = (name: string) => table.columns.get(name)!;
  const [ch, id, date, user, content] = [col('channelId'), col('chatId'), col('chatDate'), col('userId'), col('content')];
  const int = integerIn(table);
  for await (const batch of table.batches()) {
    const rows: ChatRow[] = new Array<ChatRow>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const { values, line } = batch[i]!;
      rows[i] = {
        channel: int(values[ch], line, 'channelId'),
        chat: int(values[id], line, 'chatId'),
        date: values[date]!.trim(),
        user: int(values[user], line, 'userId'),
        // The literal NULL is NULL in every other column; here it could be what someone typed.
        content: values[content]!,
        line,
      };
    }
    yield rows;
  }
}

type Key = Pick<ChatRow, 'channel' | 'chat' | 'line'>;
const compare = (a: Key, b: Key) => a.channel - b.channel || a.chat - b.chat;

/** Throws on a repeated (channelId, chatId); returns whether `row` comes after `previous`. */
export function inOrder(table: OpenTable, previous: Key | null, row: Key): boolean {
  if (!previous) return true;
  const c = compare(previous, row);
  if (c === 0) throw dumpError(table.file.name, row.line, `duplicate message id ${row.channel}:${row.chat} (also on line ${previous.line}).`);
  return c < 0;
}

/**
 * One pass to learn whether the file is already in order (and free of adjacent duplicates). It
 * reads only the keys: the other columns are checked by the pass that uses them.
 */
export async function isSorted(table: OpenTable): Promise<boolean> {
  const [ch, id] = [table.columns.get('channelId')!, table.columns.get('chatId')!];
  const int = integerIn(table);
  let previous: Key | null = null;
  for await (const batch of table.batches()) {
    for (const { values, line } of batch) {
      const key = { channel: int(values[ch], line, 'channelId'), chat: int(values[id], line, 'chatId'), line };
      if (!inOrder(table, previous, key)) return false;
      previous = key;
    }
  }
  return true;
}

/**
 * Rows in (channelId, chatId) order through temporary sorted runs; the runs are removed at the
 * end, when the consumer stops early, and when the process is interrupted (tempDirs.ts).
 */
export async function* externalSort(table: OpenTable, options: SortOptions): AsyncGenerator<ChatRow[]> {
  const dir = await makeTempDir(options.tmpDir, 'pchat-tblchat-');
  try {
    const [ch, id, date, user, content] = ['channelId', 'chatId', 'chatDate', 'userId', 'content'].map((c) => table.columns.get(c)!) as [number, number, number, number, number];
    const int = integerIn(table);
    let files = 0;
    const nextPath = () => join(dir, `run-${files++}`);
    const runs: string[] = [];
    const run = new RunBuffer(options.runBytes, options.runRows);
    const cut = async () => {
      const path = nextPath();
      await run.writeSorted(path);
      runs.push(path);
    };
    for await (const batch of table.batches()) {
      for (const { values, line } of batch) {
        const channel = int(values[ch], line, 'channelId');
        const chat = int(values[id], line, 'chatId');
        const text = JSON.stringify([channel, chat, values[date]!.trim(), int(values[user], line, 'userId'), line, values[content]!]);
        if (!run.add(channel, chat, text)) {
          await cut();
          run.add(channel, chat, text);
        }
      }
    }
    if (run.size > 0) await cut();
    const last = await reduceRuns(runs, options.fanIn, MERGE_BLOCK_BYTES, nextPath);
    let rows: ChatRow[] = [];
    const parse = (buffer: Buffer, start: number, end: number) => {
      const [channel, chat, chatDate, userId, line, text] = JSON.parse(buffer.toString('utf8', start, end)) as [number, number, string, number, number, string];
      rows.push({ channel, chat, date: chatDate, user: userId, content: text, line });
    };
    for await (const _ of mergeRuns(last, MERGE_BLOCK_BYTES, parse, MERGE_BATCH)) {
      yield rows;
      rows = [];
    }
  } finally {
    await removeTempDir(dir);
  }
}
