import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../../src/storage/contract/index.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Store } from '../../src/ports/store.js';

const dirs = new Map<Store, string>();

storeContract({
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'pchat-contract-'));
    const store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    dirs.set(store, dir);
    return store;
  },
  async destroy(store) {
    await store.close();
    rmSync(dirs.get(store) as string, { recursive: true, force: true });
    dirs.delete(store);
  },
});
