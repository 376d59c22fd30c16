import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';

/** Writes a zip with exactly these entries, and a manifest describing `files` (true checksums unless overridden). */
export async function craft(file: string, entries: Record<string, string | Buffer>, manifest: Record<string, unknown> = {}, files?: Record<string, unknown>): Promise<void> {
  const zip = new yazl.ZipFile();
  const listed: Record<string, unknown> = {};
  for (const [name, body] of Object.entries(entries)) {
    const bytes = Buffer.from(body);
    zip.addBuffer(bytes, name);
    listed[name] = { records: bytes.toString().split('\n').filter(Boolean).length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  }
  const full = {
    format: 'pchat-archive',
    version: 1,
    source: { system: 'test', version: '1', instance: 'x' },
    createdAt: '2026-01-01T00:00:00.000Z',
    options: { level: 'all', scope: [], startDate: null, disableExported: false },
    files: files ?? listed,
    ...manifest,
  };
  zip.addBuffer(Buffer.from(JSON.stringify(full)), 'manifest.json');
  zip.end();
  const out = createWriteStream(file);
  zip.outputStream.pipe(out);
  await finished(out);
}

