import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, People, type Person } from './browser.js';

/** The largest file the test server takes, set through the API. */
const LIMIT_KB = 900;

/** A real PNG (a colour gradient), so the preview has pixels to show. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) rows.set([Math.round((x / width) * 255), Math.round((y / height) * 255), 180], row + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Waits until a page expression is true. (waitForFunction would evaluate it with eval, which the
 * page's CSP forbids; page.evaluate does not.)
 */
async function until(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A page expression for a DataTransfer holding one file, as a drop or a paste carries it. */
const transfer = (name: string, type: string, bytes: Buffer) =>
  `(() => { const dt = new DataTransfer(); dt.items.add(new File([Uint8Array.from(atob('${bytes.toString('base64')}'), (c) => c.charCodeAt(0))], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} })); return dt; })()`;

/** Chooses files through the composer's attach button (the real file chooser). */
async function attachByButton(p: Person, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  const [chooser] = await Promise.all([p.page.waitForEvent('filechooser'), p.page.getByRole('button', { name: /^Attach files/ }).click()]);
  await chooser.setFiles(files);
}

/** Slows this page's uploads (DevTools network throttling), so progress can be watched. */
async function throttleUploads(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
}

describe('web client: files in rooms', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let design: number;
  let quiet: number;
  let stage: number;
  const people = new People(() => ({ browser, url: server.url }));
  const person = (login: string, viewport?: { width: number; height: number }) => people.signedIn(login, viewport);
  const fileUploads: string[] = [];
  const watchUploads = (p: Person) =>
    p.page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/v1\/rooms\/\d+\/files$/.test(new URL(r.url()).pathname)) fileUploads.push(r.url());
    });

  const report = { name: 'report.pdf', mimeType: 'application/pdf', buffer: randomBytes(800 * 1024) };
  const logo = { name: 'logo.png', mimeType: 'image/png', buffer: png(240, 160) };

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    expectStatus(await admin.patch('/api/v1/config', { maxFileSizeKB: LIMIT_KB }), 200);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    const both = [user(alice.id), user(bob.id)];
    const team = await createCategory(admin, 'Engineering', { allowed: both });
    const noFiles = await createCategory(admin, 'Text only', { allowed: both, fileUpload: false });
    design = await createRoom(admin, 'design', team, { members: both, description: 'Mock-ups and specs' });
    quiet = await createRoom(admin, 'quiet', noFiles, { members: both });
    stage = await createRoom(admin, 'stage', team, { type: 'auditorium', presenters: [user(alice.id)], members: both });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  it('uploads a file with progress and cancel; the card reaches another user live, and its link returns the bytes', async () => {
    const a = await person('alice@example.com');
    const b = await person('bob@example.com');
    watchUploads(a);
    await a.openRoom(design);
    await b.openRoom(design);

    // Slowly, so progress shows; then cancel: nothing is posted.
    await throttleUploads(a.page, 160 * 1024);
    await attachByButton(a, [report]);
    const row = a.page.locator('.upload', { hasText: 'report.pdf' });
    const bar = row.getByRole('progressbar', { name: 'Uploading report.pdf' });
    await until(a.page, `(() => { const p = document.querySelector('.upload progress'); return p !== null && p.value > 0 && p.value < 100; })()`);
    const partway = await bar.evaluate((el) => Number((el as unknown as { value: number }).value));
    assert.ok(partway > 0 && partway < 100, `progress shows part of the upload (${partway}%)`);
    await a.screenshot('files-01-upload-progress');
    await row.getByRole('button', { name: 'Cancel uploading report.pdf' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal(fileUploads.length, 1);

    // Again, to the end: progress reaches 100 % and the row goes once the server has stored it.
    await attachByButton(a, [report]);
    await until(a.page, `document.querySelector('.upload progress')?.value > 0`);
    await a.page.locator('.upload').waitFor({ state: 'detached', timeout: 30_000 });
    await throttleUploads(a.page, -1);
    const card = b.page.locator('.msg .file-card', { hasText: 'report.pdf' });
    await card.waitFor();
    assert.match(await card.innerText(), /800 KB · PDF/);
    await a.page.locator('.msg .file-card', { hasText: 'report.pdf' }).waitFor();
    assert.equal(await b.page.locator('.msg .file-card').count(), 1, 'the cancelled upload left nothing behind');
    // No caption: the card is the whole message (the file name is not repeated as text).
    assert.equal(await b.page.locator('.msg', { has: b.page.locator('.file-card') }).locator('.text').count(), 0);

    const download = card.getByRole('link', { name: /^Download report\.pdf/ });
    assert.equal(await download.getAttribute('download'), 'report.pdf');
    const href = (await download.getAttribute('href'))!;
    assert.match(href, /^\/api\/v1\/files\/\d+\/report\.pdf$/);
    const fetched = await b.page.evaluate<{ status: number; disposition: string | null; size: number; sha256: string }>(`(async () => {
      const r = await fetch(${JSON.stringify(href)});
      const bytes = new Uint8Array(await r.arrayBuffer());
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return { status: r.status, disposition: r.headers.get('content-disposition'), size: bytes.length, sha256: [...digest].map((x) => x.toString(16).padStart(2, '0')).join('') };
    })()`);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.size, report.buffer.length);
    assert.equal(fetched.sha256, sha256(report.buffer), 'the download link returns exactly the bytes uploaded');
    assert.match(fetched.disposition ?? '', /^attachment/);
    a.assertClean();
    b.assertClean();
  });

  it('shows an image with a caption as a preview that opens it, by keyboard too', async () => {
    const a = await person('alice@example.com');
    const b = await person('bob@example.com');
    await a.openRoom(design);
    await b.openRoom(design);
    await a.page.locator('.composer textarea').fill('The new logo, as discussed');
    await attachByButton(a, [logo]);
    const msg = b.page.locator('.msg', { has: b.page.locator('.file-card', { hasText: 'logo.png' }) });
    await msg.waitFor();
    assert.equal(await msg.locator('.text').innerText(), 'The new logo, as discussed', 'what was typed became the caption');
    assert.equal(await a.page.locator('.composer textarea').inputValue(), '', 'and left the composer');
    const img = msg.locator('.file-preview img');
    await img.waitFor();
    assert.equal(await img.getAttribute('loading'), 'lazy');
    await until(b.page, `(() => { const i = document.querySelector('.file-preview img'); return i !== null && i.complete && i.naturalWidth === 240; })()`);
    const box = (await img.boundingBox())!;
    assert.ok(box.height <= 200 && box.width <= 460, `the preview is bounded (${box.width}×${box.height})`);
    assert.match(await msg.locator('.file-card').innerText(), /KB · PNG image/);
    // The preview is a link to the image; it takes keyboard focus, and opens the image.
    const open = msg.getByRole('link', { name: 'Open the image logo.png' });
    await open.focus();
    const focused = () => b.page.evaluate<string>(`document.activeElement?.getAttribute('aria-label') ?? ''`);
    assert.equal(await focused(), 'Open the image logo.png');
    const [tab] = await Promise.all([b.context.waitForEvent('page'), b.page.keyboard.press('Enter')]);
    await tab.waitForLoadState();
    assert.match(tab.url(), /\/api\/v1\/files\/\d+\/logo\.png$/);
    await tab.close();
    await b.page.keyboard.press('Tab');
    assert.match(await focused(), /^Download logo\.png/);
    await b.screenshot('files-02-room-with-file-and-image');
    await b.page.setViewportSize({ width: 390, height: 780 });
    await msg.scrollIntoViewIfNeeded();
    assert.ok(await b.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), 'no sideways scrolling at phone width');
    await b.screenshot('files-03-phone');
    a.assertClean();
    b.assertClean();
  });

  it('refuses a file over maxFileSizeKB before uploading it, saying the limit', async () => {
    const a = await person('alice@example.com');
    watchUploads(a);
    await a.openRoom(design);
    const before = fileUploads.length;
    await attachByButton(a, [{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1536 * 1024) }]);
    const error = a.page.locator('.composer .upload .error');
    await error.waitFor();
    assert.match(await error.innerText(), /huge\.bin was not posted\. It is 1\.5 MB; the largest file pchat accepts is 900 KB\./);
    assert.match(await error.innerText(), /too_large/);
    assert.equal(fileUploads.length, before, 'nothing was sent');
    await a.screenshot('files-04-too-large');
    await a.page.getByRole('button', { name: 'Dismiss the message about huge.bin' }).click();
    await error.waitFor({ state: 'detached' });
    a.assertClean();
  });

  it('shows the server refusing a file when the limit was lowered after sign-in, with the new limit', async () => {
    const a = await person('alice@example.com');
    await a.openRoom(design);
    expectStatus(await admin.patch('/api/v1/config', { maxFileSizeKB: 100 }), 200);
    try {
      await attachByButton(a, [{ name: 'slides.pdf', mimeType: 'application/pdf', buffer: randomBytes(500 * 1024) }]);
      const error = a.page.locator('.composer .upload .error');
      await error.waitFor();
      assert.match(await error.innerText(), /slides\.pdf was not posted\. It is 500 KB; the largest file pchat accepts is 100 KB\./);
      assert.match(await error.innerText(), /too_large/);
      assert.equal(await a.page.locator('.upload').getByRole('button', { name: 'Retry' }).count(), 0, 'a refused file is not offered again');
    } finally {
      expectStatus(await admin.patch('/api/v1/config', { maxFileSizeKB: LIMIT_KB }), 200);
    }
    a.assertClean();
  });

  it('takes files dropped on the room and images pasted into the composer', async () => {
    const a = await person('alice@example.com');
    const b = await person('bob@example.com');
    await a.openRoom(design);
    await b.openRoom(design);
    const dropped = await a.page.evaluateHandle(transfer('minutes.txt', 'text/plain', Buffer.from('minutes of the design review\n')));
    await a.page.dispatchEvent('.room-main', 'dragenter', { dataTransfer: dropped });
    await a.page.locator('.drop-overlay', { hasText: 'Drop to post in design' }).waitFor();
    await a.screenshot('files-05-drop-overlay');
    await a.page.dispatchEvent('.room-main', 'drop', { dataTransfer: dropped });
    await a.page.locator('.drop-overlay').waitFor({ state: 'detached' });
    await b.page.locator('.file-card', { hasText: 'minutes.txt' }).waitFor();

    const clipboard = await a.page.evaluateHandle(transfer('image.png', 'image/png', logo.buffer));
    await a.page.locator('.composer textarea').evaluate(
      (el, dt) => el.dispatchEvent(new (globalThis as unknown as { ClipboardEvent: new (type: string, init: object) => Event }).ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true })),
      clipboard,
    );
    await b.page.locator('.file-card', { hasText: 'image.png' }).locator('.file-preview img').waitFor();
    a.assertClean();
    b.assertClean();
  });

  it('offers no attaching where the user may not post or the category takes no files, and says why a drop is refused', async () => {
    const b = await person('bob@example.com');
    watchUploads(b);
    await b.openRoom(stage);
    await b.page.locator('.composer.disabled').waitFor();
    assert.equal(await b.page.getByRole('button', { name: /^Attach files/ }).count(), 0, 'no attaching in an auditorium for a listener');

    await b.openRoom(quiet);
    await b.page.locator('.composer textarea:not([disabled])').waitFor();
    // The room view says the category takes no files: no button; a drop is refused here, unsent.
    assert.equal(await b.page.getByRole('button', { name: /^Attach files/ }).count(), 0, 'no attaching where the category takes no files');
    const before = fileUploads.length;
    const dt = await b.page.evaluateHandle(transfer('notes.txt', 'text/plain', Buffer.from('x')));
    await b.page.dispatchEvent('.room-main', 'dragenter', { dataTransfer: dt });
    await b.page.locator('.drop-overlay.refused', { hasText: 'Files may not be posted in this room' }).waitFor();
    await b.page.dispatchEvent('.room-main', 'drop', { dataTransfer: dt });
    const error = b.page.locator('.composer .upload .error');
    await error.waitFor();
    assert.match(await error.innerText(), /not_permitted/);
    assert.match(await error.innerText(), /notes\.txt was not posted\. Files may not be posted in this room: its category does not allow them\./);
    assert.equal(fileUploads.length, before, 'nothing was sent');
    await b.screenshot('files-06-not-allowed');
    assert.equal((await bob.api.get(`/api/v1/rooms/${quiet}/messages`)).body.messages.length, 0);
    b.assertClean();
  });
});
