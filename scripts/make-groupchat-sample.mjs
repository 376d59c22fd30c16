// Writes the sample legacy Group Chat dump under examples/groupchat-dump (fixed seed: the
// output is the same on every run, so the committed files can be checked against it), with the
// legacy file store beside the tables as filestore/: the file of every `ma-filelink:` reference
// in tblChat but one, which is left out on purpose (the migration reports it as file_missing).
// Usage: npm run build && node scripts/make-groupchat-sample.mjs [dir]
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sampleDump, writeTables } from '../dist/bench/lib/groupchatDump.js';

const dir = process.argv[2] ?? 'examples/groupchat-dump';
await rm(dir, { recursive: true, force: true });
const tables = sampleDump();
await writeTables(dir, tables);

// A reference `ma-filelink://<host>/<guid>/<name>` is the file <guid>/<name> below the store
// (docs/groupchat-dump.md). The bytes depend on the file's word only (`<word>-<n>.docx`), so
// files posted about the same thing share their content: the archive holds each content once.
const references = [];
for (const row of tables.tblChat.rows) {
  const content = String(row[5]);
  for (const ref of content.match(/ma-filelink:[^\s"'<>]+/gi) ?? []) references.push(ref);
}
const missing = references[references.length - 1];
for (const ref of references) {
  if (ref === missing) continue;
  const path = ref.replace(/^ma-filelink:\/\/[^/]+\//i, '').split('/').map(decodeURIComponent);
  const name = path[path.length - 1];
  const word = name.replace(/-\d+\.[^.]+$/, '');
  const lines = [`${word}: notes kept in the legacy Group Chat file store`, ...Array.from({ length: 3 + (word.length % 4) }, (_, i) => `${i + 1}. about the ${word}, as discussed in the room`)];
  const file = join(dir, 'filestore', ...path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${lines.join('\r\n')}\r\n`);
}
console.log(`wrote ${dir} (${references.length - 1} files in filestore/, one referenced file left out: ${missing})`);
