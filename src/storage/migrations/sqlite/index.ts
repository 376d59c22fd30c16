import { sql as initial } from './0001_initial.js';

/** Numbered schema migrations for SQLite, applied in order, each exactly once. */
export const sqliteMigrations: readonly { readonly version: number; readonly name: string; readonly sql: string }[] = [
  { version: 1, name: 'initial', sql: initial },
];
