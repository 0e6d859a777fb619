// The auditor's desk in real Chromium. A session is recorded (the crew's camera and microphone and
// the surveyor's, synthetic VP8/Opus through PlainTransport producers, real recorders; the crew's
// sender freezes for a few seconds (a 'network' gap), then stops and comes back (a hole in its
// lanes' media). Then an admin assigns an
// auditor on the inspection page, the auditor signs in, lands on "assigned to me", opens the
// replay, plays it and seeks while it plays to three points (after the crew camera's gap, before
// it, inside it): every lane with media there is within 0.5 s of the point and advancing, every
// lane without media there is shown in its gap. The auditor pins a comment and marks the inspection reviewed; the lead
// surveyor sees both on the inspection page. SCREENSHOT_DIR=... keeps the pages in both languages.
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import type { RecordingTimelineView } from '@cloudship/shared';
import { desktopPage, launchBrowser, recordErrors, unexpectedErrors } from '../helpers/browser';
import { startFixture, type Fixture, type Staff } from '../helpers/fixtures';
import { publishPlain, syntheticClip, until } from '../helpers/recording';
import { ADMIN } from '../helpers/test-server';

jest.setTimeout(300_000);

const SHOTS = process.env.SCREENSHOT_DIR;

let fx: Fixture;
let staffBrowser: Browser;
let auditorBrowser: Browser;
const errors: string[] = [];
let lead: Staff;
let auditor: Staff;
let inspectionId: string;
let recordingId: string;
let view: RecordingTimelineView;

beforeAll(async () => {
  const clip = syntheticClip(30);
  fx = await startFixture({ RECORDING_SEGMENT_SECONDS: '3' });
  const server = fx.server;
  lead = await fx.account('surveyor', 'desk-lead');
  auditor = await fx.account('auditor', 'desk-auditor');
  const { inspection, token } = await fx.inspectionWithLink(lead.cookie, { vesselName: '鲁济宁货审核' });
  inspectionId = inspection.id;
  const consentedAt = new Date().toISOString();
  const crew = await fx.joinAsCrew(token, '船员 Li', { device: 'e2e', consentedAt });
  const staff = await fx.joinAsStaff(inspection.id, lead.cookie, 'Surveyor Wang', { device: 'e2e' });
  recordingId = (await crew.c.next('recording.state', (s) => s.recording)).recordingId!;
  const room = server.rooms.get(inspection.id)!;
  const crewPub = await publishPlain(room, room.peers.get(crew.participantId)!);
  const staffPub = await publishPlain(room, room.peers.get(staff.participantId)!);
  const catalog = server.recording.catalog;
  await until(async () => (await catalog.tracks.countBy({ recordingId, state: 'recording' })) === 4, 'four recorders listening');
  const staffSend = staffPub.send(clip, 22);
  const crewSend = crewPub.send(clip, 8);
  await until(async () => (await catalog.segments.countBy({ recordingId })) >= 4, 'segments before the freeze');
  // The crew's uplink freezes for 3 s (no packets, the connection not given up): a 'network' gap
  // on its lanes, as the recorder stores it.
  const frozenAt = Date.now();
  crewSend.child.kill('SIGSTOP');
  await crew.c.next('recording.state', (e) => e.tracks.filter((t) => t.state === 'no-media').length === 2, { timeoutMs: 15_000 });
  await until(() => Date.now() - frozenAt >= 3_000, 'an outage of 3 s', 10_000, 100);
  crewSend.child.kill('SIGCONT');
  expect(await crewSend.done).toBe(0);
  await until(async () => (await catalog.gaps.countBy({ recordingId, cause: 'network' })) >= 1, 'a network gap');
  // Then the crew's camera and microphone stop for 4 s and come back (new producers): a hole in
  // both crew lanes' media, while the surveyor's lanes go on.
  crewPub.close();
  const stoppedAt = Date.now();
  await until(() => Date.now() - stoppedAt >= 4_000, 'a pause of 4 s', 10_000, 100);
  const crewPub2 = await publishPlain(room, room.peers.get(crew.participantId)!);
  await until(async () => (await catalog.tracks.countBy({ recordingId, state: 'recording' })) === 4, 'the crew recorded again');
  const crewSend2 = crewPub2.send(clip, 6);
  expect(await Promise.all([crewSend2.done, staffSend.done])).toEqual([0, 0]);
  expect((await staff.c.request('recording.stop', {})).ok).toBe(true);
  crewPub2.close();
  staffPub.close();
  await until(async () => {
    const all = await catalog.segments.findBy({ recordingId });
    return all.length > 0 && all.every((s) => s.uploadState === 'uploaded');
  }, 'every segment uploaded');
  fx.closeClients();
  view = (await server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: await fx.adminCookie() })).body;
  // One browser for the staff pages, one for the auditor: a page in the background would not play.
  [staffBrowser, auditorBrowser] = await Promise.all([launchBrowser(), launchBrowser()]);
});

