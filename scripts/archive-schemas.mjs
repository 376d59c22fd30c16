// Writes docs/archive-schema/<type>.schema.json from the zod schemas in src/interchange/archive/records.ts,
// so the published JSON Schemas are the ones the reader enforces. Run after `npm run build`;
// a test checks that the committed files match.
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { manifestSchema, RECORD_TYPES } from '../dist/src/interchange/archive/records.js';

const out = new URL('../docs/archive-schema/', import.meta.url);
mkdirSync(out, { recursive: true });
export function schemas() {
  const all = { manifest: manifestSchema, ...RECORD_TYPES };
  return Object.fromEntries(
    Object.entries(all).map(([name, schema]) => [name, { $id: `https://pchat.invalid/archive/v1/${name}.schema.json`, title: `pchat archive v1: ${name}`, ...z.toJSONSchema(schema, { target: 'draft-2020-12' }) }]),
  );
}
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  for (const [name, schema] of Object.entries(schemas())) writeFileSync(new URL(`${name}.schema.json`, out), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${Object.keys(schemas()).length} schemas to docs/archive-schema/`);
}
