import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NoteRecord, RecordOf, RecordType } from '../../archive/records.js';
import type { RecordSource, SourceDescription } from '../../source.js';
import { DEFAULT_SORT, isSorted, type SortOptions } from './chatOrder.js';
import { LegacyFileStore } from './fileStore.js';
import { loadDump } from './load.js';
import { MessagePass, messages, type MessageContext } from './messages.js';
import { Notes } from './notes.js';
import { convertPrincipals, type PrincipalsOut } from './principals.js';
import { convertTree, type TreeOut } from './tree.js';

export interface GroupChatOptions {
  /** Messages older than this are left out (reported with their count). */
  readonly startDate?: Date | null;
  /** The organisation's SIP domains; users of any other domain are federated. Inferred when empty. */
  readonly domains?: readonly string[];
  /** Where the external sort of an unordered tblChat and the spilled file notes go (default: the OS temp dir). */
  readonly tmpDir?: string;
  /** Rows per sorted run of the external sort (tests make it tiny). */
  readonly runRows?: number;
  /**
   * The legacy file store (docs/groupchat-dump.md): a directory, or null for none. Default: the
   * directory `filestore` in the dump directory, when there is one.
   */
  readonly fileStore?: string | null;
}

/** Where the legacy file store is copied, in the dump directory. */
export const FILE_STORE_DIR = 'filestore';

export const GROUPCHAT_SYSTEM = 'lync-groupchat';

/**
 * A Lync Server 2010 Group Chat / OCS 2007 R2 Group Chat / Lync 2013 Persistent Chat database
 * dump (docs/groupchat-dump.md) as archive records. Opening it reads and converts the directory
 * tables; messages stream from tblChat on every pass. Throws `invalid_dump` for a dump that
 * cannot be read; everything else becomes notes.
 */
export async function groupChatSource(dir: string, options: GroupChatOptions = {}): Promise<RecordSource> {
  const notes = new Notes();
  const dump = await loadDump(dir, notes);
  const domains = options.domains?.length ? options.domains : await domainsFile(dir);
  const principals: PrincipalsOut = convertPrincipals(dump, domains, notes);
  const tree: TreeOut = convertTree(dump, principals.refs, notes, principals.domains[0] ?? null);
  const sort: SortOptions = { ...DEFAULT_SORT, ...(options.runRows !== undefined && { runRows: options.runRows }), tmpDir: options.tmpDir ?? tmpdir() };
  const startMs = options.startDate ? options.startDate.getTime() : null;
  const storeDir = options.fileStore === undefined ? join(dir, FILE_STORE_DIR) : options.fileStore;
  const files = storeDir !== null && (await isDirectory(storeDir)) ? new LegacyFileStore(storeDir) : null;
  const ctx: MessageContext = {
    dump,
    rooms: new Set(tree.rooms.map((r) => Number(r.id))),
    skippedRooms: tree.skippedRooms,
    users: new Set(principals.users.map((u) => Number(u.id))),
    startMs,
    sort,
    files,
    roomNames: new Map(tree.rooms.map((r) => [Number(r.id), r.name])),
  };
  // The order check costs a pass over tblChat: do it once per source, not once per read.
  let sorted: Promise<boolean> | null = null;
  const isOrdered = () => (sorted ??= isSorted(dump.chat));
  let lastPass: MessagePass | null = null;
  const passes = new Set<MessagePass>();

  const messagePass = async function* () {
    const pass = await MessagePass.create(sort.tmpDir);
    passes.add(pass);
    try {
      yield* messages(ctx, pass, isOrdered);
    } finally {
      if (pass.complete) {
        const old = lastPass;
        lastPass = pass;
        if (old) {
          passes.delete(old);
          await old.dispose();
        }
      } else {
        passes.delete(pass);
        await pass.dispose();
      }
    }
  };

  const noteRecords = async function* (): AsyncGenerator<NoteRecord> {
    yield* notes.list;
    if (!lastPass) for await (const _ of messagePass()); // notes of messages need one complete pass
    yield* lastPass!.records(startMs);
  };

  const description: SourceDescription = { system: GROUPCHAT_SYSTEM, version: 'unknown', instance: principals.domains[0] ?? '' };
  const lists = {
    users: principals.users,
    groups: principals.groups,
    memberships: principals.memberships,
    addins: tree.addins,
    categories: tree.categories,
    rooms: tree.rooms,
    policies: [],
  };
  return {
    description,
    sipDomains: principals.domains,
    records<T extends RecordType>(type: T): AsyncIterable<RecordOf[T]> {
      if (type === 'messages') return messagePass() as AsyncIterable<RecordOf[T]>;
      if (type === 'notes') return noteRecords() as AsyncIterable<RecordOf[T]>;
      const list = lists[type as keyof typeof lists] as RecordOf[T][];
      return (async function* () {
        yield* list;
      })();
    },
    // The bytes of the files the messages carry, from the store (found there by an earlier pass).
    openFile: async (sha256) => files?.open(sha256) ?? null,
    async close() {
      for (const pass of passes) await pass.dispose();
      passes.clear();
      lastPass = null;
    },
  };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The organisation's SIP domains from `domains.txt` in the dump directory (one per line, `#`
 * comments), when the administrator wrote one: it travels with the dump, so export, verify and
 * `pchat migrate` all read the same list. None when the file does not exist.
 */
export async function domainsFile(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'domains.txt'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim().toLowerCase())
    .filter(Boolean);
}
