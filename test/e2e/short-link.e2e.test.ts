// Browser end to end, real Chromium: the console's short crew link (shown again on a second view,
// with "Send by SMS" and the warning that a localhost link is no use to a phone), the phone opening
// it, surviving a reload and being refused once the link is revoked; then the console's
// end-before-conclude question and the warning about unchecked checklist items.
import type { Browser, Page } from 'puppeteer-core';
import { androidPage, consoleWithInspection, recordErrors } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

jest.setTimeout(180_000);

const fx = useFixture({ browsers: 2 });
const errors: string[] = [];

beforeAll(async () => {
  await fx.account('surveyor', 'zhao');
});

afterEach(() => {
  if (errors.length) console.log(errors.join('\n'));
});

const text = (page: Page, selector: string) => page.$eval(selector, (n) => n.textContent ?? '');

test('the short link opens the phone page, survives a reload and is refused after revocation', async () => {
  const [surveyorBrowser, phoneBrowser] = fx.browsers as [Browser, Browser];
  const { page: surveyor, link } = await consoleWithInspection(
    surveyorBrowser,
    fx.server.url,
    { username: 'zhao', password: 'zhao-password-123' },
    { vesselName: '苏宿货2024', registrationNumber: 'SQ-2026-0108', place: '宿迁港' },
    errors,
  );
  const code = /^http:\/\/127\.0\.0\.1:\d+\/j\/([2-9a-hjkmnp-z]{10})$/.exec(link)?.[1];
  expect(code).toBeDefined();
  // Opened as 127.0.0.1 without PUBLIC_URL: the console says phones cannot open this link.
  expect(await text(surveyor, '[data-testid=crew-link-localhost]')).toContain('127.0.0.1');
  const sms = await surveyor.$eval('[data-testid=sms-crew-link]', (a) => (a as HTMLAnchorElement).href);
  expect(sms.startsWith('sms:?&body=')).toBe(true);
  expect(decodeURIComponent(sms.slice('sms:?&body='.length))).toContain(link);
  expect(await surveyor.$eval('[data-testid=crew-link-qr]', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

  // A second view of the inspection shows the same link, not a new one.
  await surveyor.reload({ waitUntil: 'networkidle0' });
  await surveyor.waitForSelector('[data-testid=crew-link-url]');
  expect(await text(surveyor, '[data-testid=crew-link-url]')).toBe(link);

  // The phone opens the short link: the phone page, the token out of the address bar.
  const phone = await androidPage(phoneBrowser);
  recordErrors(phone, 'phone', errors);
  await phone.goto(link, { waitUntil: 'networkidle0' });
  expect(new URL(phone.url()).pathname).toBe('/join');
  await phone.waitForSelector('[data-testid=invitation]');
  expect(await text(phone, '[data-testid=invitation]')).toContain('苏宿货2024');
  await phone.click('[data-testid=crew-join]');
  await phone.waitForSelector('[data-testid=crew-live]', { timeout: 30_000 });
  // A reload rejoins by itself (the tab kept the link).
  await phone.reload({ waitUntil: 'domcontentloaded' });
  await phone.waitForSelector('[data-testid=crew-live]', { timeout: 30_000 });
  expect(new URL(phone.url()).pathname).toBe('/join');

  // The surveyor revokes the link (in the page's own dialog): the phone stops and says why.
  await surveyor.click('[data-testid=revoke-crew-link]');
  await surveyor.waitForSelector('[data-testid=revoke-dialog]', { visible: true });
  await surveyor.click('[data-testid=revoke-confirm]');
  await surveyor.waitForSelector('[data-testid=create-crew-link]');
  const stopped = await phone.waitForSelector('[data-testid=crew-error]', { visible: true, timeout: 15_000 });
  expect(await stopped!.evaluate((n) => (n as HTMLElement).dataset.code)).toBe('LINK_REVOKED');
  // Opening the short link again: the bilingual explanation, 410.
  const again = await phone.goto(link, { waitUntil: 'load' });
  expect(again?.status()).toBe(410);
  expect(await phone.$eval('[data-testid=link-error]', (n) => (n as HTMLElement).dataset.code)).toBe('LINK_REVOKED');
  await phone.close();

  // "End inspection" before a conclusion: conclude first, or end it as to be continued.
  await surveyor.click('[data-testid=end-inspection]');
  await surveyor.waitForSelector('[data-testid=end-dialog] [data-testid=end-not-concluded]', { visible: true });
  expect(await surveyor.$('[data-testid=end-dialog] [data-testid=end-to-be-continued]')).not.toBeNull();
  await surveyor.click('[data-testid=end-conclude-first]');
  await surveyor.waitForFunction(() => !document.querySelector('[data-testid=end-dialog]'));
  expect(await surveyor.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('conclusion-outcome');

  // Concluding with unchecked items: they are listed by title, and it needs a confirmation.
  await surveyor.select('[data-testid=checklist-result][data-code=lifebuoys]', 'pass');
  await surveyor.waitForSelector('[data-testid=checklist-item][data-code=lifebuoys][data-result=pass]', { timeout: 30_000 });
  await surveyor.select('[data-testid=conclusion-outcome]', 'passed');
  // "Conclude first" scrolled the form into view (smoothly): a locator clicks once it stands still.
  await surveyor.locator('[data-testid=conclude]').click();
  await surveyor.waitForSelector('[data-testid=unchecked-dialog]', { visible: true });
  const listed = await surveyor.$$eval('[data-testid=unchecked-items] li', (lis) => lis.map((li) => [li.dataset.code, li.textContent]));
  expect(listed).toHaveLength(20);
  expect(listed.map(([c]) => c)).not.toContain('lifebuoys');
  expect(listed).toContainEqual(['lifejackets', 'Lifejackets sufficient, in good condition and readily accessible']);
  // "Back to the checklist" concludes nothing.
  await surveyor.click('[data-testid=unchecked-back]');
  const inspectionId = (await fx.server.latestInspection()).id;
  expect(
    (await fx.server.api('GET', `/api/inspections/${inspectionId}/record`, { cookie: await fx.adminCookie() })).body.record.conclusion,
  ).toBeNull();
  // "Back" scrolled to the first unchecked item.
  await surveyor.locator('[data-testid=conclude]').click();
  await surveyor.waitForSelector('[data-testid=unchecked-dialog]', { visible: true });
  await surveyor.click('[data-testid=unchecked-conclude]');
  await surveyor.waitForSelector('[data-testid=conclusion-status][data-outcome=passed][data-ack=awaiting]', { timeout: 30_000 });

  // Ending now warns that the crew can no longer acknowledge; after it the page does not wait.
  await surveyor.click('[data-testid=end-inspection]');
  await surveyor.waitForSelector('[data-testid=end-dialog] [data-testid=end-unacknowledged]', { visible: true });
  await surveyor.click('[data-testid=end-confirm]');
  await surveyor.waitForSelector('[data-testid=ended]');
  const status = await surveyor.waitForSelector('[data-testid=conclusion-status][data-ack=session-ended]', { timeout: 30_000 });
  expect(await status!.evaluate((n) => n.textContent)).toContain('Not acknowledged by the crew — the session ended.');
  expect(await status!.evaluate((n) => n.textContent)).not.toContain('Waiting');
  expect((await fx.server.inspections.get(inspectionId)).toBeContinued).toBe(false);
});
