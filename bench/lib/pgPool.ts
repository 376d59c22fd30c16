// Pool benchmarks: a PostgreSQL database populated through pchat's own store, and N
// `pchat serve --database <url>` nodes on it.
import type { PrincipalRef } from '../../src/core/model.js';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { type BenchUser, createCategoryFor, createRooms, createUsers, type ServerProcess, startServerProcess, tempDir } from './fixture.js';
import type { BenchPostgres } from './pgCluster.js';

export interface PoolData {
  readonly url: string;
  readonly users: BenchUser[];
  readonly rooms: number[];
}

/** A new database (schema made by pchat itself) with `users` users allowed into `rooms` open rooms. */
export async function populate(cluster: BenchPostgres, database: string, users: number, rooms: number, prefix = 'user'): Promise<PoolData> {
  const url = await cluster.createDatabase(database);
  const store = await createPostgresStore(url);
  try {
    const created = await createUsers(store, users, prefix);
    const members: PrincipalRef[] = created.map((u) => ({ kind: 'user', id: u.id }));
    const categoryId = await createCategoryFor(store, 'Load', members);
    const roomIds = await createRooms(store, categoryId, rooms, 'load room');
    return { url, users: created, rooms: roomIds };
  } finally {
    await store.close();
  }
}

/** Starts `count` nodes on `url`, node i pinned to core `cores[i]` when given; each has its own data dir. */
export async function startNodes(url: string, count: number, cores: readonly (number | undefined)[] = []): Promise<{ nodes: ServerProcess[]; stop: () => Promise<void> }> {
  const dirs = Array.from({ length: count }, (_, i) => tempDir(`pool-node${i}`));
  const nodes: ServerProcess[] = [];
  for (let i = 0; i < count; i++) {
    const core = cores[i];
    // One at a time: the first migrates nothing (populate did), but registration is cleaner in order.
    nodes.push(await startServerProcess((dirs[i] as { dir: string }).dir, { database: url, ...(core !== undefined && { core }) }));
  }
  return {
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      for (const d of dirs) d.remove();
    },
  };
}
