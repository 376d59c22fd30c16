import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeContentType, validateFileName } from '../../src/app/files.js';
import { loadConfig } from '../../src/config/load.js';
import { PchatError } from '../../src/core/errors.js';
import { defaultPublicUrl } from '../../src/main.js';
import { parseRange } from '../../src/protocols/http/routes/files.js';
import { fileLine, messageLines } from '../../src/protocols/irc/present.js';
import { encodeFileName, fileUrl, formatSize } from '../../src/protocols/present.js';

const refused = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof PchatError && e.code === 'invalid_input' && e.field === 'name');

describe('file names, types, ranges and links', () => {
  it('strips paths, keeps 1–255 characters, refuses control and bidi characters', () => {
    assert.equal(validateFileName('../../etc/passwd'), 'passwd');
    assert.equal(validateFileName('C:\\Users\\me\\report.pdf'), 'report.pdf');
    assert.equal(validateFileName('  Ünïcödé résumé.txt '), 'Ünïcödé résumé.txt');
    assert.equal(validateFileName('x'.repeat(255)), 'x'.repeat(255));
    refused(() => validateFileName(''));
    refused(() => validateFileName('dir/'));
    refused(() => validateFileName('..'));
    refused(() => validateFileName('x'.repeat(256)));
    refused(() => validateFileName('a\u0000b'));
    refused(() => validateFileName('line\nbreak'));
    refused(() => validateFileName('invoice\u202Efdp.exe'));
  });

  it('keeps type/subtype, drops parameters, and falls back to application/octet-stream', () => {
    assert.equal(normalizeContentType('Image/PNG'), 'image/png');
    assert.equal(normalizeContentType('text/html; charset=utf-8'), 'text/html');
    assert.equal(normalizeContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    for (const bad of ['', 'png', 'image/', '/png', 'a/b/c', 'text/html\r\nx: y', null]) assert.equal(normalizeContentType(bad), 'application/octet-stream', String(bad));
  });

  it('parses one byte range and ignores what RFC 9110 lets a server ignore', () => {
    assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=900-5000', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
    assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseRange(undefined, 1000), null);
    assert.equal(parseRange('bytes=0-1,5-6', 1000), null, 'several ranges: the whole file');
    assert.equal(parseRange('bytes=5-1', 1000), null);
    assert.equal(parseRange('items=0-1', 1000), null);
  });

  it('encodes names as one path segment and builds the IRC file line', () => {
    assert.equal(encodeFileName("it's (final) 100%.pdf"), 'it%27s%20%28final%29%20100%25.pdf');
    assert.equal(fileUrl({ id: 12, name: 'a/b?.txt' }), '/api/v1/files/12/a%2Fb%3F.txt');
    assert.equal(formatSize(512), '512 B');
    assert.equal(formatSize(1536), '1.5 KB');
    assert.equal(formatSize(1_258_291), '1.2 MB');
    assert.equal(formatSize(50 * 1024 * 1024), '50 MB');
    assert.equal(formatSize(20000 * 1024), '19.5 MB', 'the default maxFileSizeKB, as the upload refusal states it');
    const file = { id: 12, name: 'report.pdf', size: 1_258_291 };
    assert.equal(fileLine(file, 'https://chat.example.com'), '[file] report.pdf (1.2 MB) https://chat.example.com/api/v1/files/12/report.pdf');
    const long = { id: 7, name: `${'é'.repeat(200)}.bin`, size: 10 };
    assert.match(fileLine(long, 'https://chat.example.com', 450), /\) https:\/\/chat\.example\.com\/api\/v1\/files\/7$/, 'too long: the link without the name');
    const info = { ...file, roomId: 1, messageId: 1, contentType: 'application/pdf', sha256: 'a'.repeat(64), uploaderId: 1, createdAt: 0, origin: null };
    assert.deepEqual(messageLines({ kind: 'text', title: null, text: 'report.pdf', file: info }, 400, '', 'http://h:1'), ['[file] report.pdf (1.2 MB) http://h:1/api/v1/files/12/report.pdf']);
    assert.deepEqual(messageLines({ kind: 'text', title: null, text: 'the numbers', file: info }, 400, '', 'http://h:1'), ['the numbers', '[file] report.pdf (1.2 MB) http://h:1/api/v1/files/12/report.pdf']);
  });

  it('takes http.publicUrl from the configuration, else derives it from host and port', () => {
    assert.equal(loadConfig({ env: { PCHAT_PUBLIC_URL: 'https://chat.example.com/' } }).http.publicUrl, 'https://chat.example.com');
    assert.throws(() => loadConfig({ env: { PCHAT_PUBLIC_URL: 'ftp://x' } }), /http\.publicUrl/);
    assert.equal(loadConfig({ env: {} }).http.publicUrl, undefined);
    assert.equal(defaultPublicUrl('127.0.0.1', 8080), 'http://127.0.0.1:8080');
    assert.equal(defaultPublicUrl('::1', 8080), 'http://[::1]:8080');
    assert.match(defaultPublicUrl('0.0.0.0', 80), /^http:\/\/[^/]+:80$/);
  });
});
