// Browser end to end: a surveyor in desktop Chromium and a crew member in a second Chromium
// emulating an Android phone, both with fake camera/microphone, against the real server.
// Media is asserted from WebRTC stats: frames decoded and increasing, audio arriving both ways.
import type { Browser, Page } from 'puppeteer-core';
import { startTestServer, ADMIN, type TestServer } from '../helpers/test-server';
import { androidPage, desktopPage, launchBrowser, recordErrors, waitForStat } from '../helpers/browser';

jest.setTimeout(180_000);

let server: TestServer;
let surveyorBrowser: Browser;
let crewBrowser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const adminCookie = await server.signIn(ADMIN.username, ADMIN.password);
  await server.createAccount(adminCookie, 'surveyor', 'wang');
  [surveyorBrowser, crewBrowser] = await Promise.all([launchBrowser(), launchBrowser()]);
});

afterAll(async () => {
  await Promise.all([surveyorBrowser?.close(), crewBrowser?.close()]);
  await server?.stop();
});

afterEach(() => {
  if (errors.length) console.log(errors.join('\n'));
});

async function signInAndCreate(page: Page): Promise<string> {
  await page.goto(server.url, { waitUntil: 'networkidle0' });
  await page.type('#username', 'wang');
  await page.type('#password', 'wang-password-123');
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=new-inspection]');
  const form = '[data-testid=new-inspection]';
  await page.type(`${form} [name=vesselName]`, '鲁济宁货1234');
  await page.type(`${form} [name=registrationNumber]`, 'JN-2026-0042');
  await page.select(`${form} [name=kind]`, 'periodic');
  await page.type(`${form} [name=place]`, '济宁港');
  // datetime-local: fill via the DOM (typing depends on the locale's field order).
  await page.$eval(`${form} [name=scheduledAt]`, (el) => {
    const d = new Date(Date.now() + 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    (el as HTMLInputElement).value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  });
  await page.click('[data-testid=create-inspection]');
  const link = await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=crew-link-url]');
      return el && /\/join\/.+/.test(el.textContent ?? '') ? el.textContent!.trim() : false;
    },
    { timeout: 20_000 },
  );
  return (await link.jsonValue()) as string;
}

test('surveyor and crew see and hear each other; ending the inspection ends it on the phone', async () => {
  const surveyor = await desktopPage(surveyorBrowser);
  errors.push(...recordErrors(surveyor, 'surveyor'));
  const crewLink = await signInAndCreate(surveyor);
  expect(crewLink.startsWith(server.url)).toBe(true);

  await surveyor.click('[data-testid=join-live]');

  const crew = await androidPage(crewBrowser);
  errors.push(...recordErrors(crew, 'crew'));
  await crew.goto(crewLink, { waitUntil: 'networkidle0' });
  await crew.click('[data-testid=crew-join]');

  // The surveyor decodes the crew's video, and keeps decoding.
  const firstFrames = await waitForStat(surveyor, 'video', 'framesDecoded', 0);
  await waitForStat(surveyor, 'video', 'framesDecoded', firstFrames + 20);
  await waitForStat(surveyor, 'video', 'frameWidth', 0);
  // Audio arrives both ways (decoded samples keep increasing).
  const surveyorHears = await waitForStat(surveyor, 'audio', 'totalSamplesReceived', 0);
  await waitForStat(surveyor, 'audio', 'totalSamplesReceived', surveyorHears + 48_000);
  const crewHears = await waitForStat(crew, 'audio', 'totalSamplesReceived', 0);
  await waitForStat(crew, 'audio', 'totalSamplesReceived', crewHears + 48_000);

  // Each side sees the other connected.
  await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-state=connected]');
  await crew.waitForSelector('[data-testid=peer-state][data-role=surveyor][data-state=connected]');

  // The surveyor ends the inspection; the phone says so and the link stops working.
  surveyor.on('dialog', (d) => void d.accept());
  await surveyor.click('[data-testid=end-inspection]');
  await crew.waitForSelector('[data-testid=ended]', { visible: true, timeout: 15_000 });
  const again = await fetch(crewLink);
  expect(again.status).toBe(410);

  const inspections = await server.inspections.list();
  expect(inspections[0]!.status).toBe('ended');
  const detail = await server.inspections.detail(inspections[0]!.id);
  expect(detail.participants.map((p) => p.role).sort()).toEqual(['crew', 'surveyor']);
  expect(detail.participants.every((p) => p.leftAt !== null)).toBe(true);
});
