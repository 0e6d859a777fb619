// Browser end to end: a surveyor in desktop Chromium and a crew member in a second Chromium
// emulating an Android phone, both with fake camera/microphone, against the real server.
// Media is asserted from WebRTC stats: frames decoded and increasing, audio arriving both ways.
import type { Browser } from 'puppeteer-core';
import type { TestServer } from '../helpers/test-server';
import { androidPage, desktopPage, recordErrors, signInAndCreateInspection, waitForStat } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

jest.setTimeout(180_000);

const fx = useFixture({ browsers: 2 });
let server: TestServer;
let surveyorBrowser: Browser;
let crewBrowser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  server = fx.server;
  [surveyorBrowser, crewBrowser] = fx.browsers as [Browser, Browser];
  await fx.account('surveyor', 'wang');
});

afterEach(() => {
  if (errors.length) console.log(errors.join('\n'));
});

test('surveyor and crew see and hear each other; ending the inspection ends it on the phone', async () => {
  const surveyor = await desktopPage(surveyorBrowser);
  recordErrors(surveyor, 'surveyor', errors);
  const crewLink = await signInAndCreateInspection(
    surveyor,
    server.url,
    { username: 'wang', password: 'wang-password-123' },
    {
      vesselName: '鲁济宁货1234',
      registrationNumber: 'JN-2026-0042',
      place: '济宁港',
    },
  );
  expect(crewLink.startsWith(server.url)).toBe(true);

  await surveyor.click('[data-testid=join-live]');

  const crew = await androidPage(crewBrowser);
  recordErrors(crew, 'crew', errors);
  await crew.goto(crewLink, { waitUntil: 'networkidle0' });
  // The short link led on to the signed one, whose token left the address bar at once (no
  // Referer, no screenshot shows it); the tab keeps it.
  const code = crewLink.slice(crewLink.lastIndexOf('/') + 1);
  const token = await crew.evaluate(() => sessionStorage.getItem('cloudship.crewToken'));
  expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
  expect(new URL(crew.url()).pathname).toBe('/join');
  expect(crew.url()).not.toContain(token);
  expect(crew.url()).not.toContain(code);
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

  // The surveyor ends the inspection (not concluded: "to be continued"); the phone says so and the
  // link stops working.
  await surveyor.click('[data-testid=end-inspection]');
  await surveyor.waitForSelector('[data-testid=end-to-be-continued]', { visible: true });
  await surveyor.click('[data-testid=end-to-be-continued]');
  await crew.waitForSelector('[data-testid=ended]', { visible: true, timeout: 15_000 });
  const again = await fetch(crewLink);
  expect(again.status).toBe(410);

  const inspection = await server.latestInspection();
  expect(inspection.status).toBe('ended');
  const detail = await server.inspections.detail(inspection.id);
  expect(detail.participants.map((p) => p.role).sort()).toEqual(['crew', 'surveyor']);
  expect(detail.participants.every((p) => p.leftAt !== null)).toBe(true);
});
