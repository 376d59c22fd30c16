import { createReadStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FileRecord, MessageRecord, NoteRecord } from '../../archive/records.js';
import { externalSort, fileOrder, inOrder, type ChatRow, type SortOptions } from './chatOrder.js';
import { dumpError } from './dumpFiles.js';
import { makeTempDir, removeTempDir } from './tempDirs.js';
import { codePoints } from '../../../core/validation.js';
import { convertContent, MAX_TITLE } from './content.js';
import type { LegacyFileStore } from './fileStore.js';
import type { Dump } from './load.js';
import { item, Notes } from './notes.js';
import { ticksToMs } from './values.js';
import { IsoFormatter } from '../../pchat/isoTime.js';

/**
 * tblChat → message records, room by room in chatId order. Message ids are
 * `<channelId>:<chatId>`; seq is the chatId; author the poster's prinID.
 *
 * `ma-filelink:` references: with the legacy file store beside the dump (`files`), a message
 * carries the file of its first reference found there; a reference not found there is a
 * `file_missing` note (naming the file, the message and the room: the message keeps its text), a
 * further, other file of the same message a `file_not_attached` one (a repeated reference to the
 * file it carries is none). Without a file store every
 * reference is a `file_reference` note (files to carry over by hand).
 *
 * What one pass learns goes to a `MessagePass`: counts for the summary notes, and the file notes,
 * spilled to a temporary file so a dump full of file links does not grow memory.
 */

export interface MessageContext {
  readonly dump: Dump;
  /** Ids of the rooms emitted. */
  readonly rooms: ReadonlySet<number>;
  /** Disabled rooms: their messages are left out on purpose. */
  readonly skippedRooms: ReadonlySet<number>;
  readonly users: ReadonlySet<number>;
  readonly startMs: number | null;
  readonly sort: SortOptions;
  /** The legacy file store copied beside the dump, or null when the dump came without it. */
  readonly files: LegacyFileStore | null;
  /** Room id → name (after flattening), for the file notes. */
  readonly roomNames: ReadonlyMap<number, string>;
}

/** The notes one complete pass over tblChat produced. */
export class MessagePass {
  private readonly notes = new Notes();
  private readonly unknownAuthors = new Map<number, number>();
  private readonly unknownRooms = new Map<number, number>();
  private skippedDisabled = 0;
  private skippedOtherNodes = 0;
  private beforeStart = 0;
  private spilled: string[] = [];
  private spilledChars = 0;
  fileRefs = 0;
  complete = false;

  private constructor(private readonly dir: string) {}

  static async create(tmpDir: string): Promise<MessagePass> {
    return new MessagePass(await makeTempDir(tmpDir, 'pchat-gc-notes-'));
  }

  private get filePath() {
    return join(this.dir, 'file-notes.jsonl');
  }

  async file(note: NoteRecord): Promise<void> {
    const line = JSON.stringify(note);
    this.spilled.push(line);
    this.spilledChars += line.length;
    this.fileRefs++;
    if (this.spilledChars > 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.spilled.length === 0) return;
    await appendFile(this.filePath, this.spilled.join('\n') + '\n');
    this.spilled = [];
    this.spilledChars = 0;
  }

  warning(code: string, it: NoteRecord['item'], message: string) {
    this.notes.warning(code, it, message);
  }

  count(kind: 'author' | 'room', id: number) {
    const map = kind === 'author' ? this.unknownAuthors : this.unknownRooms;
    map.set(id, (map.get(id) ?? 0) + 1);
  }

  skipped(kind: 'disabled' | 'other' | 'start') {
    if (kind === 'disabled') this.skippedDisabled++;
    else if (kind === 'other') this.skippedOtherNodes++;
    else this.beforeStart++;
  }

