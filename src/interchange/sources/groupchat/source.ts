import { stat } from 'node:fs/promises';
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
import { checkGivenDomains, domainsFile, type GivenDomains } from './domains.js';
import { convertTree, type RootManagersRule, type TreeOut } from './tree.js';

export interface GroupChatOptions {
  /** Messages older than this are left out (reported with their count). */
  readonly startDate?: Date | null;
  /**
   * The organisation's SIP domains; users of any other domain are federated. When absent or
   * empty: `domains.txt` in the dump directory, else the dump's facts decide (domains.ts), and a
   * conflict between them stops the reader.
   */
  readonly domains?: readonly string[];
  /**
   * Managers of the legacy root category whom a category's scope leaves out: `every-room` (the
   * default, Microsoft's documented rule) adds them to that category's allowed principals so they
   * manage every room; `scope` leaves the scope as it is, so the import drops them there.
   */
  readonly rootManagers?: RootManagersRule;
  /** Where the external sort of an unordered tblChat and the spilled file notes go (default: the OS temp dir). */
  readonly tmpDir?: string;
  /** Rows per sorted run of the external sort at most (tests make it tiny, to sort in many runs). */
  readonly runRows?: number;
  /** Bytes of row text per sorted run (tests make it tiny, so one row can be larger than a run). */
  readonly runBytes?: number;
  /** Runs the external sort merges at once (tests make it tiny, to merge in several passes). */
  readonly runFanIn?: number;
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
  const fromFile = options.domains?.length ? null : await domainsFile(dir);
  const given: GivenDomains = options.domains?.length
    ? { domains: checkGivenDomains(options.domains, 'the domains option'), from: 'the domains option' }
    : fromFile
      ? { domains: fromFile, from: 'domains.txt' }
      : null;
  const principals: PrincipalsOut = convertPrincipals(dump, given, notes);
  const tree: TreeOut = convertTree(dump, principals.refs, notes, principals.domains[0] ?? null, {
    memberships: principals.memberships,
    rootManagers: options.rootManagers ?? 'every-room',
  });
  const sort: SortOptions = {
    ...DEFAULT_SORT,
    ...(options.runRows !== undefined && { runRows: options.runRows }),
    ...(options.runBytes !== undefined && { runBytes: options.runBytes }),
    ...(options.runFanIn !== undefined && { fanIn: options.runFanIn }),
    tmpDir: options.tmpDir ?? tmpdir(),
  };
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
