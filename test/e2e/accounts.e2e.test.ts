// The first admin, through the console: changes the one-time password, creates a surveyor; the
// surveyor then signs in with what the admin gave them. The admin sees the username rule, is told
// plainly that a username is taken, edits a display name and a role, and draws a review sample of
// concluded inspections, whose inspections open from the sample. SCREENSHOT_DIR: the accounts
// and samples pages in both languages are saved there.
import crypto from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { USERNAME_RULE } from '@cloudship/shared';
import { InspectionRecordEntity } from '../../server/src/inspection-record/entities';
import { InspectionEntity } from '../../server/src/inspection/entities';
import { ADMIN, type TestServer } from '../helpers/test-server';
import { desktopPage, recordErrors } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

const fx = useFixture({ browsers: 1 });
let server: TestServer;
let browser: Browser;
const errors: string[] = [];
const SHOTS = process.env.SCREENSHOT_DIR;
const ADMIN_PASSWORD = 'a-better-admin-password';

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(() => {
  server = fx.server;
  browser = fx.browsers[0]!;
});

afterAll(() => {
  if (errors.length) console.log(errors.join('\n'));
});

async function signIn(username: string, password: string, lang?: 'en' | 'zh-CN') {
  const context = await browser.createBrowserContext();
  const page = await desktopPage(context);
  if (lang) await page.evaluateOnNewDocument((l) => localStorage.setItem('cloudship.lang', l), lang);
  recordErrors(page, username, errors);
  await page.goto(server.url, { waitUntil: 'networkidle0' });
  await page.type('#username', username);
  await page.type('#password', password);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=account-name]');
  return page;
}

test('the admin changes the one-time password and creates a surveyor, who can then sign in', async () => {
  const admin = await signIn(ADMIN.username, ADMIN.password);
  await admin.click('[data-testid=nav-account]');
  await admin.waitForSelector('[data-testid=password-form]');
  await admin.type('[data-testid=password-form] [name=currentPassword]', ADMIN.password);
  await admin.type('[data-testid=password-form] [name=newPassword]', ADMIN_PASSWORD);
  await admin.click('[data-testid=password-form] button[type=submit]');
  await admin.waitForSelector('[data-testid=password-message]');

  const form = '[data-testid=create-account]';
  await admin.type(`${form} [name=username]`, 'li.surveyor');
  await admin.type(`${form} [name=displayName]`, '李验船师');
  await admin.select(`${form} [name=role]`, 'surveyor');
  await admin.type(`${form} [name=password]`, 'initial-password-1');
  await admin.click(`${form} button[type=submit]`);
  await admin.waitForSelector('[data-testid=account-row][data-username="li.surveyor"]');

  await expect(server.signIn(ADMIN.username, ADMIN.password)).rejects.toThrow();
  const surveyor = await signIn('li.surveyor', 'initial-password-1');
  expect(await surveyor.$eval('[data-testid=account-name]', (e) => e.textContent)).toBe('李验船师');
  // A surveyor's account page has the password form but not the staff list.
  await surveyor.click('[data-testid=nav-account]');
  await surveyor.waitForSelector('[data-testid=password-form]');
  expect(await surveyor.$('[data-testid=create-account]')).toBeNull();
});

/** Concluded inspections led by `surveyorId`, one each at `times` (bulk, as years of records would be). */
async function seedConcluded(surveyorId: string, times: Date[]): Promise<string[]> {
  const ids = times.map(() => crypto.randomUUID());
  await server.db.getRepository(InspectionEntity).insert(
    ids.map((id, k) => ({
      id,
      vesselName: `鲁济宁货${1000 + k}`,
      registrationNumber: `JN-2026-${1000 + k}`,
      kind: 'periodic' as const,
      place: '济宁港',
      scheduledAt: times[k]!,
      status: 'ended' as const,
      surveyorId,
      startedAt: times[k]!,
      endedAt: times[k]!,
      toBeContinued: false,
    })),
  );
  await server.db.getRepository(InspectionRecordEntity).insert(
    ids.map((id, k) => ({
      inspectionId: id,
      templateVersion: 1,
      outcome: 'passed' as never,
      remarks: '',
      concludedAt: times[k]!,
      concludedBy: surveyorId,
      savingsInputs: '{}',
      savingsProfile: 'inland' as never,
    })),
  );
  return ids;
}

