import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { seriousViolations } from './axe.js';
import { launchBrowser, People } from './browser.js';

/** Editing and deleting one's own messages in the web client, seen live in a second browser. */
describe('web client: fixing what one wrote', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Api;
  let roomId: number;
  const people = new People(() => ({ browser, url: server.url }));

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice Liddell' });
    const bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob Builder' });
    const category = await createCategory(admin, 'Team', { allowed: [user(alice.id), user(bob.id)] });
    roomId = await createRoom(admin, 'planning', category, { members: [user(alice.id), user(bob.id)] });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  it('edits inline (Enter saves, Escape cancels) and deletes after asking; the other browser sees both live', async () => {
    const a = await people.signedIn('alice@example.com');
    const b = await people.signedIn('bob@example.com');
    await a.openRoom(roomId);
    await b.openRoom(roomId);
    await b.post('a message of bob');
    await a.post('teh meeting moved to 3');
    const mine = a.page.locator('li.msg', { hasText: 'teh meeting moved to 3' });
    await b.page.locator('li.msg', { hasText: 'teh meeting moved to 3' }).waitFor();
    assert.equal(await a.page.locator('li.msg', { hasText: 'a message of bob' }).getByRole('button', { name: 'Edit your message' }).count(), 0, "no Edit on someone else's message");
    assert.equal(await b.page.locator('li.msg', { hasText: 'teh meeting moved to 3' }).getByRole('button', { name: /Edit|Delete/ }).count(), 0, "bob gets no Edit or Delete on alice's message");

    // Escape leaves the message as it was.
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit your message' }).click();
    const editor = mine.getByLabel('New text of your message');
    assert.equal(await editor.inputValue(), 'teh meeting moved to 3');
    await editor.fill('something else entirely');
    await editor.press('Escape');
    await editor.waitFor({ state: 'detached' });
    assert.ok((await a.texts()).includes('teh meeting moved to 3'));

    // Enter saves; both browsers show the new text marked "(edited)".
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit your message' }).click();
    await mine.getByLabel('New text of your message').fill('the meeting moved to 4');
    await a.screenshot('own-messages-editing');
    await mine.getByLabel('New text of your message').press('Enter');
    const seenByBob = b.page.locator('li.msg', { hasText: 'the meeting moved to 4' });
    await seenByBob.locator('.edited', { hasText: '(edited)' }).waitFor();
    await a.page.locator('li.msg', { hasText: 'the meeting moved to 4' }).locator('.edited').waitFor();
    assert.ok(!(await b.texts()).some((t) => t.includes('teh meeting')), 'the old text is gone from the other browser');
    await b.screenshot('own-messages-edited-seen-by-other');

    // Delete asks first; "Keep it" keeps it.
    const edited = a.page.locator('li.msg', { hasText: 'the meeting moved to 4' });
    await edited.hover();
    await a.screenshot('own-messages-actions');
    await edited.getByRole('button', { name: 'Delete your message' }).click();
    await edited.getByText('Delete this message for everyone?').waitFor();
    await a.screenshot('own-messages-confirm-delete');
    await edited.getByRole('button', { name: 'Keep it' }).click();
    await edited.hover();
    await edited.getByRole('button', { name: 'Delete your message' }).click();
    await edited.getByRole('button', { name: 'Delete', exact: true }).click();
    await a.page.locator('li.msg', { hasText: 'the meeting moved to 4' }).waitFor({ state: 'detached' });
    await b.page.locator('li.msg', { hasText: 'the meeting moved to 4' }).waitFor({ state: 'detached' });
    assert.deepEqual(await b.texts(), ['a message of bob']);

    const records = expectStatus(await admin.get(`/api/v1/compliance?roomId=${roomId}`), 200).events.filter((e: { type: string }) => e.type === 'EDIT' || e.type === 'DELETE');
    assert.deepEqual(
      records.map((e: { type: string; data: { previousText?: string; text: string } }) => [e.type, e.data.previousText ?? null, e.data.text]),
      [
        ['EDIT', 'teh meeting moved to 3', 'the meeting moved to 4'],
        ['DELETE', null, 'the meeting moved to 4'],
      ],
    );
    a.assertClean();
    b.assertClean();
  });

  it('answers a message with Reply: the composer says whom (Escape cancels), the reply quotes and links its parent, which counts its replies, live in both browsers', async () => {
    const a = await people.signedIn('alice@example.com');
    const b = await people.signedIn('bob@example.com');
    await a.openRoom(roomId);
    await b.openRoom(roomId);
    await b.post('who takes the release notes this week?');
    const parentA = a.page.locator('li.msg', { hasText: 'who takes the release notes this week?' });
    await parentA.waitFor();

    // Reply puts the composer in reply mode and the focus in it; Escape leaves that mode.
    await parentA.hover();
    await parentA.getByRole('button', { name: 'Reply to Bob Builder' }).click();
    const replying = a.page.locator('.replying-to');
    await replying.getByText('Replying to').waitFor();
    assert.match((await replying.textContent()) ?? '', /Replying to Bob Builder: who takes the release notes this week\?/);
    assert.equal(await a.page.evaluate<string>('document.activeElement?.id ?? ""'), `compose-${roomId}`, 'the focus is in the composer');
    await a.page.keyboard.press('Escape');
    await replying.waitFor({ state: 'detached' });

    await parentA.hover();
    await parentA.getByRole('button', { name: 'Reply to Bob Builder' }).click();
    await a.screenshot('replies-composing');
    await a.post('I will take them');
    await replying.waitFor({ state: 'detached' });
    for (const p of [a, b]) {
      const reply = p.page.locator('li.msg', { hasText: 'I will take them' });
      const context = reply.locator('.reply-context a');
      await context.waitFor();
      assert.equal(await context.getAttribute('aria-label'), 'Reply to Bob Builder: who takes the release notes this week? (show that message)');
      await p.page.locator('li.msg', { hasText: 'who takes the release notes this week?' }).locator('.reply-count', { hasText: '1 reply' }).waitFor();
    }
    await b.screenshot('replies-seen-by-other');
    // The link opens the parent in context.
    await b.page.locator('li.msg', { hasText: 'I will take them' }).locator('.reply-context a').click();
    await b.page.waitForURL(/#\/room\/\d+\/m\/\d+$/);
    await b.page.locator('li.msg.focused', { hasText: 'who takes the release notes this week?' }).waitFor();
    a.assertClean();
    b.assertClean();
  });

  const focusedLabel = (p: { page: { evaluate<T>(script: string): Promise<T> } }) => p.page.evaluate<string>(`document.activeElement?.getAttribute('aria-label') ?? ''`);

  it('reacts from the picker by keyboard and by clicking a chip; chips count, name who reacted, show one’s own pressed, and change live in the other browser', async () => {
    const a = await people.signedIn('alice@example.com');
    const b = await people.signedIn('bob@example.com');
    await a.openRoom(roomId);
    await b.openRoom(roomId);
    await b.post('shall we ship on friday?');
    const rowA = a.page.locator('li.msg', { hasText: 'shall we ship on friday?' });
    const rowB = b.page.locator('li.msg', { hasText: 'shall we ship on friday?' });
    await rowA.waitFor();

    // The picker by keyboard: it opens on its first emoji; arrows move, Enter picks and closes it.
    await rowA.hover();
    await rowA.getByRole('button', { name: 'Add reaction' }).click();
    const picker = rowA.getByRole('group', { name: 'Pick a reaction' });
    await picker.waitFor();
    assert.equal(await focusedLabel(a), 'React with 👍');
    await a.screenshot('reactions-picker');
    assert.deepEqual(await seriousViolations(a.page), [], 'axe-core: the picker open');
    for (let i = 0; i < 4; i++) await a.page.keyboard.press('ArrowRight');
    assert.equal(await focusedLabel(a), 'React with 🎉');
    await a.page.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached' });
    const aliceChip = rowA.getByRole('button', { name: /^🎉 1: Alice Liddell/ });
    await aliceChip.waitFor();
    assert.equal(await aliceChip.getAttribute('aria-pressed'), 'true', 'one’s own reaction is pressed');
    const bobChip = rowB.getByRole('button', { name: /^🎉 1: Alice Liddell/ });
    await bobChip.waitFor();
    assert.deepEqual([await bobChip.getAttribute('aria-pressed'), await bobChip.getAttribute('title')], ['false', '🎉 Alice Liddell'], 'live in the other browser, not pressed there');

    // A click on the chip reacts too; both browsers count two and name both.
    await bobChip.click();
    await rowB.getByRole('button', { name: /^🎉 2: Alice Liddell, Bob Builder/, pressed: true }).waitFor();
    await rowA.getByRole('button', { name: /^🎉 2: Alice Liddell, Bob Builder/, pressed: true }).waitFor();
    await b.screenshot('reactions-chips');
    assert.deepEqual(await seriousViolations(b.page), [], 'axe-core: the chips');

    // Escape closes the picker without reacting and gives the focus back to its button.
    await rowA.hover();
    await rowA.getByRole('button', { name: 'Add reaction' }).click();
    await picker.waitFor();
    await a.page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    assert.equal(await focusedLabel(a), 'Add reaction');

    // Clicking one's own chip takes it back, for everyone.
    await rowA.getByRole('button', { name: /^🎉 2:/ }).click();
    await rowB.getByRole('button', { name: /^🎉 1: Bob Builder/ }).waitFor();
    await rowA.getByRole('button', { name: /^🎉 1: Bob Builder/, pressed: false }).waitFor();
    a.assertClean();
    b.assertClean();
  });

  it("offers no Edit or Delete when the policy is 'off', and shows the server's refusal when the window closed meanwhile", async () => {
    const a = await people.signedIn('alice@example.com');
    await a.openRoom(roomId);
    await a.post('written while editing was allowed');
    const m = a.page.locator('li.msg', { hasText: 'written while editing was allowed' });
    await m.hover();
    await m.getByRole('button', { name: 'Edit your message' }).click();
    try {
      expectStatus(await admin.patch('/api/v1/config', { editOwnMessages: 'off' }), 200);
      await m.getByLabel('New text of your message').fill('too late now');
      await m.getByLabel('New text of your message').press('Enter');
      await m.getByRole('alert').filter({ hasText: 'switched off' }).waitFor();
      assert.ok((await a.texts()).includes('written while editing was allowed'));
      // A fresh page load reads the policy: no buttons at all.
      const fresh = await people.signedIn('alice@example.com');
      await fresh.openRoom(roomId);
      const row = fresh.page.locator('li.msg', { hasText: 'written while editing was allowed' });
      await row.waitFor();
      assert.equal(await row.getByRole('button', { name: /Edit|Delete/ }).count(), 0);
    } finally {
      expectStatus(await admin.patch('/api/v1/config', { editOwnMessages: 15 }), 200);
    }
  });
});
