import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { PASSWORD } from '../helpers/fixtures.js';

/** Debian's Chromium, which .ci/run installs; PCHAT_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.PCHAT_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join('test-artifacts', 'screenshots');

/**
 * Launches headless Chromium. A missing browser fails the test with a clear message: the
 * browser tests are part of the suite, not optional.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. The browser tests need it: apt-get install chromium (.ci/run does), or set PCHAT_CHROMIUM.`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  // playwright-core gives each launch a fresh, temporary profile (user data dir).
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * One person at a browser: their own cookie jar. Every request the page makes is recorded, so a
 * test can assert that nothing left the pchat server; page errors fail the test.
 */
export class Person {
  readonly foreignRequests: string[] = [];
  readonly pageErrors: string[] = [];
  /** What the browser logged as an error (a failed request included), and the answers of 400 and up. */
  readonly consoleErrors: string[] = [];
  readonly failedResponses: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== new URL(baseUrl).origin && url.protocol !== 'data:' && url.protocol !== 'about:') this.foreignRequests.push(request.url());
    });
    page.on('pageerror', (error) => this.pageErrors.push(String(error)));
    page.on('console', (message) => void (message.type() === 'error' && this.consoleErrors.push(message.text())));
    page.on('response', (response) => void (response.status() >= 400 && this.failedResponses.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`)));
  }

  /** `timezoneId` and `locale` set the browser's (e.g. to test local days); by default the machine's. */
  static async open(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }, options: { timezoneId?: string; locale?: string } = {}): Promise<Person> {
    const context = await browser.newContext({ viewport, reducedMotion: 'reduce', ...options });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return new Person(context, page, baseUrl);
  }

  async signIn(login: string, password = PASSWORD): Promise<void> {
    await this.page.goto(this.baseUrl);
    await this.page.getByLabel('Login').fill(login);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.locator('.topbar').waitFor();
    await this.page.locator('.banner.connecting').waitFor({ state: 'detached' });
  }

  async goto(hash: string): Promise<void> {
    await this.page.evaluate((h) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = h;
    }, hash);
  }

  /** Opens a room and waits until its history is shown. */
  async openRoom(roomId: number): Promise<void> {
    await this.goto(`#/room/${roomId}`);
    await this.page.locator('.room-main .messages[aria-busy="false"]').waitFor();
  }

  async post(text: string): Promise<void> {
    const box = this.page.locator('.composer textarea');
    await box.fill(text);
    await box.press('Enter');
  }

  /** The texts of the messages shown, in order. */
  texts(): Promise<string[]> {
    return this.page.locator('.msg-list li.msg:not(.pending) .text').allInnerTexts();
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  }

  /** A screenshot named by the window's width too (`screens-room-390.png`), for the set of every screen at each width. */
  async screen(name: string): Promise<void> {
    await this.screenshot(`screens-${name}-${this.page.viewportSize()?.width ?? 0}`);
  }

  /** Nothing logged as an error in the console and no answer of 400 or more: a clean page load. */
  assertQuiet(): void {
    assert.deepEqual(this.consoleErrors, [], 'the console logged errors');
    assert.deepEqual(this.failedResponses, [], 'requests failed');
  }

  /** Nothing was fetched from elsewhere, and no script error happened. */
  assertClean(): void {
    assert.deepEqual(this.foreignRequests, [], 'the client made requests to other origins');
    assert.deepEqual(this.pageErrors, [], 'the page had script errors');
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** Everyone a test suite opened a browser for, closed together at the end. */
export class People {
  private readonly open: Person[] = [];

  constructor(private readonly where: () => { browser: Browser; url: string }) {}

  /** A person at a fresh browser, not signed in. */
  async stranger(viewport?: { width: number; height: number }): Promise<Person> {
    const { browser, url } = this.where();
    const p = await Person.open(browser, url, viewport);
    this.open.push(p);
    return p;
  }

  /** A person at a fresh browser, signed in. */
  async signedIn(login: string, viewport?: { width: number; height: number }, password?: string): Promise<Person> {
    const p = await this.stranger(viewport);
    await p.signIn(login, password);
    return p;
  }

  async closeAll(): Promise<void> {
    for (const p of this.open.splice(0)) await p.close();
  }
}
