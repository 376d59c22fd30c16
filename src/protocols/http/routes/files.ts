import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { invalid, PchatError } from '../../../core/errors.js';
import { encodeFileName, presentFile, presentMessage } from '../../present.js';
import { idParam, type Route, type RouteContext } from '../route.js';

/** Media types served as themselves (and inline): images no browser runs as a document. Everything else is an opaque download. */
const SAFE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** How long a refused upload's client may keep sending (discarded) before its connection is dropped. */
const LINGER_MS = 2000;

const FIELDS = new Set(['text', 'clientId']);

const uploadForm = {
  type: 'object',
  required: ['file'],
  properties: {
    text: { type: 'string', description: 'Optional caption (the message text); without it the text is the file name. Must come before `file`.' },
    clientId: { type: 'string', description: 'Makes the post idempotent, as for messages. Must come before `file`.' },
    file: { type: 'string', format: 'binary', description: 'The file, streamed; its filename and Content-Type are kept (the name without any path).' },
  },
};

export const fileRoutes: Route[] = [
  {
    method: 'POST',
    url: '/api/v1/rooms/:roomId/files',
    summary:
      'Post a file in a room (multipart/form-data: optional fields `text` and `clientId`, then one part named `file`). Needs the right to post and the category\'s fileUpload flag; at most maxFileSizeKB (413 too_large as soon as the upload passes it, nothing kept). Durable before the answer; a repeated clientId is stored once (`duplicate: true`, 200).',
    tag: 'files',
    auth: true,
    status: 201,
    multipart: uploadForm,
    handler: upload,
  },
  ...['/api/v1/files/:fileId', '/api/v1/files/:fileId/:name'].map(
    (url): Route => ({
      method: 'GET',
      url,
      summary:
        "A file's bytes (to those who may read its room; `name` is cosmetic). Range requests (206, 416), ETag and If-None-Match (304). Served as an attachment with nosniff and a sandboxing CSP, except PNG, JPEG, GIF and WebP images, which are inline. Signed in by bearer token or the session cookie.",
      tag: 'files',
      auth: true,
      produces: 'application/octet-stream',
      responses: { '206': 'Partial content (a Range request).', '304': 'Not modified (If-None-Match).', '416': 'The range is not satisfiable.' },
      handler: download,
    }),
  ),
];

async function upload(c: RouteContext): Promise<unknown> {
  const roomId = idParam(c, 'roomId');
  const { request, reply } = c;
  if (!request.isMultipart()) throw invalid('file', 'Send the file as multipart/form-data, in a part named "file".');
  const { config } = await c.app.directory.snapshot();
  const parts = request.parts({
    // The blob store enforces maxFileSizeKB (and stops the moment it passes); this is a second fence.
    limits: { fileSize: config.maxFileSizeKB * 1024 + 1, files: 1, fields: 8, parts: 9, fieldSize: 256 * 1024 },
  });
  const fields: { text?: string; clientId?: string } = {};
  for (;;) {
    const part = await nextPart(parts);
    if (!part) throw invalid('file', 'No file: send it in a part named "file".');
    if (part.type === 'field') {
      if (part.fieldname === 'file') throw invalid('file', 'The "file" part needs a filename.');
      if (!FIELDS.has(part.fieldname)) throw invalid(part.fieldname, `Unknown field: ${part.fieldname}. Send text, clientId, then file.`);
      if (typeof part.value !== 'string') throw invalid(part.fieldname, `${part.fieldname} must be text.`);
      if (part.valueTruncated) throw new PchatError('too_large', `${part.fieldname} is too long.`, { field: part.fieldname });
      fields[part.fieldname as 'text' | 'clientId'] = part.value;
      continue;
    }
    if (part.fieldname !== 'file') throw invalid(part.fieldname, 'The file goes in a part named "file".');
    const result = await c.app.files.upload(
      c.actor,
      roomId,
      { name: part.filename, contentType: part.mimetype, text: fields.text ?? null, clientId: fields.clientId ?? null },
      guarded(part),
    );
    if (result.duplicate) void reply.status(200);
    const snapshot = await c.app.directory.snapshot();
    return { file: presentFile(result.file), message: presentMessage(result.message, snapshot), duplicate: result.duplicate };
  }
}

