// Browser end to end: one crew link is one seat. A second phone opening the link is told it is in
// use and may take it over; the first phone then stops (and says why) instead of taking it back,
// the surveyor is told the crew now films from another device, and the log keeps both devices.
import type { Browser } from 'puppeteer-core';
import { androidPage, desktopPage, recordErrors, signInAndCreateInspection, waitForStat } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

jest.setTimeout(180_000);

const fx = useFixture({ browsers: 3 });
const errors: string[] = [];

beforeAll(async () => {
  await fx.account('surveyor', 'wang');
});

afterEach(() => {
  if (errors.length) console.log(errors.join('\n'));
});

test('a second phone takes the link over only when asked; the first one stops and says why', async () => {
  const [surveyorBrowser, phoneABrowser, phoneBBrowser] = fx.browsers as [Browser, Browser, Browser];
  const surveyor = await desktopPage(surveyorBrowser);
  recordErrors(surveyor, 'surveyor', errors);
  const crewLink = await signInAndCreateInspection(
    surveyor,
    fx.server.url,
    { username: 'wang', password: 'wang-password-123' },
    { vesselName: '鲁济宁货5678', registrationNumber: 'JN-2026-0077', place: '济宁港' },
  );
  await surveyor.click('[data-testid=join-live]');

  const phoneA = await androidPage(phoneABrowser);
  recordErrors(phoneA, 'phone A', errors);
  await phoneA.goto(crewLink, { waitUntil: 'networkidle0' });
  await phoneA.click('[data-testid=crew-join]');
  await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-state=connected]');
  await waitForStat(surveyor, 'video', 'framesDecoded', 10);

  // Phone B opens the same link: refused with an explanation and an offer, phone A untouched.
  const phoneB = await androidPage(phoneBBrowser);
  recordErrors(phoneB, 'phone B', errors);
  await phoneB.goto(crewLink, { waitUntil: 'networkidle0' });
  await phoneB.click('[data-testid=crew-join]');
  const refusal = await phoneB.waitForSelector('[data-testid=crew-error][data-code=SEAT_TAKEN]', { visible: true });
  expect(await refusal!.$('[data-testid=take-over]')).not.toBeNull();
  expect(await phoneA.$('[data-testid=crew-error]')).toBeNull();
  const inspection = await fx.server.latestInspection();
  expect((await fx.server.inspections.detail(inspection.id)).participants.filter((p) => p.role === 'crew')).toHaveLength(1);

  // Phone B takes over: it films, phone A stops and says why, the surveyor is told.
  await phoneB.click('[data-testid=take-over]');
  await phoneA.waitForSelector('[data-testid=crew-error][data-code=SESSION_REPLACED]', { visible: true, timeout: 15_000 });
  const notice = await surveyor.waitForSelector('[data-testid=live-device-changed]', { visible: true, timeout: 15_000 });
  expect(await notice!.evaluate((n) => n.textContent)).toMatch(/Android|Chrome|手机|device|设备/);
  // The old consumer closed before the notice came; frames now decode from phone B's camera.
  await waitForStat(surveyor, 'video', 'framesDecoded', 10);
  expect(await phoneB.$('[data-testid=crew-error]')).toBeNull();
  await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-state=connected]');

  // Phone A does not take the seat back by itself: it stays stopped while phone B keeps filming.
  const rows = await fx.server.inspections.detail(inspection.id);
  const crewRows = rows.participants.filter((p) => p.role === 'crew');
  expect(crewRows).toHaveLength(2);
  expect(crewRows.filter((p) => p.leaveReason === 'taken-over')).toHaveLength(1);
  expect(crewRows.filter((p) => p.leftAt === null)).toHaveLength(1);
  expect(await phoneA.$('[data-testid=crew-error][data-code=SESSION_REPLACED]')).not.toBeNull();
});