test('the admin sees the username rule, is told a username is taken, and edits a name and a role', async () => {
  const admin = await signIn(ADMIN.username, ADMIN_PASSWORD, 'en');
  await admin.click('[data-testid=nav-account]');
  const form = '[data-testid=create-account]';
  await admin.waitForSelector(`${form} [name=username]`);
  // The rule is shown under the field and is the browser's own check too.
  const hint = await admin.$eval('[data-testid=username-hint]', (e) => (e as HTMLElement).innerText);
  expect(hint).toBe('3–64 characters: letters A–Z a–z, digits and\u00a0_\u00a0.\u00a0- (no spaces)');
  const attrs = await admin.$eval(`${form} [name=username]`, (e) => ({
    pattern: e.getAttribute('pattern'),
    minlength: e.getAttribute('minlength'),
    maxlength: e.getAttribute('maxlength'),
    describedBy: e.getAttribute('aria-describedby'),
  }));
  expect(attrs).toEqual({
    pattern: USERNAME_RULE.pattern,
    minlength: String(USERNAME_RULE.minLength),
    maxlength: String(USERNAME_RULE.maxLength),
    describedBy: 'username-hint',
  });
  const validity = async (value: string) => {
    await admin.$eval(`${form} [name=username]`, (e) => ((e as HTMLInputElement).value = ''));
    await admin.type(`${form} [name=username]`, value);
    return admin.$eval(`${form} [name=username]`, (e) => {
      const v = (e as HTMLInputElement).validity;
      return { valid: v.valid, tooShort: v.tooShort, patternMismatch: v.patternMismatch };
    });
  };
  expect(await validity('ab')).toEqual({ valid: false, tooShort: true, patternMismatch: false });
  expect(await validity('li wei')).toEqual({ valid: false, tooShort: false, patternMismatch: true });
  expect(await validity('李伟')).toMatchObject({ valid: false, patternMismatch: true });

  // A taken username (in another case) is said next to the field.
  await validity('Li.Surveyor');
  await admin.type(`${form} [name=displayName]`, 'Another Li');
  await admin.type(`${form} [name=password]`, 'initial-password-2');
  await admin.click(`${form} button[type=submit]`);
  const taken = await admin.waitForSelector(`${form} [data-testid=username-error]`);
  expect(await taken!.evaluate((e) => (e as HTMLElement).innerText)).toBe(
    'The username “Li.Surveyor” is already taken (usernames are unique regardless of case). Choose another.',
  );
  expect(await admin.$eval(`${form} [name=username]`, (e) => e.getAttribute('aria-invalid'))).toBe('true');
  expect(await admin.$$('[data-testid=account-row]')).toHaveLength(2);
  await shot(admin, 'accounts-en');

  // Edit li.surveyor: a new display name, and the auditor role.
  const row = '[data-testid=account-row][data-username="li.surveyor"]';
  await admin.click(`${row} [data-testid=account-edit]`);
  await admin.waitForSelector(`${row} [data-testid=account-edit-form] [name=displayName]`);
  await admin.$eval(`${row} [name=displayName]`, (e) => ((e as HTMLInputElement).value = ''));
  await admin.type(`${row} [name=displayName]`, '李审核员');
  await admin.select(`${row} [name=role]`, 'auditor');
  await shot(admin, 'accounts-edit-en');
  await admin.click(`${row} [data-testid=account-save]`);
  await admin.waitForSelector('[data-testid=account-row][data-username="li.surveyor"][data-role=auditor]');
  expect(await admin.$eval(`${row} td:nth-child(2)`, (e) => (e as HTMLElement).innerText)).toBe('李审核员');
  expect(await admin.$eval('[data-testid=accounts-message]', (e) => (e as HTMLElement).innerText)).toMatch(
    /^li\.surveyor is now Auditor\. Their sign-ins were ended/,
  );
  const accounts = (await server.api('GET', '/api/accounts', { cookie: await server.signIn(ADMIN.username, ADMIN_PASSWORD) })).body
    .accounts;
  expect(accounts.find((a: { username: string }) => a.username === 'li.surveyor')).toMatchObject({
    displayName: '李审核员',
    role: 'auditor',
  });

  // One's own row: the name may change, the role not.
  const own = `[data-testid=account-row][data-username="${ADMIN.username}"]`;
  await admin.click(`${own} [data-testid=account-edit]`);
  expect(await admin.$eval(`${own} [name=role]`, (e) => (e as HTMLSelectElement).disabled)).toBe(true);
  await admin.click(`${own} [data-testid=account-cancel]`);

  const zh = await signIn(ADMIN.username, ADMIN_PASSWORD, 'zh-CN');
  await zh.click('[data-testid=nav-account]');
  await zh.waitForSelector('[data-testid=account-row][data-username="li.surveyor"]');
  expect(await zh.$eval('[data-testid=username-hint]', (e) => (e as HTMLElement).innerText)).toBe(
    '3–64 个字符：英文字母 A–Z a–z、数字及\u00a0_\u00a0.\u00a0-（不含空格）',
  );
  await shot(zh, 'accounts-zh');
});