/** The next part, with the parser's complaints (limits, malformed bodies) in pchat's vocabulary. */
async function nextPart(parts: AsyncIterableIterator<Multipart>): Promise<Multipart | null> {
  try {
    const next = await parts.next();
    return next.done ? null : next.value;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') throw invalid('file', 'Send one file per request.');
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw invalid('file', 'Too many parts: send text, clientId and one file.');
    if (error instanceof PchatError) throw error;
    throw new PchatError('invalid_input', `The multipart body is malformed: ${(error as Error).message}`, { field: 'file' });
  }
}

/** The file part's bytes; a cut-off or truncated part is an error, never a shorter file. */
async function* guarded(part: MultipartFile): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of part.file as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (error instanceof PchatError) throw error;
    throw new PchatError('invalid_input', 'The upload ended before the file did.', { field: 'file', cause: error });
  }
  if (part.file.truncated) throw new PchatError('too_large', 'The file is larger than the limit (maxFileSizeKB).', { field: 'file' });
}

/**
 * A refused upload whose client is still sending: once the answer is out, the rest of the body is
 * read and discarded for a moment (a client that stops sending keeps its connection), then the
 * connection is dropped rather than reading a large body to its end. (`Connection: close` would
 * make Node destroy the socket right after the answer, and a client still writing then often
 * gets a reset instead of the answer.)
 */
export function cutOffUpload(request: FastifyRequest, reply: FastifyReply): void {
  if (request.raw.complete) return;
  reply.raw.once('finish', () => {
    if (request.raw.complete) return;
    request.raw.resume();
    const timer = setTimeout(() => request.raw.socket?.destroy(), LINGER_MS);
    timer.unref();
    request.raw.once('end', () => clearTimeout(timer));
  });
}

async function download(c: RouteContext): Promise<unknown> {
  const { file, open } = await c.app.files.download(c.actor, idParam(c, 'fileId'));
  const { request, reply } = c;
  const etag = `"${file.sha256}"`;
  const image = SAFE_IMAGE_TYPES.has(file.contentType);
  void reply.headers({
    etag,
    'cache-control': 'private, no-cache',
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    // Whatever the bytes are (HTML, SVG …), they never run in pchat's origin.
    'content-security-policy': "default-src 'none'; sandbox",
    'cross-origin-resource-policy': 'same-origin',
  });
  if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send();

  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, file.size) : null;
  if (range === 'unsatisfiable') {
    return reply
      .status(416)
      .header('content-range', `bytes */${file.size}`)
      .send({ error: { code: 'invalid_input', message: `The range is not satisfiable: the file has ${file.size} bytes.`, field: 'range' } });
  }
  const length = range ? range.end - range.start + 1 : file.size;
  // Opened before the content headers are set, so bytes gone missing still answer as JSON.
  const bytes = request.method === 'HEAD' || length === 0 ? null : await open(range ?? undefined);
  void reply.headers({
    'content-type': image ? file.contentType : 'application/octet-stream',
    'content-disposition': `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeFileName(file.name)}`,
    'content-length': String(length),
  });
  if (range) void reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  if (bytes) return reply.send(Readable.from(bytes, { objectMode: false }));
  // HEAD: an empty stream, which fastify's HEAD handling drains without resetting Content-Length.
  return reply.send(request.method === 'HEAD' ? Readable.from([]) : undefined);
}

/** If-None-Match against our one strong ETag (weak comparison, as RFC 9110 asks for this header). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * One `bytes=` range (first-last, first-, or -suffix) within a file of `size` bytes; null to serve
 * the whole file (no header, several ranges, another unit, or a malformed one, which RFC 9110
 * lets a server ignore); 'unsatisfiable' when it starts beyond the end.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [first, last] = [m[1] ?? '', m[2] ?? ''];
  if (first === '') {
    if (last === '') return null;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
