// Both languages complete, page by page: the console (sign-in, inspections, an inspection with its
// checklist, conclusion and savings, the dashboard, accounts), the replay list and the crew phone's
// consent and error pages are opened in Chromium in English and in Chinese, and every visible text
// (and every placeholder, title, aria-label and option) is read. In English nothing is Chinese
// except the switch to Chinese; in Chinese no text is an English message, and no page shows a raw
// vocabulary code (an outcome, a savings profile, a gap cause...) instead of its words. The printed
// report is bilingual by design: it is checked for raw codes only. The messages themselves are
// checked key by key in test/unit/i18n-complete.test.ts.
import {
  GAP_CAUSE_LABELS,
  INSPECTION_STATUSES,
  KIND_LABELS,
  OUTCOME_LABELS,
  RECORDING_STATE_LABELS,
  RESULT_LABELS,
  SAVINGS_BASIS_LABELS,
  SAVINGS_PROFILE_LABELS,
  SOURCE_LABELS,
  UPLOAD_STATE_LABELS,
  VIDEO_PROFILES,
  type Words,
} from '@cloudship/shared';
import type { Browser, Page } from 'puppeteer-core';
import { en, zhCN, type MessageKey } from '../../client/src/i18n-messages';
import { androidPage, desktopPage, recordErrors, setSessionCookie } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

jest.setTimeout(180_000);

const fx = useFixture({ browsers: 1 });
let browser: Browser;
const errors: string[] = [];
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Codes that differ from their English words: seen on a page, a label is missing. */
const RAW_CODES = new Set(
  [
    KIND_LABELS,
    RESULT_LABELS,
    OUTCOME_LABELS,
    GAP_CAUSE_LABELS,
    SOURCE_LABELS,
    RECORDING_STATE_LABELS,
    UPLOAD_STATE_LABELS,
    SAVINGS_PROFILE_LABELS,
    SAVINGS_BASIS_LABELS,
  ]
    .flatMap((table: Readonly<Record<string, Words>>) => Object.entries(table))
    .filter(([code, words]) => code !== words.en)
    .map(([code]) => code)
    .concat(VIDEO_PROFILES, INSPECTION_STATUSES),
);
/** Every English message that reads differently in Chinese (a text equal to one is untranslated). */
const ENGLISH_ONLY = new Set((Object.keys(en) as MessageKey[]).filter((k) => en[k] !== zhCN[k]).map((k) => en[k]));

beforeAll(() => {
  browser = fx.browsers[0]!;
});

afterAll(() => {
  if (errors.length) console.log(errors.join('\n'));
});

/** The page's visible texts, and the placeholder, title and aria-label of its visible elements and its options. */
function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      if (text && node.parentElement?.checkVisibility()) out.push(text);
    }
    for (const el of Array.from(document.querySelectorAll('[placeholder], [title], [aria-label]'))) {
      if (!el.checkVisibility()) continue;
      for (const name of ['placeholder', 'title', 'aria-label']) {
        const value = el.getAttribute(name)?.trim();
        if (value) out.push(value);
      }
    }
    for (const option of Array.from(document.querySelectorAll('select option')))
      if (option.parentElement?.checkVisibility()) out.push((option.textContent ?? '').trim());
    return out;
  });
}

/** What is wrong with a page's texts in `lang`; `data` are texts that come from the records themselves. */
function misfits(texts: string[], lang: 'zh-CN' | 'en', data: string[]): string[] {
  const fromData = (t: string) => data.some((d) => t.includes(d));
  return texts.filter((t) => {
    if (RAW_CODES.has(t)) return !data.includes(t);
    if (lang === 'en') return CJK.test(t) && t !== en['lang.switch'] && !fromData(t);
    return ENGLISH_ONLY.has(t) && !fromData(t);
  });
}

async function pageIn(lang: 'zh-CN' | 'en', phone = false): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = phone ? await androidPage(context) : await desktopPage(context);
  recordErrors(page, `${lang}${phone ? ' phone' : ''}`, errors);
  await page.evaluateOnNewDocument((l) => localStorage.setItem('cloudship.lang', l), lang);
  return page;
}

