import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dumpError, type OpenTable } from './dumpFiles.js';

/**
 * tblChat rows in (channelId, chatId) order, whatever order the dump has, in bounded memory.
 * A dump that is already sorted (what `ORDER BY channelId, chatId` in the documented query
 * gives) streams straight through. Otherwise the rows are cut into sorted runs in temporary
 * files and merged k ways: memory holds one run while cutting and one row per run while merging.
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
  /** Rows per sorted run; the run is also cut once its content reaches `runChars`. */
  readonly runRows: number;
  readonly runChars: number;
  readonly tmpDir: string;
}

export const DEFAULT_SORT: Omit<SortOptions, 'tmpDir'> = { runRows: 200_000, runChars: 32 * 1024 * 1024 };

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

/** Rows in (channelId, chatId) order through temporary sorted runs; the runs are removed at the end. */
export async function* externalSort(table: OpenTable, options: SortOptions): AsyncGenerator<ChatRow[]> {
  const dir = await mkdtemp(join(options.tmpDir, 'pchat-tblchat-'));
  try {
    const runs: string[] = [];
    let run: ChatRow[] = [];
    let chars = 0;
    const flush = async () => {
      run.sort(compare);
      const path = join(dir, `run-${runs.length}.jsonl`);
      // One JSON array per line: JSON escapes the newlines that content may hold.
      await writeFile(path, run.map((r) => JSON.stringify([r.channel, r.chat, r.date, r.user, r.line, r.content])).join('\n') + '\n');
      runs.push(path);
      run = [];
      chars = 0;
    };
    for await (const rows of fileOrder(table)) {
      for (const row of rows) {
        run.push(row);
        chars += row.content.length;
        if (run.length >= options.runRows || chars >= options.runChars) await flush();
      }
    }
    if (run.length > 0) await flush();
    yield* merge(runs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** k-way merge of sorted runs through a binary heap of each run's next row. */
async function* merge(paths: readonly string[]): AsyncGenerator<ChatRow[]> {
  const files = paths.map((p) => createReadStream(p));
  const readers = files.map((input) => createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]());
  const next = async (i: number): Promise<ChatRow | null> => {
    const r = await readers[i]!.next();
    if (r.done) return null;
    const [channel, chat, date, user, line, content] = JSON.parse(r.value as string) as [number, number, string, number, number, string];
    return { channel, chat, date, user, line, content };
  };
  const heap: { row: ChatRow; run: number }[] = [];
  const less = (a: number, b: number) => compare(heap[a]!.row, heap[b]!.row) < 0 || (compare(heap[a]!.row, heap[b]!.row) === 0 && heap[a]!.run < heap[b]!.run);
  const swap = (a: number, b: number) => ([heap[a], heap[b]] = [heap[b]!, heap[a]!]);
  const up = (i: number) => {
    for (; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const m = l + 1 < heap.length && less(l + 1, l) ? l + 1 : l;
      if (l >= heap.length || !less(m, i)) return;
      swap(i, m);
      i = m;
    }
  };
  try {
    for (let i = 0; i < readers.length; i++) {
      const row = await next(i);
      if (row) {
        heap.push({ row, run: i });
        up(heap.length - 1);
      }
    }
    let batch: ChatRow[] = [];
    while (heap.length > 0) {
      const top = heap[0]!;
      batch.push(top.row);
      const row = await next(top.run);
      if (row) heap[0] = { row, run: top.run };
      else {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length > 0) down(0);
      if (batch.length >= 4096) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    // Close every run file, also when the consumer stops early (an export that fails midway).
    // (Closing readline leaves its input open: the file streams are destroyed too.)
    await Promise.all(readers.map((r) => r.return?.()));
    for (const file of files) file.destroy();
  }
}
