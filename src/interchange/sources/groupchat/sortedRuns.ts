import { open, rm, type FileHandle } from 'node:fs/promises';

/**
 * The pieces of tblChat's external sort, kept off the JavaScript heap: a run buffer that holds
 * the rows of one run as UTF-8 bytes in a fixed arena (keys in typed arrays) and writes them
 * sorted to a run file, and a k-way merge of run files that reads each in blocks of bytes. A run
 * line is `[channelId,chatId,…]\n` (JSON, which escapes the line breaks a message may hold), so
 * the merge reads a line's key from its first bytes and decodes only the lines it hands on.
 *
 * Why bytes and not strings: rows held as strings for a whole run live long enough to reach the
 * old generation, and V8 let them pile up there as garbage between full collections (an unsorted
 * million-row table took 1 GB). The arena is reused from run to run and merge blocks are reused
 * from read to read, so the sort's memory is the arena, the keys and one block per run, whatever
 * the table's size.
 */

const NEWLINE = 0x0a;
/** Sorted lines are copied into a buffer of this size and written a buffer at a time. */
const WRITE_BYTES = 1 << 16;

/** Rows of one run, unsorted: their bytes one after the other in the arena, and their keys. */
export class RunBuffer {
  private arena: Buffer;
  private used = 0;
  private readonly offsets: Uint32Array;
  private readonly keys: Float64Array;
  private rows = 0;

  constructor(
    private readonly arenaBytes: number,
    readonly maxRows: number,
  ) {
    this.arena = Buffer.allocUnsafe(arenaBytes);
    this.offsets = new Uint32Array(maxRows + 1);
    this.keys = new Float64Array(2 * maxRows);
  }

  get size(): number {
    return this.rows;
  }

  /** Adds a row; false when the run is full (write it, then add the row again). */
  add(channel: number, chat: number, text: string): boolean {
    if (this.rows === this.maxRows) return false;
    const free = this.arena.length - this.used;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; only a row near the end needs measuring.
    if (3 * text.length > free) {
      const bytes = Buffer.byteLength(text);
      if (bytes > free) {
        if (this.rows > 0) return false;
        // One row larger than the arena: an arena of its size for this run only.
        this.arena = Buffer.allocUnsafe(bytes);
      }
    }
    this.used += this.arena.write(text, this.used);
    this.keys[2 * this.rows] = channel;
    this.keys[2 * this.rows + 1] = chat;
    this.offsets[++this.rows] = this.used;
    return true;
  }

  /** Writes the rows sorted by (channelId, chatId) to `path`, one per line, and empties the buffer. */
  async writeSorted(path: string): Promise<void> {
    const { keys, offsets, arena } = this;
    const order = new Uint32Array(this.rows);
    for (let i = 0; i < order.length; i++) order[i] = i;
    // Equal keys (a duplicate, which the reader reports) keep their file order.
    order.sort((a, b) => keys[2 * a]! - keys[2 * b]! || keys[2 * a + 1]! - keys[2 * b + 1]! || a - b);
    await writeRun(path, async (out) => {
      for (const i of order) {
        out.append(arena, offsets[i]!, offsets[i + 1]!);
        if (out.used >= WRITE_BYTES) await out.flush();
      }
    });
    this.rows = 0;
    this.used = 0;
    if (this.arena.length !== this.arenaBytes) this.arena = Buffer.allocUnsafe(this.arenaBytes);
  }
}

/** Writes lines to a run file through a buffer: `append` copies, `flush` writes what was appended. */
class RunWriter {
  private buffer = Buffer.allocUnsafe(WRITE_BYTES);
  /** Bytes appended and not written yet. */
  used = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<RunWriter> {
    return new RunWriter(await open(path, 'w'));
  }

  /** Appends `bytes[start, end)` and a newline. */
  append(bytes: Buffer, start: number, end: number): void {
    const length = end - start + 1;
    if (this.used + length > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.used + length));
      this.buffer.copy(larger, 0, 0, this.used);
      this.buffer = larger;
    }
    bytes.copy(this.buffer, this.used, start, end);
    this.buffer[this.used + length - 1] = NEWLINE;
    this.used += length;
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.handle.write(this.buffer, 0, this.used);
    this.used = 0;
    // A buffer grown for one long line goes back to its usual size.
    if (this.buffer.length > WRITE_BYTES) this.buffer = Buffer.allocUnsafe(WRITE_BYTES);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }
}

/** Writes a run through `write`, which appends to the writer; the file is closed (and kept) also on failure. */
async function writeRun(path: string, write: (out: RunWriter) => Promise<void>): Promise<void> {
  const out = await RunWriter.open(path);
  try {
    await write(out);
    await out.close();
  } catch (error) {
    await out.close().catch(() => {});
    throw error;
  }
}

