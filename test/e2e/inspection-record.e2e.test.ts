// Browser end to end for the inspection record: the surveyor (desktop Chromium) captures an HD
// still from the crew's fake phone camera (second Chromium emulating an Android phone), it lands
// on a checklist item, the surveyor concludes, the crew acknowledges on the phone, the dashboard
// totals grow by exactly that inspection's estimate, and its PDF report names the vessel and the
// estimate (checked with pdftotext).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import type { TestServer } from '../helpers/test-server';
import { androidPage, desktopPage, recordErrors, signInAndCreateInspection, waitForStat } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

jest.setTimeout(300_000);

const VESSEL = '鲁济宁货5678';
const fx = useFixture({ browsers: 2 });
let server: TestServer;
let surveyorBrowser: Browser;
let crewBrowser: Browser;
let cookie: string;
const errors: string[] = [];

beforeAll(async () => {
  server = fx.server;
  [surveyorBrowser, crewBrowser] = fx.browsers as [Browser, Browser];
  cookie = (await fx.account('surveyor', 'zhao')).cookie;
});

afterEach(() => {
  if (errors.length) console.log(errors.join('\n'));
});

async function dashboard(): Promise<{ count: number; co2SavedT: number; costSavedCny: number }> {
  const r = await server.api('GET', '/api/reports/savings', { cookie });
  expect(r.status).toBe(200);
  return r.body.report.overall;
}

