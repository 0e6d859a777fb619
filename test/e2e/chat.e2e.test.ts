// Browser end to end for the chat (desktop Chromium for the surveyor at 1366x768, a second Chromium
// emulating a phone at 360x740): a Chinese message typed on the phone (Enter while an input method
// composes does not send) appears on the console, with an unread badge, and in the record; the
// surveyor asks for a document, the phone's prompt sends a PDF from its file input, and the
// surveyor downloads the same bytes; an .exe renamed .pdf is refused with a clear message; the
// phone's chat button shows the surveyor's unread answer.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { androidPage, consoleWithInspection, recordErrors, unexpectedErrors } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

jest.setTimeout(300_000);

const fx = useFixture({ browsers: 2 });
const errors: string[] = [];
const SHOTS = process.env.SCREENSHOT_DIR;
let dir: string;

beforeAll(async () => {
  await fx.account('surveyor', 'qian');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-e2e-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

afterEach(() => {
  if (errors.length) console.log(errors.join('\n'));
});

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Switches the page's language with its own switch, and waits until it applied. */
async function switchLanguage(page: Page, lang: 'zh-CN' | 'en'): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.lang)) !== lang)
    await page.$eval('.lang-switch', (b) => (b as HTMLButtonElement).click());
  await page.waitForFunction((l) => document.documentElement.lang === l, {}, lang);
}

const texts = (page: Page) => page.$$eval('[data-testid=chat-message]', (els) => els.map((e) => e.textContent ?? ''));

