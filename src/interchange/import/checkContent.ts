import type { SpoolWriter } from '../../ports/store.js';
import type { NoteRecord } from '../archive/records.js';
import type { RecordSource } from '../source.js';
import { type ContentContext, ErrorNotes, type PlannedRoomContent, planContent } from './plan.js';
import { ReplyLinks } from './replyLinks.js';

/** What a bulk import asks of the thread that checks its messages. */
export interface ContentCheckRequest {
  /** The archive file (the checking thread opens it itself); absent for a legacy source, which the thread opened already. */
  readonly archive?: string;
  /** The bulk session's spool parts, filled in order. */
  readonly spoolFiles: readonly string[];
  /** Rows of each part before the next is begun (the last part takes whatever is left). */
  readonly partRows: readonly number[];
  readonly context: ContentContext;
}

/** A spool part, closed: which rows of it belong to which source room (rows are 1-based per part). */
export interface CheckedPart {
  readonly part: number;
  readonly slices: readonly { readonly room: string; readonly from: number; readonly to: number }[];
}

export interface ContentCheckOutcome {
  /** Per room, `new` counts every message: the check does not look into the target. */
  readonly rooms: PlannedRoomContent[];
  readonly errors: { readonly count: number; readonly notes: readonly NoteRecord[] };
  /** The skipped messages' notes (item-level problems), the first thousand listed. */
  readonly skips: { readonly count: number; readonly notes: readonly NoteRecord[] };
  /** A legacy source's own notes, read by the checking thread after its message pass (an archive's are read by the importer). */
  readonly notes?: readonly NoteRecord[];
}

/**
 * The check of the messages (planContent, as every import does it) that also spools each checked
 * message into the parts, closing a part when it is full and announcing it, so the importing
 * thread can copy it while the check goes on.
 */
export async function checkAndSpool(
  source: RecordSource,
  request: Pick<ContentCheckRequest, 'partRows' | 'context'>,
  /** Opens part k's writer; parts are opened one at a time, in order. */
  openWriter: (part: number) => SpoolWriter,
  emit: (part: CheckedPart) => void,
): Promise<ContentCheckOutcome> {
  const errors = new ErrorNotes();
  const skips = new ErrorNotes();
  const parts = request.partRows.length;
  let part = 0;
  let slices: CheckedPart['slices'][number][] = [];
  let room: string | null = null;
  let from = 1;
  let writer: SpoolWriter = openWriter(0);
  // The check fills context.replyParents as it goes (a reply after its parent): links remember while it does.
  const links = new ReplyLinks(request.context.replyParents, request.context.system, false);
  const closeSlice = () => {
    if (room !== null && writer.rows >= from) slices.push({ room, from, to: writer.rows });
  };
  const closePart = () => {
    closeSlice();
    writer.close();
    emit({ part, slices });
    slices = [];
    room = null;
  };
  const rooms = await planContent(source, {
    ...request.context,
    error: errors.add,
    note: skips.push,
    hooks: {
      // No look-ups in the target: this thread has no connection to it. Every message counts as
      // new here; the importing thread counts what its copies really added.
      storedOrigins: async () => new Set(),
      roomHoldsOrigins: async () => false,
      onChecked: (m, origin, reactions) => {
        if (part < parts - 1 && writer.rows >= request.partRows[part]!) {
          closePart();
          writer = openWriter(++part);
        }
        if (m.room !== room) {
          closeSlice();
          room = m.room;
          from = writer.rows + 1;
        }
        const replyTo = links.parentOf(m, origin);
        writer.add({
          author: m.author,
          kind: m.kind,
          title: m.title,
          text: m.text,
          createdAt: Date.parse(m.at),
          origin,
          ...(replyTo && { replyTo }),
          ...(m.editedAt !== undefined && { editedAt: Date.parse(m.editedAt) }),
          ...(reactions && { reactions }),
        });
      },
    },
  });
  closePart();
  while (part < parts - 1) {
    writer = openWriter(++part);
    closePart();
  }
  return { rooms, errors: { count: errors.count, notes: errors.notes }, skips: { count: skips.count, notes: skips.notes } };
}
