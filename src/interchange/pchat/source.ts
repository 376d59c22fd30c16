import type { Message, PrincipalRef } from '../../core/model.js';
import type { Store } from '../../ports/store.js';
import type { FileRecord, MessageRecord, NoteRecord, PrincipalRefRecord, RecordOf, RecordType } from '../archive/records.js';
import type { RecordSource } from '../source.js';
import { VERSION } from '../../version.js';
import { IsoFormatter } from './isoTime.js';

/**
 * How many messages one history read fetches while exporting a room. Larger pages cost more
 * than they save: a page and its records outlive young-generation collections and get copied
 * (export of 1M messages: 950 ms of GC pauses with pages of 5,000, 230 ms with 1,000).
 */
const PAGE = 1000;

export const iso = (ms: number): string => new Date(ms).toISOString();
const ref = (r: PrincipalRef): PrincipalRefRecord => ({ kind: r.kind, id: String(r.id) });
const refs = (list: readonly PrincipalRef[]): PrincipalRefRecord[] => list.map(ref);

/** A room's whole history in seq order, in keyset pages so memory stays flat. */
export async function* roomHistoryPages(store: Store, roomId: number): AsyncGenerator<Message[]> {
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const page = await store.messages.history({ roomId, afterSeq: after, limit: PAGE });
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.seq;
  }
}

/** Where a pchat source gets its messages: the rooms' history pages as archive records, room after room in the order given. */
export type MessagePages = (roomIds: readonly number[]) => AsyncIterable<MessageRecord[]>;

/** A message's file as the archive carries it. */
export const fileRecord = (f: NonNullable<Message['file']>): FileRecord => ({ name: f.name, contentType: f.contentType, size: f.size, sha256: f.sha256 });

/** A message's version 3 fields. */
export type ConversationFields = Pick<MessageRecord, 'replyTo' | 'editedAt' | 'reactions'>;

/**
 * A message's version 3 fields (a reply's parent, the edited mark, reactions), or null for the
 * many messages without any. A parent removed since is not named: there is nothing to answer.
 */
export function conversationFields(m: Message, times: IsoFormatter): ConversationFields | null {
  const replyTo = m.replyTo && m.replyTo.seq !== null ? String(m.replyTo.id) : undefined;
  const reactions = m.reactions?.map((r) => ({ emoji: r.emoji, users: r.userIds.map(String) }));
  if (replyTo === undefined && !m.editedAt && !reactions?.length) return null;
  return {
    ...(replyTo !== undefined && { replyTo }),
    ...(m.editedAt ? { editedAt: times.format(m.editedAt) } : {}),
    ...(reactions?.length ? { reactions } : {}),
  };
}

/** A history page as archive records. */
export function messageRecords(page: readonly Message[], roomId: string, times: IsoFormatter): MessageRecord[] {
  return page.map((m) => {
    const record: MessageRecord = {
      id: String(m.id),
      room: roomId,
      seq: m.seq,
      author: String(m.authorId),
      at: times.format(m.createdAt),
      kind: m.kind,
      title: m.title,
      text: m.text,
      origin: m.origin,
    };
    if (m.file) record.file = fileRecord(m.file);
    const conversation = conversationFields(m, times);
    return conversation ? Object.assign(record, conversation) : record;
  });
}

/** The rooms' messages read on this thread, a history page at a time. */
export const storeMessagePages =
  (store: Store): MessagePages =>
  async function* (roomIds) {
    const times = new IsoFormatter();
    for (const roomId of roomIds) {
      for await (const page of roomHistoryPages(store, roomId)) yield messageRecords(page, String(roomId), times);
    }
  };

/**
 * Every message of the database as archive records, grouped by room (ascending id). A file whose
 * bytes are not in the blob store (lost, or swept) is left off its message, which keeps its text,
 * and reported in `missing` as a `file_missing` note.
 */
async function* messagePages(store: Store, pages: MessagePages, missing: FileNotes): AsyncGenerator<MessageRecord[]> {
  // Direct conversations are not part of the archive format (yet): they stay with their participants.
  const rooms = (await store.rooms.list()).filter((r) => r.direct !== true);
  const names = new Map(rooms.map((r) => [String(r.id), r.name]));
  missing.clear();
  for await (const page of pages(rooms.map((r) => r.id).sort((a, b) => a - b))) {
    for (const m of page) {
      if (m.file && !(await missing.present(m.file.sha256))) {
        missing.add(m, names.get(m.room) ?? m.room);
        delete m.file;
      }
    }
    yield page;
  }
}

