// Writes the sample legacy Group Chat dump under examples/groupchat-dump (fixed seed: the
// output is the same on every run, so the committed files can be checked against it).
// Usage: npm run build && node scripts/make-groupchat-sample.mjs [dir]
import { rm } from 'node:fs/promises';
import { sampleDump, writeTables } from '../dist/bench/lib/groupchatDump.js';

const dir = process.argv[2] ?? 'examples/groupchat-dump';
await rm(dir, { recursive: true, force: true });
await writeTables(dir, sampleDump());
console.log(`wrote ${dir}`);
