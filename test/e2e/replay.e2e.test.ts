// Browser end to end for replay: a session is recorded (crew camera + microphone and the
// surveyor's microphone, synthetic VP8/Opus through PlainTransport producers, real recorders and
// the embedded store), then an auditor opens it in Chromium on replay.html, plays it and seeks.
import type { Browser, Page } from 'puppeteer-core';
import { ADMIN, type TestServer } from '../helpers/test-server';
import { launchBrowser, desktopPage, recordErrors, unexpectedErrors } from '../helpers/browser';
import { startFixture, type Fixture } from '../helpers/fixtures';
import { publishPlain, syntheticClip, until } from '../helpers/recording';

jest.setTimeout(240_000);

let fx: Fixture;
let server: TestServer;
let browser: Browser;
const errors: string[] = [];
let recordingId: string;
let vesselName: string;

beforeAll(async () => {
  const clip = syntheticClip(30);
  fx = await startFixture({ RECORDING_SEGMENT_SECONDS: '4' });
  server = fx.server;
  const surveyor = await fx.account('surveyor', 'replay-surveyor');
  const auditor = await fx.account('auditor', 'replay-auditor');
  vesselName = '鲁济宁货回放';
  const { inspection, token } = await fx.inspectionWithLink(surveyor.cookie, { vesselName });
  const crew = await fx.joinAsCrew(token, '船员 Li', { device: 'e2e' });
  const staff = await fx.joinAsStaff(inspection.id, surveyor.cookie, 'Surveyor Wang', { device: 'e2e' });
  recordingId = (await crew.c.next('recording.state', (s) => s.recording)).recordingId!;
  const room = server.rooms.get(inspection.id)!;
  const crewPub = await publishPlain(room, room.peers.get(crew.participantId)!);
  const staffPub = await publishPlain(room, room.peers.get(staff.participantId)!);
  await until(
    async () => (await server.recording.catalog.tracks.countBy({ recordingId, state: 'recording' })) === 4,
    'four recorders listening',
  );
  const sent = await Promise.all([crewPub.send(clip, 14).done, staffPub.send(clip, 14).done]);
  expect(sent).toEqual([0, 0]);
  const stopped = await staff.c.request('recording.stop', {});
  expect(stopped.ok).toBe(true);
  crewPub.close();
  staffPub.close();
  await until(async () => {
    const all = await server.recording.catalog.segments.findBy({ recordingId });
    return all.length > 0 && all.every((s) => s.uploadState === 'uploaded');
  }, 'every segment uploaded');
  const assigned = await server.api('POST', `/api/inspections/${inspection.id}/auditors`, {
    cookie: surveyor.cookie,
    body: { accountId: auditor.id },
  });
  expect(assigned.status).toBe(204);
  browser = await launchBrowser();
});

afterAll(async () => {
  if (errors.length) console.log(errors.join('\n'));
  fx?.closeClients();
  await browser?.close();
  await fx?.stop();
});

type ReplayWindow = { cloudshipReplay: { position(): number; duration(): number; seek(ms: number): void; video: HTMLVideoElement } };

async function videoState(page: Page) {
  return page.evaluate(() => {
    const r = (window as unknown as ReplayWindow).cloudshipReplay;
    return {
      position: r.position(),
      duration: r.duration(),
      width: r.video.videoWidth,
      time: r.video.currentTime,
      src: r.video.currentSrc,
    };
  });
}

test('an auditor finds the inspection, replays the crew video with both audio tracks, and seeks to the middle', async () => {
  const page = await desktopPage(browser);
  recordErrors(page, 'auditor', errors);
  await page.goto(server.url, { waitUntil: 'networkidle0' });
  const login = await page.evaluate(
    async () =>
      (
        await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'replay-auditor', password: 'replay-auditor-password-123' }),
        })
      ).status,
  );
  expect(login).toBe(200);
  await page.goto(`${server.url}/replay.html`, { waitUntil: 'networkidle0' });
  await page.type('[data-filter=q]', '回放');
  await page.click('[data-testid=list-search]');
  await page.waitForSelector('[data-testid=replay-open]');
  expect(await page.$$eval('[data-testid=replay-list] tr', (rows) => rows.length)).toBe(1);
  await page.click('[data-testid=replay-open]');
  await page.waitForFunction(() => Boolean((window as unknown as ReplayWindow).cloudshipReplay), { polling: 100, timeout: 30_000 });
  // Three lanes: the crew camera (video) and two microphones (crew, surveyor).
  expect(await page.$$eval('.replay-audio audio', (a) => a.length)).toBe(2);
  expect(await page.$$eval('.replay-lane', (l) => l.length)).toBe(4);

  await page.click('[data-testid=replay-play]');
  await page.waitForFunction(() => (window as unknown as ReplayWindow).cloudshipReplay.video.videoWidth > 0, {
    polling: 100,
    timeout: 30_000,
  });
  const first = await videoState(page);
  expect(first.width).toBe(640);
  await page.waitForFunction(
    (t: number) => (window as unknown as ReplayWindow).cloudshipReplay.video.currentTime > t + 0.5,
    { polling: 100, timeout: 30_000 },
    first.time,
  );
  // Both audio lanes play along.
  await page.waitForFunction(
    () => Array.from(document.querySelectorAll('.replay-audio audio')).every((a) => (a as HTMLAudioElement).currentTime > 0.3),
    { polling: 100, timeout: 30_000 },
  );

  const mid = first.duration / 2;
  await page.evaluate((ms: number) => (window as unknown as ReplayWindow).cloudshipReplay.seek(ms), mid);
  await page.waitForFunction(
    (m: number) => {
      const r = (window as unknown as ReplayWindow).cloudshipReplay;
      return r.position() > m + 1000 && r.video.videoWidth > 0 && !r.video.paused;
    },
    { polling: 100, timeout: 30_000 },
    mid,
  );
  const after = await videoState(page);
  // The video now plays a later segment than the first one, from inside it.
  expect(after.src).not.toBe(first.src);
  expect(after.position).toBeGreaterThan(mid);
  expect(after.position).toBeLessThan(first.duration);
  const log = await server.api(
    'GET',
    `/api/inspections/${(await server.recording.catalog.recordings.findOneByOrFail({ id: recordingId })).inspectionId}/replay-log`,
    {
      cookie: await server.signIn(ADMIN.username, ADMIN.password),
    },
  );
  expect(
    log.body.entries.filter((e: { username: string; action: string }) => e.username === 'replay-auditor' && e.action === 'segment').length,
  ).toBeGreaterThanOrEqual(2);
  expect(unexpectedErrors(errors)).toEqual([]);
});
