import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { manifestSchema, RECORD_TYPES } from '../../src/interchange/archive/records.js';

describe('the published JSON Schemas (docs/archive-schema)', () => {
  it('are exactly what the reader enforces (regenerate with `node scripts/archive-schemas.mjs`)', () => {
    for (const [name, schema] of Object.entries({ manifest: manifestSchema, ...RECORD_TYPES })) {
      const file = JSON.parse(readFileSync(new URL(`../../../docs/archive-schema/${name}.schema.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
      const { $id: _id, title: _title, ...published } = file;
      assert.deepEqual(published, z.toJSONSchema(schema, { target: 'draft-2020-12' }), `${name}.schema.json is out of date`);
    }
  });
});