/** What one pass found of the files: which contents the blob store has, and the notes of those it lacks. */
class FileNotes {
  private readonly known = new Set<string>();
  notes: NoteRecord[] = [];

  constructor(private readonly store: Store) {}

  async present(sha256: string): Promise<boolean> {
    if (this.known.has(sha256)) return true;
    const has = await this.store.blobs.has(sha256);
    if (has) this.known.add(sha256);
    return has;
  }

  add(m: MessageRecord, roomName: string): void {
    const f = m.file!;
    this.notes.push({
      severity: 'file',
      code: 'file_missing',
      item: { type: 'message', id: m.id },
      message: `File "${f.name}" (${f.size} bytes, SHA-256 ${f.sha256}) of message ${m.id} in room "${roomName}" (id ${m.room}) is not in the file store; the message keeps its text.`,
    });
  }

  clear(): void {
    this.notes = [];
  }
}

async function* flatten<T>(batches: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

async function* oneBatch<T>(records: AsyncIterable<T>): AsyncGenerator<T[]> {
  const all: T[] = [];
  for await (const record of records) all.push(record);
  if (all.length > 0) yield all;
}

/**
 * A pchat database as a record source: what `pchat export` writes and what verify reads as its
 * target. It reads the store port directly (read-only, no permission filter: export is an
 * administrator's job on the whole database) so that millions of messages stream by keyset
 * pages of history, never held in memory. Ids are pchat's own; `origin` carries where an item
 * was imported from, so a chain of migrations keeps each item's identity.
 */
export async function pchatSource(store: Store, pages: MessagePages = storeMessagePages(store)): Promise<RecordSource> {
  const instance = await store.settings.instanceId();
  const missing = new FileNotes(store);
  const generators: { [T in RecordType]: () => AsyncIterable<RecordOf[T]> } = {
    users: async function* () {
      for (const u of await store.users.list()) {
        yield { id: String(u.id), login: u.login, displayName: u.displayName, email: u.email, disabled: u.disabled, isAdmin: u.isAdmin, origin: u.origin };
      }
    },
    groups: async function* () {
      for (const g of await store.groups.list()) yield { id: String(g.id), name: g.name, description: g.description, origin: g.origin };
    },
    memberships: async function* () {
      for (const g of await store.groups.list()) for (const m of g.members) yield { group: String(g.id), member: ref(m) };
    },
    addins: async function* () {
      for (const a of await store.addins.list()) yield { id: String(a.id), name: a.name, url: a.url };
    },
    categories: async function* () {
      for (const c of await store.categories.list()) {
        yield {
          id: String(c.id),
          name: c.name,
          description: c.description,
          allowed: refs(c.allowed),
          denied: refs(c.denied),
          creators: refs(c.creators),
          invitations: c.invitations,
          fileUpload: c.fileUpload,
          chatHistory: c.chatHistory,
          origin: c.origin,
        };
      }
    },
    rooms: async function* () {
      for (const r of await store.rooms.list()) {
        if (r.direct === true) continue; // not in the archive format (yet), as in messagePages
        yield {
          id: String(r.id),
          name: r.name,
          description: r.description,
          category: String(r.categoryId),
          privacy: r.privacy,
          type: r.type,
          members: refs(r.members),
          managers: refs(r.managers),
          presenters: refs(r.presenters),
          invitations: r.invitations,
          addin: r.addinId === null ? null : String(r.addinId),
          disabled: r.disabled,
          createdAt: iso(r.createdAt),
          origin: r.origin,
          legacyUri: r.legacyUri,
        };
      }
    },
    policies: async function* () {
      for (const p of await store.policies.list()) {
        const target: PrincipalRefRecord | null = p.targetId === null ? null : { kind: p.scope === 'site' ? 'group' : 'user', id: String(p.targetId) };
        yield { scope: p.scope, target, enabled: p.enabled };
      }
    },
    messages: () => flatten(messagePages(store, pages, missing)),
    // The files the last pass over the messages found missing (notes follow the messages).
    notes: async function* () {
      yield* missing.notes;
    },
  };
  return {
    description: { system: 'pchat', version: VERSION, instance },
    records: <T extends RecordType>(type: T) => generators[type]() as AsyncIterable<RecordOf[T]>,
    // Directory items are lists already in memory: one batch each.
    batches: <T extends RecordType>(type: T) => (type === 'messages' ? messagePages(store, pages, missing) : oneBatch(generators[type]())) as AsyncIterable<RecordOf[T][]>,
    openFile: (sha256) => store.blobs.get(sha256),
    close: async () => {},
  };
}