test('the admin draws a review sample of concluded inspections and opens one of them', async () => {
  const surveyor = (
    await server.api('GET', '/api/accounts', { cookie: await server.signIn(ADMIN.username, ADMIN_PASSWORD) })
  ).body.accounts.find((a: { username: string }) => a.username === 'admin');
  // 12 concluded in March 2026 (Shanghai), 3 in April.
  const march = await seedConcluded(
    surveyor.id,
    Array.from({ length: 12 }, (_, k) => new Date(Date.UTC(2026, 2, 2 + k * 2, 2))),
  );
  await seedConcluded(
    surveyor.id,
    [1, 2, 3].map((d) => new Date(Date.UTC(2026, 3, d, 2))),
  );
  const auditorId = (
    await server.api('GET', '/api/accounts', { cookie: await server.signIn(ADMIN.username, ADMIN_PASSWORD) })
  ).body.accounts.find((a: { username: string }) => a.username === 'li.surveyor').id;

  const admin = await signIn(ADMIN.username, ADMIN_PASSWORD, 'en');
  await admin.click('[data-testid=nav-samples]');
  await admin.waitForSelector('[data-testid=sample-form]');
  const setDate = (name: string, value: string) =>
    admin.$eval(
      `[data-testid=sample-form] [name=${name}]`,
      (e, v) => {
        (e as HTMLInputElement).value = v;
        e.dispatchEvent(new Event('input', { bubbles: true }));
      },
      value,
    );
  // A period that ends before it starts is refused by the form itself.
  await setDate('from', '2026-03-31');
  await setDate('to', '2026-03-01');
  await admin.click('[data-testid=sample-draw]');
  expect(await admin.$eval('[data-testid=sample-form] [name=to]', (e) => (e as HTMLInputElement).validationMessage)).toBe(
    'The end of the period must not be before its start.',
  );
  await setDate('from', '2026-03-01');
  await setDate('to', '2026-03-31');
  await admin.$eval('[data-testid=sample-form] [name=percentage]', (e) => ((e as HTMLInputElement).value = ''));
  await admin.type('[data-testid=sample-form] [name=percentage]', '25');
  await admin.waitForSelector(`[data-testid=sample-form] [name=auditorId] option[value="${auditorId}"]`);
  await admin.select('[data-testid=sample-form] [name=auditorId]', auditorId);
  await admin.click('[data-testid=sample-draw]');
  const drawn = await admin.waitForSelector('[data-testid=sample-message]');
  expect(await drawn!.evaluate((e) => (e as HTMLElement).innerText)).toBe('Drawn: 3 of 12 concluded inspections.');
  const sampleRow = await admin.waitForSelector('[data-testid=sample-row][data-size="3"]');
  expect(await sampleRow!.evaluate((e) => (e as HTMLElement).innerText)).toContain('李审核员 (3 assigned)');
  await admin.click('[data-testid=sample-row] [data-testid=sample-toggle]');
  await admin.waitForFunction(() => document.querySelectorAll('[data-testid=sample-item]').length === 3);
  const items = await admin.$$eval('[data-testid=sample-item]', (rows) => rows.map((r) => (r as HTMLElement).dataset.inspectionId!));
  for (const id of items) expect(march).toContain(id);
  await shot(admin, 'samples-en');

  // Each drawn inspection links to its page.
  await admin.click(`[data-testid=sample-item][data-inspection-id="${items[0]}"] a`);
  await admin.waitForFunction((id) => location.hash === `#/inspections/${id}`, {}, items[0]);

  const zh = await signIn(ADMIN.username, ADMIN_PASSWORD, 'zh-CN');
  await zh.click('[data-testid=nav-samples]');
  await zh.waitForSelector('[data-testid=sample-row] [data-testid=sample-toggle]');
  await zh.click('[data-testid=sample-row] [data-testid=sample-toggle]');
  await zh.waitForFunction(() => document.querySelectorAll('[data-testid=sample-item]').length === 3);
  expect(await zh.$eval('[data-testid=sample-form] [data-testid=sample-draw]', (e) => (e as HTMLElement).innerText)).toBe('抽取');
  await shot(zh, 'samples-zh');
}, 60_000);
