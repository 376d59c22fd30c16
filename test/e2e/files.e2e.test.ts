import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FILE_SWEEP_GRACE_MS, sweepOrphanFiles } from '../../src/app/fileSweep.js';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { FrameworkClient } from '../irc/clients.js';

/** Files in rooms over real sockets: multipart upload, download with ranges and ETags, and every door; on both stores. */
for (const backend of ['sqlite', 'postgres'] as const) describe(`files in rooms (${backend})`, () => {
  let cluster: PostgresCluster | null = null;
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let carol: { id: number; api: Api };
  const rooms = { plan: 0, secret: 0, hall: 0, noFiles: 0, live: 0, big: 0, moderated: 0 };
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (open.push(c), c);

  before(async () => {
    if (backend === 'postgres') cluster = await startPostgres();
    // PostgreSQL keeps the bytes in the database (what a pool shares); SQLite in a directory under dataDir.
    server = await startTestServer(cluster ? { database: await cluster.createSchema() } : {});
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    carol = await createUser(admin, 'carol@example.com', { displayName: 'Carol' });
    const everyone = [user(alice.id), user(bob.id), user(carol.id)];
    const files = await createCategory(admin, 'Files', { allowed: everyone });
    const noFiles = await createCategory(admin, 'No files', { allowed: everyone, fileUpload: false });
    const live = await createCategory(admin, 'Live only', { allowed: everyone, chatHistory: false });
    rooms.plan = await createRoom(admin, 'plan', files, { members: [user(alice.id), user(bob.id)] });
    rooms.secret = await createRoom(admin, 'secret', files, { privacy: 'secret', members: [user(alice.id)] });
    rooms.hall = await createRoom(admin, 'hall', files, { privacy: 'open', type: 'auditorium', presenters: [user(alice.id)] });
    rooms.noFiles = await createRoom(admin, 'no files', noFiles, { privacy: 'open' });
    rooms.live = await createRoom(admin, 'live', live, { privacy: 'open' });
    rooms.big = await createRoom(admin, 'big', files, { members: [user(alice.id)] });
    rooms.moderated = await createRoom(admin, 'moderated', files, { members: [user(alice.id), user(bob.id)] });
  });
  after(async () => {
    for (const c of open) c.close();
    await server?.stop();
    await cluster?.stop();
  });

  /** A real multipart upload through fetch (FormData and Blob), fields before the file. */
  const upload = async (api: Api, roomId: number, bytes: Uint8Array, name: string, type = 'application/octet-stream', fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([bytes], { type }), name);
    const res = await fetch(`${server.url}/api/v1/rooms/${roomId}/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.token}` } });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url + path, { headers });
    return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const bearer = (api: Api) => ({ authorization: `Bearer ${api.token}` });
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const json = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString('utf8'));
  /** The blobs the store holds (through its port), and temp files of uploads under way in the data directory. */
  const stored = async () => ({
    blobs: await server.app.context.store.blobs.list(null, 10_000),
    temps: readdirSync(server.dataDir, { recursive: true }).map(String).filter((n) => /\.part$/.test(n)),
  });

  it('uploads and downloads: bytes, headers, ranges, ETag/304, cookie or token, idempotent clientId', async () => {
    const bytes = randomBytes(300_000);
    const up = await upload(alice.api, rooms.plan, bytes, 'C:\\Users\\alice\\Q3 report.pdf', 'application/pdf', { text: 'the numbers', clientId: 'f-1' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const { file, message } = up.body;
    assert.deepEqual(file, { id: file.id, name: 'Q3 report.pdf', contentType: 'application/pdf', size: bytes.length, sha256: sha256(bytes), url: `/api/v1/files/${file.id}/Q3%20report.pdf` });
    assert.equal(message.text, 'the numbers');
    assert.deepEqual(message.file, file);
    assert.equal(message.clientId, 'f-1');

    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${rooms.plan}/messages`), 200);
    assert.deepEqual(history.messages.at(-1).file, file, 'history carries the file');

    const full = await get(file.url, bearer(bob.api));
    assert.equal(full.status, 200);
    assert.ok(Buffer.from(full.bytes).equals(bytes), 'the same bytes');
    assert.equal(full.headers.get('content-length'), String(bytes.length));
    assert.equal(full.headers.get('content-type'), 'application/octet-stream', 'a PDF is not a safe image: opaque bytes');
    assert.equal(full.headers.get('content-disposition'), "attachment; filename*=UTF-8''Q3%20report.pdf");
    assert.equal(full.headers.get('etag'), `"${file.sha256}"`);
    assert.equal(full.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(full.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    assert.equal(full.headers.get('accept-ranges'), 'bytes');

    const byId = await get(`/api/v1/files/${file.id}`, { cookie: `pchat_session=${bob.api.token}` });
    assert.equal(byId.status, 200, 'the session cookie signs in too, and the name is cosmetic');
    assert.ok(Buffer.from(byId.bytes).equals(bytes));
    assert.equal((await get(`/api/v1/files/${file.id}/anything.txt`, bearer(bob.api))).status, 200);
    const head = await fetch(server.url + file.url, { method: 'HEAD', headers: bearer(bob.api) });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length), 'HEAD tells the size');
    const anonymous = await get(file.url);
    assert.equal(anonymous.status, 401);
    assert.equal(json(anonymous.bytes).error.code, 'unauthenticated');

    const part = await get(file.url, { ...bearer(bob.api), range: 'bytes=1000-1999' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
    assert.equal(part.headers.get('content-length'), '1000');
    assert.ok(Buffer.from(part.bytes).equals(bytes.subarray(1000, 2000)));
    const tail = await get(file.url, { ...bearer(bob.api), range: 'bytes=-10' });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(tail.bytes).equals(bytes.subarray(bytes.length - 10)));
    const rest = await get(file.url, { ...bearer(bob.api), range: `bytes=${bytes.length - 5}-` });
    assert.equal(rest.headers.get('content-range'), `bytes ${bytes.length - 5}-${bytes.length - 1}/${bytes.length}`);
    const beyond = await get(file.url, { ...bearer(bob.api), range: `bytes=${bytes.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${bytes.length}`);
    const stale = await get(file.url, { ...bearer(bob.api), range: 'bytes=0-9', 'if-range': '"other"' });
    assert.equal(stale.status, 200, 'If-Range with another ETag: the whole file');

    const cached = await get(file.url, { ...bearer(bob.api), 'if-none-match': `"${file.sha256}"` });
    assert.equal(cached.status, 304);
    assert.equal(cached.bytes.length, 0);
    assert.equal((await get(file.url, { ...bearer(bob.api), 'if-none-match': '"something-else"' })).status, 200);

    const again = await upload(alice.api, rooms.plan, bytes, 'Q3 report.pdf', 'application/pdf', { text: 'the numbers', clientId: 'f-1' });
    assert.equal(again.status, 200, 'a retry with the same clientId is stored once');
    assert.equal(again.body.duplicate, true);
    assert.equal(again.body.file.id, file.id);
    assert.equal(expectStatus(await bob.api.get(`/api/v1/rooms/${rooms.plan}/messages`), 200).messages.filter((m: any) => m.file).length, 1);
  });

  it('serves safe images inline with their type, and HTML (or anything else) as a sandboxed attachment', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const image = expectStatusOf(await upload(alice.api, rooms.plan, png, 'dot.png', 'image/png'), 201);
    assert.equal(image.message.text, 'dot.png', 'without a caption the text is the name');
    const shown = await get(image.file.url, bearer(alice.api));
    assert.equal(shown.headers.get('content-type'), 'image/png');
    assert.equal(shown.headers.get('content-disposition'), "inline; filename*=UTF-8''dot.png");
    assert.equal(shown.headers.get('x-content-type-options'), 'nosniff');

    const html = Buffer.from('<!doctype html><script>fetch("/api/v1/me")</script><h1>hi</h1>');
    const page = expectStatusOf(await upload(alice.api, rooms.plan, html, 'évil page.html', 'text/html; charset=utf-8'), 201);
    assert.equal(page.file.contentType, 'text/html', 'the type is kept (parameters dropped), never trusted');
    const got = await get(page.file.url, bearer(alice.api));
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/octet-stream');
    assert.equal(got.headers.get('content-disposition'), "attachment; filename*=UTF-8''%C3%A9vil%20page.html");
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(got.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    assert.ok(Buffer.from(got.bytes).equals(html));

    const svg = expectStatusOf(await upload(alice.api, rooms.plan, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'x.svg', 'image/svg+xml'), 201);
    const svgGot = await get(svg.file.url, bearer(alice.api));
    assert.equal(svgGot.headers.get('content-type'), 'application/octet-stream', 'SVG is not a safe image');
    assert.match(svgGot.headers.get('content-disposition') ?? '', /^attachment;/);

    const odd = expectStatusOf(await upload(alice.api, rooms.plan, Buffer.from('x'), 'odd.bin', 'not a type'), 201);
    assert.equal(odd.file.contentType, 'application/octet-stream');
  });

  it("hides a secret room's files from outsiders (upload and download): the same not_found as a missing file", async () => {
    const secret = expectStatusOf(await upload(alice.api, rooms.secret, Buffer.from('classified'), 'plan.txt', 'text/plain'), 201);
    const refusedUpload = await upload(carol.api, rooms.secret, Buffer.from('x'), 'x.txt');
    assert.equal(refusedUpload.status, 404);
    assert.equal(refusedUpload.body.error.code, 'room_not_found');
    const refusedDownload = await get(secret.file.url, bearer(carol.api));
    const missing = await get('/api/v1/files/999999/none.txt', bearer(carol.api));
    // To an outsider, a secret room's file and a file id that does not exist are the same answer.
    assert.equal(refusedDownload.status, 404);
    assert.equal(missing.status, 404);
    assert.deepEqual(json(refusedDownload.bytes), json(missing.bytes));
    assert.equal(json(missing.bytes).error.code, 'not_found');
    assert.equal(json((await get('/api/v1/files/abc', bearer(alice.api))).bytes).error.code, 'invalid_input');
    assert.equal((await get(secret.file.url, bearer(alice.api))).status, 200, 'a member reads it');
    // A closed room's outsider may find the room, so is told they may not read it.
    const notMember = await get(expectStatusOf(await upload(alice.api, rooms.plan, Buffer.from('p'), 'p.txt'), 201).file.url, bearer(carol.api));
    assert.equal(notMember.status, 403);
    assert.equal(json(notMember.bytes).error.code, 'not_permitted');
  });

  it('refuses where files may not be posted, before reading the file: category flag, history-less category, auditorium, bad input', async () => {
    const noFiles = await upload(alice.api, rooms.noFiles, Buffer.from('x'), 'x.txt');
    assert.equal(noFiles.status, 403);
    assert.equal(noFiles.body.error.code, 'not_permitted');
    assert.match(noFiles.body.error.message, /Files cannot be posted in the rooms of category "No files"/);
    const live = await upload(alice.api, rooms.live, Buffer.from('x'), 'x.txt');
    assert.equal(live.status, 403);
    assert.match(live.body.error.message, /keeps no chat history/);
    const audience = await upload(bob.api, rooms.hall, Buffer.from('x'), 'x.txt');
    assert.equal(audience.status, 403);
    assert.match(audience.body.error.message, /Only presenters/);
    assert.equal((await upload(alice.api, rooms.hall, Buffer.from('slides'), 'slides.txt')).status, 201, 'the presenter may');

    const badName = await upload(alice.api, rooms.plan, Buffer.from('x'), 'a\u202Etxt.exe');
    assert.equal(badName.status, 400);
    assert.equal(badName.body.error.field, 'name');
    const noFile = new FormData();
    noFile.append('text', 'where is it');
    const res = await fetch(`${server.url}/api/v1/rooms/${rooms.plan}/files`, { method: 'POST', body: noFile, headers: bearer(alice.api) });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as any).error.field, 'file');
    const asJson = await alice.api.post(`/api/v1/rooms/${rooms.plan}/files`, { file: 'x' });
    assert.equal(asJson.status, 400);
    assert.match(asJson.body.error.message, /multipart\/form-data/);
    const unknown = await upload(alice.api, rooms.plan, Buffer.from('x'), 'x.txt', 'text/plain', { kind: 'story' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.field, 'kind');
  });

  it('cuts an oversized upload off mid-stream with 413 too_large, and keeps nothing', async () => {
    expectStatus(await admin.patch('/api/v1/config', { maxFileSizeKB: 64 }), 200);
    try {
      const before = await stored();
      const messagesBefore = expectStatus(await alice.api.get(`/api/v1/rooms/${rooms.big}/messages`), 200).messages.length;
      const boundary = '----pchat-test-boundary';
      const total = 4 * 1024 * 1024;
      const chunk = randomBytes(16 * 1024);
      let sent = 0;
      let finished = false;
      const answer = await new Promise<{ status: number; body: any; sentWhenAnswered: number }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/api/v1/rooms/${rooms.big}/files`, {
          method: 'POST',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${alice.api.token}` },
        });
        req.on('error', (error) => (finished ? undefined : reject(error)));
        req.on('response', (res) => {
          const sentWhenAnswered = sent;
          finished = true;
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString('utf8')), sentWhenAnswered });
            req.destroy();
          });
        });
        req.write(`--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\ntoo big\r\n`);
        req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
        // A slow sender: 16 KiB every 5 ms, so the answer can come long before the end.
        const pump = () => {
          if (finished) return;
          if (sent >= total) {
            req.end(`\r\n--${boundary}--\r\n`);
            return;
          }
          sent += chunk.length;
          req.write(chunk, () => setTimeout(pump, 5));
        };
        pump();
      });
      assert.equal(answer.status, 413);
      assert.equal(answer.body.error.code, 'too_large');
      assert.match(answer.body.error.message, /at most 64 KB/);
      assert.ok(answer.sentWhenAnswered < total / 2, `answered after ${answer.sentWhenAnswered} of ${total} bytes`);

      const after = await stored();
      assert.deepEqual(after.blobs, before.blobs, 'no blob was kept');
      assert.deepEqual(after.temps, [], 'no temp file is left');
      assert.equal(expectStatus(await alice.api.get(`/api/v1/rooms/${rooms.big}/messages`), 200).messages.length, messagesBefore, 'no message');
      const uploads = expectStatus(await admin.get(`/api/v1/compliance?type=FILEUPLOAD&roomId=${rooms.big}`), 200);
      assert.equal(uploads.events.length, 0);
      // The limit is exact: 64 KiB is accepted, one byte more is not.
      assert.equal((await upload(alice.api, rooms.big, randomBytes(64 * 1024), 'exact.bin')).status, 201);
      assert.equal((await upload(alice.api, rooms.big, randomBytes(64 * 1024 + 1), 'over.bin')).status, 413);
    } finally {
      expectStatus(await admin.patch('/api/v1/config', { maxFileSizeKB: 20_000 }), 200);
    }
  });

  it('removes a file with its message (moderation remove or replace): the download answers not_found', async () => {
    const ws = track(await WsClient.connect(server.url, bob.api.token));
    await ws.call({ type: 'join', roomId: rooms.moderated });
    const leak = expectStatusOf(await upload(alice.api, rooms.moderated, Buffer.from('salary list'), 'salaries.csv', 'text/csv', { text: 'oops salaries' }), 201);
    const other = expectStatusOf(await upload(alice.api, rooms.moderated, Buffer.from('another leak'), 'leak.txt', 'text/plain', { text: 'second leak' }), 201);
    assert.equal((await get(leak.file.url, bearer(bob.api))).status, 200);

    expectStatus(await admin.post('/api/v1/moderation/remove-messages', { roomId: rooms.moderated, keywords: 'salaries', action: 'remove' }), 200);
    const gone = await get(leak.file.url, bearer(bob.api));
    assert.equal(gone.status, 404);
    assert.equal(json(gone.bytes).error.code, 'not_found');

    expectStatus(await admin.post('/api/v1/moderation/remove-messages', { roomId: rooms.moderated, keywords: 'second leak', action: 'replace' }), 200);
    const replaced = await ws.next((f) => f.type === 'messages.replaced');
    assert.equal(replaced.messages[0].file, null, 'the replaced message has no file');
    assert.equal((await get(other.file.url, bearer(bob.api))).status, 404);
    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${rooms.moderated}/messages`), 200);
    assert.ok(history.messages.every((m: any) => m.file === null));

    // The sweep moderation triggers keeps them for its grace period (an upload's put precedes its row) …
    await server.app.files.sweepOrphans();
    const { blobs } = await stored();
    assert.ok(blobs.includes(leak.file.sha256) && blobs.includes(other.file.sha256), 'young bytes stay');
    // … and deletes them once it has passed, leaving the bytes still referenced.
    await sweepOrphanFiles(server.app.context.store, { now: Date.now() + 2 * FILE_SWEEP_GRACE_MS });
    const swept = (await stored()).blobs;
    assert.ok(!swept.includes(leak.file.sha256), 'removed: its bytes are swept');
    assert.ok(!swept.includes(other.file.sha256), 'replaced: its bytes are swept');
    assert.ok(swept.length > 0, 'bytes of files still posted stay');
  });

  it('records FILEUPLOAD and FILEDOWNLOAD in the compliance log', async () => {
    const bytes = Buffer.from('for the auditors');
    const up = expectStatusOf(await upload(alice.api, rooms.plan, bytes, 'audit.txt', 'text/plain'), 201);
    assert.equal((await get(up.file.url, bearer(bob.api))).status, 200);
    const uploads = expectStatus(await admin.get(`/api/v1/compliance?type=FILEUPLOAD&roomId=${rooms.plan}`), 200).events;
    const recorded = uploads.find((e: any) => e.data.fileId === up.file.id);
    assert.ok(recorded, 'FILEUPLOAD');
    assert.equal(recorded.userId, alice.id);
    assert.deepEqual({ name: recorded.data.name, size: recorded.data.size, sha256: recorded.data.sha256 }, { name: 'audit.txt', size: bytes.length, sha256: sha256(bytes) });
    const downloads = expectStatus(await admin.get(`/api/v1/compliance?type=FILEDOWNLOAD&roomId=${rooms.plan}`), 200).events;
    const download = downloads.find((e: any) => e.data.fileId === up.file.id && e.userId === bob.id);
    assert.ok(download, 'FILEDOWNLOAD');
    assert.equal(download.data.sha256, sha256(bytes));
  });

  it('pushes file messages to WebSocket clients with message.file', async () => {
    const ws = track(await WsClient.connect(server.url, bob.api.token));
    await ws.call({ type: 'join', roomId: rooms.plan });
    const up = expectStatusOf(await upload(alice.api, rooms.plan, Buffer.from('live bytes'), 'live.txt', 'text/plain', { text: 'have a look' }), 201);
    const frame = await ws.next((f) => f.type === 'message' && f.message.id === up.message.id);
    assert.equal(frame.message.text, 'have a look');
    assert.deepEqual(frame.message.file, up.file);
    const history = await ws.call({ type: 'history', roomId: rooms.plan, limit: 5 });
    assert.deepEqual(history.messages.at(-1).file, up.file);
  });

  it('shows IRC clients a file line with an absolute link that works with the web session', async () => {
    const irc = track(await FrameworkClient.connect(server.irc[0]?.port ?? 0, 'bob', { account: { account: 'bob@example.com', password: PASSWORD } }, ['server-time']));
    irc.raw('JOIN #plan');
    await irc.next(/ 366 \S+ #plan /);
    const bytes = randomBytes(1_300_000);
    const up = expectStatusOf(await upload(alice.api, rooms.plan, bytes, 'report 2.pdf', 'application/pdf', { text: 'quarterly report' }), 201);
    const link = `${server.url}/api/v1/files/${up.file.id}/report%202.pdf`;
    const caption = await irc.next(/PRIVMSG #plan :quarterly report$/);
    assert.match(caption, /:alice!/);
    const line = await irc.next((l) => l.includes('PRIVMSG #plan :[file] report 2.pdf'));
    assert.ok(line.endsWith(`PRIVMSG #plan :[file] report 2.pdf (1.2 MB) ${link}`), line);
    assert.ok(irc.lines.indexOf(caption) < irc.lines.indexOf(line), 'the file line comes after the caption');
    const fetched = await get(link.slice(server.url.length), { cookie: `pchat_session=${alice.api.token}` });
    assert.equal(fetched.status, 200);
    assert.ok(Buffer.from(fetched.bytes).equals(bytes));

    // Replayed history shows the same line.
    const later = track(await FrameworkClient.connect(server.irc[0]?.port ?? 0, 'alice', { account: { account: 'alice@example.com', password: PASSWORD } }, ['server-time', 'batch']));
    later.raw('JOIN #plan');
    await later.next((l) => l.includes(`:[file] report 2.pdf (1.2 MB) ${link}`));
  });
});

function expectStatusOf(res: { status: number; body: any }, status: number): any {
  if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