test('a Chinese message from the phone reaches the console and the record; a requested PDF arrives; badges count unread', async () => {
  const [surveyorBrowser, crewBrowser] = fx.browsers as [Browser, Browser];
  const {
    page: surveyor,
    link,
    inspectionId,
  } = await consoleWithInspection(
    surveyorBrowser,
    fx.server.url,
    { username: 'qian', password: 'qian-password-123' },
    { vesselName: '浙海之星', registrationNumber: 'ZJ-2026-0404', place: '宁波港' },
    errors,
  );
  await surveyor.click('[data-testid=join-live]');

  const crew = await androidPage(crewBrowser);
  await crew.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  recordErrors(crew, 'crew', errors);
  await crew.goto(link, { waitUntil: 'networkidle0' });
  await crew.$eval('#crew-name', (i) => ((i as HTMLInputElement).value = ''));
  await crew.type('#crew-name', '李船长');
  await crew.click('[data-testid=crew-join]');
  await crew.waitForSelector('[data-testid=peer-list] .peer', { timeout: 60_000 });
  await surveyor.waitForSelector('[data-testid=chat-button]', { visible: true, timeout: 30_000 });

  // The phone: one chat button opens the sheet. Enter while the input method composes picks the
  // characters and sends nothing; the Enter after it sends.
  await crew.click('[data-testid=chat-button]');
  await crew.waitForSelector('[data-testid=chat-panel]', { visible: true });
  await crew.focus('[data-testid=chat-input]');
  await crew.keyboard.sendCharacter('主机舱左舷');
  await crew.$eval('[data-testid=chat-input]', (input) => {
    input.dispatchEvent(new CompositionEvent('compositionstart'));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }));
    input.dispatchEvent(new CompositionEvent('compositionend', { data: '有渗漏' }));
  });
  await crew.keyboard.sendCharacter('有渗漏');
  await new Promise((r) => setTimeout(r, 500));
  expect(await crew.$$('[data-testid=chat-message]')).toHaveLength(0);
  await crew.keyboard.press('Enter');
  await crew.waitForSelector('[data-testid=chat-message][data-role=crew]');
  expect(await crew.$eval('[data-testid=chat-input]', (i) => (i as HTMLInputElement).value)).toBe('');

  // The console: the closed chat counts it; opened, the message shows with the crew's name.
  const badge = await surveyor.waitForSelector('[data-testid=chat-button] [data-testid=chat-unread]', { timeout: 10_000 });
  expect(await badge!.evaluate((b) => b.textContent)).toBe('1');
  await surveyor.click('[data-testid=chat-button]');
  await surveyor.waitForSelector('[data-testid=chat-panel]', { visible: true });
  expect(await surveyor.$('[data-testid=chat-button] [data-testid=chat-unread]')).toBeNull();
  expect((await texts(surveyor)).join('\n')).toContain('主机舱左舷有渗漏');
  // The record holds it with sender and time.
  const history = await surveyor.evaluate(async (id) => (await (await fetch(`/api/inspections/${id}/chat`)).json()).messages, inspectionId);
  expect(history).toEqual([
    expect.objectContaining({ kind: 'text', senderRole: 'crew', text: '主机舱左舷有渗漏', sentAt: expect.any(String) }),
  ]);

  // The docked chat leaves the video on screen.
  const video = await surveyor.$eval('[data-testid=crew-video-area]', (v) => v.getBoundingClientRect().toJSON());
  expect(video.right).toBeLessThanOrEqual(1366);

  // The surveyor asks for a document: the phone shows the request; its button opens the file picker.
  await crew.click('[data-testid=chat-close]');
  await surveyor.click('[data-testid=chat-ask-document]');
  await surveyor.type('[data-testid=chat-input]', '油类记录簿');
  await surveyor.keyboard.press('Enter');
  await crew.waitForSelector('[data-testid=chat-panel] [data-testid=chat-answer-request]', { visible: true, timeout: 10_000 });

  // An .exe named .pdf first: refused with the clear message, nothing added.
  const exe = path.join(dir, 'certificate.pdf');
  fs.writeFileSync(exe, Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), crypto.randomBytes(4096)]));
  let [chooser] = await Promise.all([crew.waitForFileChooser(), crew.click('[data-testid=chat-answer-request]')]);
  await chooser.accept([exe]);
  const refusal = await crew.waitForSelector('[data-testid=chat-error]', { timeout: 20_000 });
  expect(await refusal!.evaluate((e) => e.textContent)).toMatch(/PDF/);

  const pdf = path.join(dir, 'oil-record-book.pdf');
  const pdfBytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(200_000), Buffer.from('\n%%EOF\n')]);
  fs.writeFileSync(pdf, pdfBytes);
  [chooser] = await Promise.all([crew.waitForFileChooser(), crew.click('[data-testid=chat-answer-request]')]);
  await chooser.accept([pdf]);
  await crew.waitForSelector('[data-testid=chat-document]', { timeout: 30_000 });
  const sha256 = crypto.createHash('sha256').update(pdfBytes).digest('hex');
  const doc = await surveyor.waitForSelector(`[data-testid=chat-document][data-sha256="${sha256}"]`, { timeout: 20_000 });
  expect(await doc!.evaluate((d) => d.textContent)).toContain('oil-record-book.pdf');
  const href = await surveyor.$eval('[data-testid=chat-download]', (a) => (a as HTMLAnchorElement).getAttribute('href')!);
  const downloaded = await surveyor.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const digest = new Uint8Array(await window.crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }, href);
  expect(downloaded).toBe(sha256);

  // The phone's button counts the surveyor's answer while the sheet is closed.
  await crew.click('[data-testid=chat-close]');
  await surveyor.type('[data-testid=chat-input]', 'Received, thank you. 已收到。');
  await surveyor.keyboard.press('Enter');
  const crewBadge = await crew.waitForSelector('[data-testid=chat-button] [data-testid=chat-unread]', { timeout: 10_000 });
  expect(await crewBadge!.evaluate((b) => b.textContent)).toBe('1');
  await shot(crew, 'phone-chat-badge-360');

  // Screenshots of both sides with the chat open, in both languages.
  await crew.click('[data-testid=chat-button]');
  for (const lang of ['zh-CN', 'en'] as const) {
    await switchLanguage(surveyor, lang);
    await crew.click('[data-testid=chat-close]');
    await switchLanguage(crew, lang);
    await crew.click('[data-testid=chat-button]');
    await crew.waitForSelector('[data-testid=chat-panel]', { visible: true });
    await shot(surveyor, `console-chat-1366-${lang}`);
    await shot(crew, `phone-chat-360-${lang}`);
  }
  expect(unexpectedErrors(errors, [/ERR_/, /status of 415/])).toEqual([]);
});