/** Reads a run file a block at a time; `buffer[start, end)` is the current line after `advance`. */
class RunReader {
  buffer: Buffer;
  /** The current line. */
  start = 0;
  end = 0;
  channel = 0;
  chat = 0;
  /** Where the unread bytes begin and end in `buffer`. */
  private next = 0;
  private filled = 0;
  private eof = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    blockBytes: number,
  ) {
    this.buffer = Buffer.allocUnsafe(blockBytes);
  }

  static async open(path: string, blockBytes: number): Promise<RunReader> {
    return new RunReader(await open(path, 'r'), path, blockBytes);
  }

  /** Moves to the next line when it is already read; false when a block must be read first (or the file ended). */
  advanceReady(): boolean {
    // indexOf searches to the buffer's end: a newline at or beyond `filled` is stale.
    const nl = this.buffer.indexOf(NEWLINE, this.next);
    if (nl === -1 || nl >= this.filled) return false;
    this.start = this.next;
    this.end = nl;
    this.next = nl + 1;
    this.readKey();
    return true;
  }

  /** Moves to the next line; false at the end of the file. */
  async advance(): Promise<boolean> {
    while (!this.advanceReady()) {
      if (this.eof) {
        if (this.next < this.filled) throw new Error(`${this.path}: the run file ends inside a line.`);
        return false;
      }
      await this.fill();
    }
    return true;
  }

  private async fill(): Promise<void> {
    const pending = this.filled - this.next;
    // A line longer than the block: a larger block for this run.
    if (pending === this.buffer.length) {
      const larger = Buffer.allocUnsafe(2 * this.buffer.length);
      this.buffer.copy(larger, 0, this.next, this.filled);
      this.buffer = larger;
    } else if (this.next > 0) this.buffer.copyWithin(0, this.next, this.filled);
    this.next = 0;
    this.filled = pending;
    const { bytesRead } = await this.handle.read(this.buffer, pending, this.buffer.length - pending, null);
    this.filled += bytesRead;
    if (bytesRead === 0) this.eof = true;
  }

  /** The line starts `[<channelId>,<chatId>,`. */
  private readKey(): void {
    let p = this.start + 1;
    [this.channel, p] = integerAt(this.buffer, p);
    [this.chat] = integerAt(this.buffer, p + 1);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The decimal integer at `p` (as JSON.stringify writes one), and the position after it. */
function integerAt(buffer: Buffer, p: number): [number, number] {
  const negative = buffer[p] === 0x2d;
  if (negative) p++;
  let n = 0;
  for (let c = buffer[p]!; c >= 0x30 && c <= 0x39; c = buffer[++p]!) n = n * 10 + (c - 0x30);
  return [negative ? -n : n, p];
}

const less = (a: RunReader, b: RunReader, ia: number, ib: number) => a.channel < b.channel || (a.channel === b.channel && (a.chat < b.chat || (a.chat === b.chat && ia < ib)));

/**
 * Merges sorted run files: `visit` sees each line in (channelId, chatId) order (equal keys in run
 * order) as the bytes `buffer[start, end)`, valid only during the call, and the merge yields
 * after every `batch` lines (and at the end), where the consumer takes what `visit` gathered.
 * Every file is closed when the merge ends, also early.
 */
export async function* mergeRuns(paths: readonly string[], blockBytes: number, visit: (buffer: Buffer, start: number, end: number) => void, batch: number): AsyncGenerator<void> {
  const readers: RunReader[] = [];
  try {
    for (const path of paths) readers.push(await RunReader.open(path, blockBytes));
    // A binary heap of reader indexes, ordered by each reader's current line.
    const heap: number[] = [];
    for (let i = 0; i < readers.length; i++) if (await readers[i]!.advance()) heap.push(i);
    const down = (at: number) => {
      const item = heap[at]!;
      for (;;) {
        const l = 2 * at + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const m = r < heap.length && less(readers[heap[r]!]!, readers[heap[l]!]!, heap[r]!, heap[l]!) ? r : l;
        if (!less(readers[heap[m]!]!, readers[item]!, heap[m]!, item)) break;
        heap[at] = heap[m]!;
        at = m;
      }
      heap[at] = item;
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    let visited = 0;
    while (heap.length > 0) {
      const top = readers[heap[0]!]!;
      visit(top.buffer, top.start, top.end);
      if (!(top.advanceReady() || (await top.advance()))) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length > 0) down(0);
      if (++visited === batch) {
        visited = 0;
        yield;
      }
    }
    if (visited > 0) yield;
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}

/**
 * Merges runs until at most `fanIn` are left (each pass merges groups of `fanIn` into one run
 * and removes them), so the final merge never holds more files open, or more blocks in memory,
 * than that. Returns the remaining run files.
 */
export async function reduceRuns(paths: readonly string[], fanIn: number, blockBytes: number, nextPath: () => string): Promise<string[]> {
  let runs = [...paths];
  while (runs.length > fanIn) {
    const merged: string[] = [];
    for (let i = 0; i < runs.length; i += fanIn) {
      const group = runs.slice(i, i + fanIn);
      if (group.length === 1) {
        merged.push(group[0]!);
        continue;
      }
      const path = nextPath();
      await writeRun(path, async (out) => {
        for await (const _ of mergeRuns(group, blockBytes, (buffer, start, end) => out.append(buffer, start, end), 1024)) await out.flush();
      });
      await Promise.all(group.map((p) => rm(p, { force: true })));
      merged.push(path);
    }
    runs = merged;
  }
  return runs;
}