afterAll(async () => {
  if (errors.length) console.log(errors.join('\n'));
  await Promise.all([staffBrowser?.close(), auditorBrowser?.close()]);
  await fx?.stop();
});

async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto(fx.server.url, { waitUntil: 'networkidle0' });
  await page.type('#username', who.username);
  await page.type('#password', who.password);
  await page.click('[data-testid=login-submit]');
}

type Lanes = Array<{ trackKeys: string[]; kind: string; position: number | null; playing: boolean; inGap: boolean }>;
type ReplayWindow = {
  cloudshipReplay: {
    position(): number;
    duration(): number;
    seek(ms: number): void;
    state(): string;
    lanes(): Lanes;
    video: HTMLVideoElement;
  };
};

/** Which lanes have media at `ms` (the timeline's segments, keyed like the player's lanes). */
function coverage(ms: number): Record<string, boolean> {
  const t0 = Date.parse(view.startAt);
  const covers = (keys: string[]) =>
    view.tracks.some(
      (t) => keys.includes(t.trackKey) && t.segments.some((s) => Date.parse(s.startAt) - t0 <= ms && Date.parse(s.endAt) - t0 > ms),
    );
  const crewCamera = view.tracks.filter((t) => t.kind === 'video' && t.role === 'crew').map((t) => t.trackKey);
  const out: Record<string, boolean> = { [crewCamera.join(',')]: covers(crewCamera) };
  for (const t of view.tracks.filter((x) => !(x.kind === 'video' && x.role === 'crew'))) out[t.trackKey] = covers([t.trackKey]);
  return out;
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

test('an admin assigns an auditor, who replays, seeks while playing on every lane and across the gap, comments and marks it reviewed; the lead sees it', async () => {
  // The admin assigns the auditor on the inspection page (the members panel's picker).
  const adminPage = await desktopPage(staffBrowser);
  recordErrors(adminPage, 'admin', errors);
  await signIn(adminPage, ADMIN);
  await adminPage.waitForSelector('[data-testid=inspection-list]');
  await adminPage.goto(`${fx.server.url}/#/inspections/${inspectionId}`, { waitUntil: 'networkidle0' });
  await adminPage.waitForSelector(`[data-testid=member-pick] option[value="auditor:${auditor.id}"]`);
  await adminPage.select('[data-testid=member-pick]', `auditor:${auditor.id}`);
  await adminPage.click('[data-testid=member-add]');
  await adminPage.waitForFunction(() => document.querySelector('[data-testid=members]')?.textContent?.includes('desk-auditor'), {
    polling: 100,
  });
  // The inspection page links to the replay of its recording.
  await adminPage.waitForSelector(`[data-testid=inspection-replay][href$="${recordingId}"]`);
  await adminPage.close();

  // The auditor signs in and lands on "assigned to me": replay, record and report one click away.
  const page = await desktopPage(auditorBrowser);
  recordErrors(page, 'auditor', errors);
  await signIn(page, auditor);
  await page.waitForSelector('[data-testid=assigned-row]');
  expect(await page.$$eval('[data-testid=assigned-row]', (rows) => rows.map((r) => (r as HTMLElement).dataset.id))).toEqual([inspectionId]);
  expect(await page.$eval('[data-testid=assigned-record]', (a) => a.getAttribute('href'))).toBe(`#/inspections/${inspectionId}`);
  expect(await page.$eval('[data-testid=assigned-report]', (a) => a.getAttribute('href'))).toBe(
    `/api/inspections/${inspectionId}/report.html`,
  );
  expect(await page.$('[data-testid=logout]')).not.toBeNull();
  await Promise.all([page.waitForNavigation(), page.click('[data-testid=assigned-replay]')]);
  expect(page.url()).toBe(`${fx.server.url}/replay.html#/recordings/${recordingId}`);
  await page.waitForFunction(() => Boolean((window as unknown as ReplayWindow).cloudshipReplay), { polling: 100, timeout: 30_000 });
  // The replay page has the way back to the console and a sign-out.
  expect(await page.$eval('[data-testid=nav-console]', (a) => a.getAttribute('href'))).toBe('/');
  expect(await page.$('[data-testid=logout]')).not.toBeNull();
  // Four lanes: the crew's camera and microphone, the surveyor's camera and microphone.
  expect((await page.evaluate(() => (window as unknown as ReplayWindow).cloudshipReplay.lanes())).length).toBe(4);
  // The consent once; a mark on the network lane for the freeze.
  expect(await page.$$eval('.replay-event.consent', (e) => e.length)).toBe(1);
  expect(await page.$$eval('[data-testid=replay-mark][data-lane=network]', (e) => e.length)).toBeGreaterThanOrEqual(1);

  await page.click('[data-testid=replay-play]');
  await page.waitForFunction(() => (window as unknown as ReplayWindow).cloudshipReplay.state() === 'playing', {
    polling: 100,
    timeout: 30_000,
  });

  // Three points: after the crew's gap, before it, and inside it (the surveyor's lanes play on there),
  // each where no lane starts or ends a segment within the next 1.5 s (a lane leaving its media just
  // after the seek would be a different thing to check).
  const t0 = Date.parse(view.startAt);
  const total = Date.parse(view.endAt) - t0;
  expect(view.gaps.filter((g) => g.role === 'crew' && g.cause === 'network').length).toBeGreaterThanOrEqual(1);
  const camera = view.tracks
    .find((t) => t.kind === 'video' && t.role === 'crew')!
    .segments.map((x) => [Date.parse(x.startAt) - t0, Date.parse(x.endAt) - t0]);
  const holes = camera.slice(1).map((seg, i) => [camera[i]![1]!, seg[0]!] as const);
  const [holeFrom, holeTo] = holes.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a));
  expect(holeTo - holeFrom).toBeGreaterThan(2_000);
  const stable = (ms: number) => {
    const at = JSON.stringify(coverage(ms));
    for (let d = -200; d <= 1_500; d += 100) if (JSON.stringify(coverage(ms + d)) !== at) return false;
    return true;
  };
  const near = (ms: number) => {
    for (let d = 0; d < 3_000; d += 100)
      for (const p of [ms - d, ms + d]) if (p > 300 && p < total - 2_000 && stable(p)) return Math.round(p);
    throw new Error(`no point without a segment boundary near ${ms} ms`);
  };
  const targets = [near((holeTo + total) / 2), near(holeFrom / 2), near((holeFrom + holeTo) / 2 - 500)];
  const crewCamera = view.tracks
    .filter((t) => t.kind === 'video' && t.role === 'crew')
    .map((t) => t.trackKey)
    .join(',');
  expect(targets.map((ms) => coverage(ms)[crewCamera])).toEqual([true, true, false]);
  for (const target of targets) {
    const expected = coverage(target);
    expect(Object.values(expected).some(Boolean)).toBe(true);
    // While playing: the replay is not paused when the seek happens.
    expect(await page.evaluate(() => (window as unknown as ReplayWindow).cloudshipReplay.state())).not.toBe('paused');
    await page.evaluate((ms: number) => (window as unknown as ReplayWindow).cloudshipReplay.seek(ms), target);
    const settled = (await (
      await page.waitForFunction(
        (want: Record<string, boolean>) => {
          const r = (window as unknown as ReplayWindow).cloudshipReplay;
          if (r.state() !== 'playing') return false;
          const lanes = r.lanes();
          const ready = lanes.every((l) => (want[l.trackKeys.join(',')] ? l.position !== null && l.playing : l.inGap));
          return ready ? { clock: r.position(), lanes } : false;
        },
        { polling: 50, timeout: 30_000 },
        expected,
      )
    ).jsonValue()) as { clock: number; lanes: Lanes };
    expect(Math.abs(settled.clock - target)).toBeLessThan(500);
    for (const l of settled.lanes) {
      if (!expected[l.trackKeys.join(',')]) continue;
      expect([l.trackKeys.join(','), Math.abs(l.position! - target) < 500]).toEqual([l.trackKeys.join(','), true]);
    }
    // ... and advancing from there, every lane with media.
    await page.waitForFunction(
      (want: Record<string, boolean>, before: { clock: number; lanes: Lanes }) => {
        const r = (window as unknown as ReplayWindow).cloudshipReplay;
        const lanes = r.lanes();
        return (
          r.position() > before.clock + 400 &&
          lanes.every((l, i) => !want[l.trackKeys.join(',')] || (l.position !== null && l.position > before.lanes[i]!.position! + 400))
        );
      },
      { polling: 100, timeout: 15_000 },
      expected,
      settled,
    );
  }

  // A comment pinned to the moment on screen, then "reviewed".
  await page.click('[data-testid=replay-play]'); // pause
  await page.waitForFunction(() => (window as unknown as ReplayWindow).cloudshipReplay.state() === 'paused', { polling: 100 });
  await page.evaluate(() => (window as unknown as ReplayWindow).cloudshipReplay.seek(4_000));
  // A seek while paused: every lane with media there shows that moment, and stays paused.
  const pausedAt = coverage(4_000);
  await page.waitForFunction(
    (want: Record<string, boolean>) =>
      (window as unknown as ReplayWindow).cloudshipReplay
        .lanes()
        .every((l) => (want[l.trackKeys.join(',')] ? l.position !== null && Math.abs(l.position - 4_000) < 500 && !l.playing : l.inGap)),
    { polling: 100, timeout: 15_000 },
    pausedAt,
  );
  await page.waitForFunction(() => document.querySelector('[data-testid=review-pin]')?.textContent?.includes('0:04'), { polling: 100 });
  await page.type('[data-testid=review-text]', '船员未展示锚链标记 the crew did not show the chain marks');
  await page.click('[data-testid=review-pin]');
  await page.waitForSelector('[data-testid=review-entry][data-kind=comment]');
  await page.waitForSelector('[data-testid=replay-mark][data-lane=review]');
  await page.click('[data-testid=review-mark-reviewed]');
  await page.waitForSelector('[data-testid=review-status][data-status=reviewed]');
  const stored = await fx.server.api('GET', `/api/inspections/${inspectionId}/review`, { cookie: lead.cookie });
  expect(stored.body.entries.map((e: { kind: string; atMs: number | null }) => [e.kind, e.atMs])).toEqual([
    ['comment', 4_000],
    ['status', null],
  ]);

  // The lead surveyor sees the status and the comment on the inspection page.
  const leadContext = await staffBrowser.createBrowserContext();
  const leadPage = await desktopPage(leadContext);
  recordErrors(leadPage, 'lead', errors);
  await signIn(leadPage, lead);
  await leadPage.waitForSelector('[data-testid=inspection-list]');
  await leadPage.goto(`${fx.server.url}/#/inspections/${inspectionId}`, { waitUntil: 'networkidle0' });
  await leadPage.waitForSelector('[data-testid=review-section] [data-testid=review-status][data-status=reviewed]');
  const section = await leadPage.$eval('[data-testid=review-section]', (s) => s.textContent ?? '');
  expect(section).toContain('船员未展示锚链标记 the crew did not show the chain marks');
  expect(section).toContain('desk-auditor');
  await shot(leadPage, 'lead-inspection-en');

  // The auditor's record (the inspection page): the record without the live panel or crew link.
  await page.goto(`${fx.server.url}/#/inspections/${inspectionId}`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('[data-testid=record-section]');
  await page.waitForSelector('[data-testid=review-section] [data-testid=review-status][data-status=reviewed]');
  expect(await page.$('[data-testid=crew-link-panel]')).toBeNull();
  expect(await page.$('[data-testid=join-live]')).toBeNull();
  await shot(page, 'auditor-record-en');

  // Screenshots of the auditor's landing and the replay page in both languages (desktop size).
  for (const lang of ['en', 'zh-CN'] as const) {
    await page.evaluate((l) => localStorage.setItem('cloudship.lang', l), lang);
    await page.goto(fx.server.url, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid=assigned-row]');
    await shot(page, `auditor-landing-${lang}`);
    await page.goto(`${fx.server.url}/replay.html`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid=replay-open]');
    await shot(page, `replay-list-${lang}`);
    await page.goto(`${fx.server.url}/replay.html#/recordings/${recordingId}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid=review-entry]');
    await page.waitForFunction(() => Boolean((window as unknown as ReplayWindow).cloudshipReplay), { polling: 100 });
    await page.evaluate((ms: number) => (window as unknown as ReplayWindow).cloudshipReplay.seek(ms), targets[0]!);
    await page.waitForFunction(
      () => {
        const r = (window as unknown as ReplayWindow).cloudshipReplay;
        return r.video.readyState >= 2 && !r.video.seeking && r.lanes().every((l) => l.inGap || l.position !== null);
      },
      { polling: 100, timeout: 30_000 },
    );
    await shot(page, `auditor-replay-${lang}`);
  }

  // Signing out from the replay page leads back to the console's sign-in.
  await page.click('[data-testid=logout]');
  await page.waitForSelector('#username');
  expect(unexpectedErrors(errors)).toEqual([]);
});