test('capture a still from the phone, attach it, conclude, crew acknowledges; dashboard and PDF reflect exactly that inspection', async () => {
  const before = await dashboard();

  const surveyor = await desktopPage(surveyorBrowser);
  recordErrors(surveyor, 'surveyor', errors);
  const crewLink = await signInAndCreateInspection(
    surveyor,
    server.url,
    { username: 'zhao', password: 'zhao-password-123' },
    {
      vesselName: VESSEL,
      registrationNumber: 'JN-2026-0099',
      place: '济宁港',
    },
  );
  const inspectionId = /#\/inspections\/([^/?#]+)/.exec(surveyor.url())![1]!;
  await surveyor.waitForSelector('[data-testid=checklist-item][data-code=lifebuoys]', { timeout: 30_000 });
  await surveyor.click('[data-testid=join-live]');

  const crew = await androidPage(crewBrowser);
  recordErrors(crew, 'crew', errors);
  await crew.goto(crewLink, { waitUntil: 'networkidle0' });
  await crew.click('[data-testid=crew-join]');
  // The phone's camera reaches the surveyor before we ask it for a still.
  await waitForStat(surveyor, 'video', 'framesDecoded', 5, 60_000);

  // The surveyor picks the item and presses "HD still" on the video (the dock's own capture button
  // is hidden while live): the phone takes and uploads the still.
  await surveyor.click('[data-testid=checklist-current][data-code=lifebuoys]');
  expect(await surveyor.$eval('[data-testid=capture]', (b) => (b as HTMLElement).offsetParent)).toBeNull();
  await surveyor.click('[data-testid=stage-capture]');
  await crew.waitForSelector('[data-testid=photo-taken]', { timeout: 60_000 });
  await surveyor.waitForSelector('[data-testid=item-evidence][data-code=lifebuoys][data-count="1"] img', { timeout: 60_000 });

  const rec1 = (await server.api('GET', `/api/inspections/${inspectionId}/record`, { cookie })).body.record;
  const item = rec1.checklist.find((i: any) => i.code === 'lifebuoys');
  expect(rec1.evidence).toHaveLength(1);
  expect(rec1.evidence[0]).toMatchObject({ type: 'photo', checklistItemId: item.id, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  const image = await fetch(`${server.url}${rec1.evidence[0].url}`, { headers: { cookie } });
  expect(image.status).toBe(200);
  expect(['image/jpeg', 'image/png', 'image/webp']).toContain(image.headers.get('content-type'));

  // Finding, savings inputs (previewed in the page), conclusion.
  await surveyor.select('[data-testid=checklist-result][data-code=lifebuoys]', 'pass');
  await surveyor.waitForSelector('[data-testid=checklist-item][data-code=lifebuoys][data-result=pass]', { timeout: 30_000 });
  await surveyor.type('[data-testid=savings-input][data-field=meKw]', '480');
  await surveyor.type('[data-testid=savings-input][data-field=vesselDetourKm]', '200');
  await surveyor.click('[data-testid=savings-save]');
  await surveyor.waitForFunction(
    (id: string) =>
      fetch(`/api/inspections/${id}/record`)
        .then((r) => r.json())
        .then((b) => b.record.savingsInputs.vesselDetourKm === 200),
    { polling: 500, timeout: 30_000 },
    inspectionId,
  );
  await surveyor.select('[data-testid=conclusion-outcome]', 'passed');
  await surveyor.click('[data-testid=conclude]');
  // The other 20 items are unchecked: the page names them and asks before concluding.
  await surveyor.waitForSelector('[data-testid=unchecked-dialog]', { visible: true });
  await surveyor.click('[data-testid=unchecked-conclude]');
  await surveyor.waitForSelector('[data-testid=conclusion-status][data-outcome=passed]', { timeout: 30_000 });

  // The phone asks for the acknowledgement; the crew types a name.
  await crew.waitForSelector('[data-testid=ack-form]', { visible: true, timeout: 30_000 });
  await crew.type('[data-testid=ack-name]', '张船长');
  await crew.click('[data-testid=ack-submit]');
  await crew.waitForSelector('[data-testid=acknowledged]', { timeout: 30_000 });
  await surveyor.waitForSelector('[data-testid=conclusion-status][data-acknowledged=true]', { timeout: 30_000 });
  await surveyor.waitForSelector('[data-testid=record-read-only]', { timeout: 30_000 });

  const rec = (await server.api('GET', `/api/inspections/${inspectionId}/record`, { cookie })).body.record;
  expect(rec.readOnly).toBe(true);
  expect(rec.conclusion).toMatchObject({ outcome: 'passed', acknowledgedName: '张船长' });
  expect(rec.savings).toMatchObject({ basis: 'computed', overridden: ['meKw', 'vesselDetourKm'] });

  // Dashboard totals changed by exactly this inspection's stored estimate (API and page).
  const after = await dashboard();
  expect(after.count).toBe(before.count + 1);
  expect(after.co2SavedT - before.co2SavedT).toBeCloseTo(rec.savings.co2SavedT, 9);
  expect(after.costSavedCny - before.costSavedCny).toBeCloseTo(rec.savings.costSavedCny, 6);
  await surveyor.goto(`${server.url}/#/reports`, { waitUntil: 'networkidle0' });
  const shown = await surveyor.waitForFunction(() => document.querySelector('[data-testid=report-co2]')?.getAttribute('data-value'), {
    timeout: 30_000,
  });
  expect(Number(await shown.jsonValue())).toBeCloseTo(after.co2SavedT, 9);
  await surveyor.waitForSelector('[data-testid=report-chart] rect');

  // The PDF report opens and names the vessel and the estimate.
  const pdf = await fetch(`${server.url}/api/inspections/${inspectionId}/report.pdf`, { headers: { cookie } });
  expect(pdf.status).toBe(200);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cloudship-pdf-test-')), 'report.pdf');
  fs.writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  // SCREENSHOT_DIR=... keeps a copy to look at.
  if (process.env.SCREENSHOT_DIR) fs.copyFileSync(file, path.join(process.env.SCREENSHOT_DIR, 'report.pdf'));
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  expect(text.status).toBe(0);
  expect(text.stdout).toContain(VESSEL);
  const co2 = rec.savings.co2SavedT.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const cny = Math.round(rec.savings.costSavedCny).toLocaleString('en-US');
  expect(text.stdout).toContain(`${co2} t`);
  expect(text.stdout).toContain(`${cny} CNY`);
  expect(text.stdout).toContain('张船长');
  // A4, numbered "page / pages" at the foot, every time in the authority's zone (Asia/Shanghai by
  // default) with its offset.
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  // 210 x 297 mm: pdfinfo names the size (Chromium writes 594.96 x 841.92 pts).
  expect(info.stdout).toMatch(/Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);
  const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)![1]);
  // pdftotext may drop the spaces around the slash.
  expect(text.stdout).toMatch(new RegExp(`\\b1 ?/ ?${pages}\\b`));
  expect(text.stdout).toMatch(new RegExp(`\\b${pages} ?/ ?${pages}\\b`));
  expect(text.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC\+8/);
  expect(text.stdout).not.toMatch(/\d\d:\d\d UTC\b(?!\+)/);
  // Every glyph from the report's own font (WenQuanYi Micro Hei, fonts-wqy-microhei): no other
  // font embedded (a character it lacks makes Chromium fall back to one, or print a blank box), and
  // every character of the text in its character set. (Unnamed Type 3 fonts are Skia's synthetic
  // bold of the same face: it has no bold of its own.)
  const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' });
  expect(fonts.status).toBe(0);
  const named = fonts.stdout
    .split('\n')
    .slice(2)
    .map((line) => line.split(/\s+/)[0]!)
    .filter((name) => name && name !== '[none]')
    .map((name) => name.replace(/^[A-Z]{6}\+/, ''));
  expect(named.length).toBeGreaterThan(0);
  expect(named.filter((f) => !/^WenQuanYi/.test(f))).toEqual([]);
  const fontFile = spawnSync('fc-match', ['-f', '%{file}', 'WenQuanYi Micro Hei'], { encoding: 'utf8' }).stdout;
  const charset = spawnSync('fc-query', ['-i', '0', '-f', '%{charset}', fontFile], { encoding: 'utf8' }).stdout;
  const ranges = charset
    .trim()
    .split(/\s+/)
    .map((r) => r.split('-').map((h) => parseInt(h, 16)))
    .map(([lo, hi]) => [lo!, hi ?? lo!] as const);
  const missing = [...new Set(text.stdout.replace(/\s/g, ''))].filter(
    (c) => !ranges.some(([lo, hi]) => c.codePointAt(0)! >= lo && c.codePointAt(0)! <= hi),
  );
  expect(missing).toEqual([]);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
