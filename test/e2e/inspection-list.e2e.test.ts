// The console's inspection list at more than a page, in real Chromium: 120 inspections (bulk
// inserts), 50 shown, "Show more" twice reaches all 120 and then goes away, a search by
// registration number finds one, a search that matches nothing says so (not "no inspections
// yet"), and clearing brings the first page back. SCREENSHOT_DIR: the list in both languages, on
// a desktop and on a phone.
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { androidPage, desktopPage, recordErrors, setSessionCookie } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';
import { seedRecords, type SeededInspection } from '../helpers/seed-records';
import { ADMIN } from '../helpers/test-server';

const fx = useFixture({ browsers: 1 });
const SHOTS = process.env.SCREENSHOT_DIR;
const seeded: SeededInspection[] = [];
let browser: Browser;
let cookie: string;
/** Each page's console and page errors, as they come. */
const errorLists: string[][] = [];
const errors = () => errorLists.flat();

beforeAll(async () => {
  browser = fx.browsers[0]!;
  cookie = await fx.server.signIn(ADMIN.username, ADMIN.password);
  await seedRecords(fx.server.db, {
    inspections: 120,
    surveyors: 3,
    years: 1,
    end: new Date('2026-11-30T00:00:00Z'),
    seed: 5,
    onBatch: (rows) => seeded.push(...rows),
  });
});

afterAll(() => {
  if (errors().length) console.log(errors().join('\n'));
});

async function openConsole(lang: 'en' | 'zh-CN', phone = false): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = phone ? await androidPage(context) : await desktopPage(context);
  errorLists.push(recordErrors(page, `list-${lang}`));
  await page.evaluateOnNewDocument((l) => localStorage.setItem('cloudship.lang', l), lang);
  await setSessionCookie(page, cookie, fx.server.url);
  await page.goto(fx.server.url, { waitUntil: 'networkidle0' });
  await page.waitForSelector('[data-testid=inspection-row]');
  return page;
}

const rowCount = (page: Page) => page.$$eval('[data-testid=inspection-row]', (rows) => rows.length);
const countShown = (page: Page) =>
  page.$eval('[data-testid=list-count]', (e) => ({
    n: Number((e as HTMLElement).dataset.count),
    all: (e as HTMLElement).dataset.complete,
  }));

test('50 at a time, Show more to the end, search and clear', async () => {
  const page = await openConsole('en');
  expect(await rowCount(page)).toBe(50);
  expect(await countShown(page)).toEqual({ n: 50, all: 'false' });
  // Latest schedule first: the first row is the newest seeded one.
  const newest = [...seeded].sort((a, b) => b.scheduledAt.getTime() - a.scheduledAt.getTime())[0]!;
  expect(await page.$eval('[data-testid=inspection-row]', (r) => (r as HTMLElement).dataset.id)).toBe(newest.id);

  for (const expected of [100, 120]) {
    await page.click('[data-testid=list-more]');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=inspection-row]').length === n,
      { timeout: 10_000 },
      expected,
    );
  }
  expect(await countShown(page)).toEqual({ n: 120, all: 'true' });
  expect(await page.$eval('[data-testid=list-more]', (b) => (b as HTMLElement).hidden)).toBe(true);
  const ids = await page.$$eval('[data-testid=inspection-row]', (rows) => rows.map((r) => (r as HTMLElement).dataset.id));
  expect(new Set(ids)).toEqual(new Set(seeded.map((s) => s.id)));
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'list-all-en.png'), fullPage: false });

  const target = seeded[77]!;
  await page.type('[data-filter=q]', target.registrationNumber);
  await page.click('[data-testid=list-search]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=inspection-row]').length === 1, { timeout: 10_000 });
  expect(await page.$eval('[data-testid=inspection-row]', (r) => (r as HTMLElement).dataset.id)).toBe(target.id);
  expect(await countShown(page)).toEqual({ n: 1, all: 'true' });

  await page.$eval('[data-filter=q]', (i) => ((i as HTMLInputElement).value = ''));
  await page.type('[data-filter=q]', 'no-such-vessel');
  await page.click('[data-testid=list-search]');
  await page.waitForSelector('[data-testid=list-empty]:not([hidden])');
  expect(await page.$eval('[data-testid=list-empty]', (e) => e.textContent)).toBe('No inspection matches these filters.');

  await page.click('[data-testid=list-clear]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=inspection-row]').length === 50, { timeout: 10_000 });
  expect(await page.$eval('[data-filter=q]', (i) => (i as HTMLInputElement).value)).toBe('');
  expect(errors()).toEqual([]);
});

test('the list and its filters in Chinese, and on a phone', async () => {
  const zh = await openConsole('zh-CN');
  expect(await zh.$eval('[data-testid=list-more]', (b) => b.textContent)).toBe('显示更多');
  expect(await zh.$eval('[data-testid=list-count]', (e) => e.textContent)).toBe('已显示 50 条');
  if (SHOTS) await zh.screenshot({ path: path.join(SHOTS, 'list-zh.png'), fullPage: false });
  const phone = await openConsole('zh-CN', true);
  // Nothing wider than the phone's screen.
  expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
  if (SHOTS) await phone.screenshot({ path: path.join(SHOTS, 'list-phone-zh.png'), fullPage: false });
  const en = await openConsole('en', true);
  if (SHOTS) await en.screenshot({ path: path.join(SHOTS, 'list-phone-en.png'), fullPage: false });
  expect(errors()).toEqual([]);
});