test('every page reads in one language, English or Chinese, with no raw codes', async () => {
  const admin = await fx.adminCookie();
  // An inspection concluded with findings and a savings estimate (profile and basis named on the page), then ended.
  const { inspection } = await fx.inspectionWithLink(admin, { vesselName: 'Lu Ji Ning 1234', place: 'Jining port' });
  const api = (method: string, path: string, body?: unknown) =>
    fx.server.api(method, `/api/inspections/${inspection.id}${path}`, { cookie: admin, body });
  const items = (await api('GET', '/record')).body.record.checklist as Array<{ id: string; titleZh: string; titleEn: string }>;
  expect((await api('PATCH', `/checklist/${items[0]!.id}`, { result: 'pass' })).status).toBe(200);
  expect((await api('PATCH', `/checklist/${items[1]!.id}`, { result: 'deficiency', deficiencyDeadline: '2027-01-31' })).status).toBe(200);
  expect((await api('PATCH', `/checklist/${items[2]!.id}`, { result: 'not-applicable' })).status).toBe(200);
  expect((await api('PUT', '/savings', { inputs: { meKw: 300, vesselDetourKm: 80 }, profile: 'economic' })).status).toBe(200);
  expect((await api('POST', '/conclusion', { outcome: 'passed-with-deficiencies', remarks: 'Fire pump to be serviced' })).status).toBe(200);
  expect((await api('POST', '/end')).status).toBe(200);
  // A second, scheduled, for the crew's consent page.
  const { url: crewUrl } = await fx.inspectionWithLink(admin, { vesselName: 'Lu Ji Ning 5678', place: 'Jining port' });
  // Texts of the records themselves: the admin's name (shown as surveyor and account), the particulars.
  // The account's user name ('admin') is data too: it reads as the role's code but is a name.
  const me = (await fx.server.api('GET', '/api/me', { cookie: admin })).body as { account: { displayName: string; username: string } };
  const data = [me.account.displayName, me.account.username, 'Lu Ji Ning', 'Jining port', 'JN-2026-0042', 'Fire pump'];

  const found: string[] = [];
  for (const lang of ['en', 'zh-CN'] as const) {
    const page = await pageIn(lang);
    const visit = async (name: string, go: () => Promise<unknown>, ready: string) => {
      await go();
      await page.waitForSelector(ready, { visible: true });
      await page.waitForNetworkIdle({ idleTime: 300 });
      for (const t of misfits(await visibleTexts(page), lang, data)) found.push(`${lang} ${name}: ${JSON.stringify(t)}`);
    };
    await visit('sign-in', () => page.goto(fx.server.url, { waitUntil: 'networkidle0' }), '#username');
    await setSessionCookie(page, admin, fx.server.url);
    await visit(
      'inspections',
      () => page.goto(`${fx.server.url}/index.html#/`, { waitUntil: 'networkidle0' }),
      '[data-testid=account-name]',
    );
    await visit('inspection', () => page.goto(`${fx.server.url}/#/inspections/${inspection.id}`), '[data-testid=savings-stored]');
    await visit('dashboard', () => page.goto(`${fx.server.url}/#/reports`), '[data-testid=nav-reports]');
    await visit('accounts', () => page.goto(`${fx.server.url}/#/account`), '[data-testid=password-form]');
    await visit('replay list', () => page.goto(`${fx.server.url}/replay.html`, { waitUntil: 'networkidle0' }), '[data-testid=replay-list]');
    await page.close();

    const phone = await pageIn(lang, true);
    const crewVisit = async (name: string, url: string, ready: string) => {
      await phone.goto(url, { waitUntil: 'networkidle0' });
      await phone.waitForSelector(ready, { visible: true });
      for (const t of misfits(await visibleTexts(phone), lang, data)) found.push(`${lang} ${name}: ${JSON.stringify(t)}`);
    };
    await crewVisit('crew consent', crewUrl, '[data-testid=consent]');
    await phone.close();
  }

  // A truncated or unknown link is answered by the server before any language is chosen: both languages.
  for (const url of [`${fx.server.url}/j/zzzzzzzz`, crewUrl.slice(0, -6)]) {
    const body = await (await fetch(url)).text();
    expect(body).toMatch(/<p data-testid="link-error"[^>]*>[^<]*[\u4e00-\u9fff][^<]*<\/p><p lang="en">[^<\u4e00-\u9fff]+<\/p>/);
  }

  // The printed report: bilingual, but never a raw code.
  const report = await fx.server.api('GET', `/api/inspections/${inspection.id}/report.html`, { cookie: admin });
  expect(report.status).toBe(200);
  const reportTexts = String(report.body)
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .split(/<[^>]+>/)
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of reportTexts) if (RAW_CODES.has(t) || /^(profile|model|basis) /.test(t)) found.push(`report: ${JSON.stringify(t)}`);
  // The words the report must use for this inspection's outcome, profile and results.
  for (const w of [OUTCOME_LABELS['passed-with-deficiencies'], SAVINGS_PROFILE_LABELS.economic, RESULT_LABELS['not-applicable']]) {
    expect(String(report.body)).toContain(w.zh);
    expect(String(report.body)).toContain(w.en);
  }

  expect(found).toEqual([]);
});