  /** Summary notes first (small, in memory), then the spilled file notes in message order. */
  async *records(startMs: number | null): AsyncGenerator<NoteRecord> {
    yield* this.notes.list;
    for (const [author, n] of [...this.unknownAuthors].sort((a, b) => a[0] - b[0])) {
      yield { severity: 'error', code: 'author_missing', item: item('user', author), message: `${n} message(s) were posted by principal ${author}, which is not a user in tblPrincipal.` };
    }
    for (const [room, n] of [...this.unknownRooms].sort((a, b) => a[0] - b[0])) {
      yield { severity: 'error', code: 'room_missing', item: item('room', room), message: `${n} message(s) belong to channel ${room}, which is not in tblNode; they are left out.` };
    }
    if (this.skippedDisabled > 0) {
      yield { severity: 'conversion', code: 'messages_of_disabled_rooms', item: null, message: `${this.skippedDisabled} message(s) of disabled rooms are left out.` };
    }
    if (this.skippedOtherNodes > 0) {
      yield { severity: 'error', code: 'messages_of_unmigrated_nodes', item: null, message: `${this.skippedOtherNodes} message(s) belong to nodes that are not migrated (categories, or rooms reported above); they are left out.` };
    }
    if (startMs !== null) {
      yield { severity: 'conversion', code: 'messages_before_start_date', item: null, message: `${this.beforeStart} message(s) older than ${new Date(startMs).toISOString()} are left out.` };
    }
    if (this.fileRefs === 0) return;
    const lines = createInterface({ input: createReadStream(this.filePath), crlfDelay: Infinity });
    for await (const line of lines) if (line) yield JSON.parse(line) as NoteRecord;
  }

  async dispose(): Promise<void> {
    await removeTempDir(this.dir);
  }
}

export async function* messages(ctx: MessageContext, pass: MessagePass, sorted: () => Promise<boolean>): AsyncGenerator<MessageRecord> {
  const table = ctx.dump.chat;
  const source = (await sorted()) ? fileOrder(table) : externalSort(table, ctx.sort);
  let previous: ChatRow | null = null;
  const times = new IsoFormatter();
  for await (const rows of source) {
    for (const row of rows) {
      // Checked again while streaming: a file that changed since the order check must not yield out of order.
      if (!inOrder(table, previous, row)) throw new Error(`${table.file.name} changed while it was being read (line ${row.line} is out of order).`);
      previous = row;
      if (!ctx.rooms.has(row.channel)) {
        if (ctx.skippedRooms.has(row.channel)) pass.skipped('disabled');
        else if (ctx.dump.nodes.has(row.channel)) pass.skipped('other');
        else pass.count('room', row.channel);
        continue;
      }
      const ms = ticksToMs(row.date);
      if (ms === null) {
        throw dumpError(table.file.name, row.line, `column chatDate: ${JSON.stringify(row.date)} is not .NET ticks.`);
      }
      if (ctx.startMs !== null && ms < ctx.startMs) {
        pass.skipped('start');
        continue;
      }
      if (!ctx.users.has(row.user)) pass.count('author', row.user);
      const id = `${row.channel}:${row.chat}`;
      const content = convertContent(row.content);
      let title = content.title;
      if (title !== null && codePoints(title) > MAX_TITLE) {
        pass.warning('story_title_clipped', item('message', id), `The story title at ${table.file.name} line ${row.line} has more than ${MAX_TITLE} characters; clipped.`);
        title = [...title].slice(0, MAX_TITLE).join('');
      }
      let file: FileRecord | undefined;
      for (const ref of content.files) {
        if (!ctx.files) {
          await pass.file({ severity: 'file', code: 'file_reference', item: item('message', id), message: ref });
          continue;
        }
        const where = `of message ${id} (${table.file.name} line ${row.line}) in room "${ctx.roomNames.get(row.channel) ?? row.channel}" (id ${row.channel})`;
        const resolved = await ctx.files.resolve(ref);
        if (!resolved.found) {
          const looked = resolved.lookedFor === null ? 'it names no path in the store' : `no ${resolved.lookedFor} there`;
          await pass.file({ severity: 'file', code: 'file_missing', item: item('message', id), message: `File "${resolved.name}" ${where} is not in the file store (${ref}; ${looked}); the message keeps its text.` });
        } else if (file) {
          // The same file named again (its link repeated in the text) is the file the message carries: nothing left behind.
          if (resolved.found.sha256 === file.sha256 && resolved.found.name === file.name) continue;
          await pass.file({
            severity: 'file',
            code: 'file_not_attached',
            item: item('message', id),
            message: `File "${resolved.found.name}" ${where} is the message's second file (${ref}); a message carries one file, so it carries "${file.name}" and this one is not carried.`,
          });
        } else file = resolved.found;
      }
      const record: MessageRecord = {
        id,
        room: String(row.channel),
        seq: row.chat,
        author: String(row.user),
        at: times.format(ms),
        kind: content.kind,
        title,
        text: content.text,
        origin: null,
      };
      if (file) record.file = file;
      yield record;
    }
  }
  await pass.flush();
  pass.complete = true;
}
