import { after } from 'node:test';
import type { Store } from '../../src/ports/store.js';
import { storeContract } from '../../src/storage/contract/index.js';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

// One real PostgreSQL server for this file; every contract case gets a schema of its own, empty,
// which the store migrates as it would a new database.
let cluster: Promise<PostgresCluster> | undefined;
const databases = new Map<Store, string>();
after(async () => {
  if (cluster) await (await cluster).stop();
});

storeContract({
  name: 'postgres',
  async create() {
    const server = await (cluster ??= startPostgres());
    const url = await server.createSchema();
    const store = await createPostgresStore(url);
    databases.set(store, url);
    return store;
  },
  async destroy(store) {
    await store.close();
    const url = databases.get(store);
    databases.delete(store);
    if (url && cluster) (await cluster).drop(url);
  },
});
