// The crew's phone on a weak link (its Chromium in a network namespace, throttled with tc tbf), and
// the surveyor's tools for it: video profiles, camera controls offered only for what the camera
// reports, the crew's position next to the declared place, link quality and data used.
import type { Page } from 'puppeteer-core';
import { videoFrames, waitForVideoResume } from '../helpers/network-scenario';
import { useNetworkScenario } from '../helpers/use-network-scenario';
import { inboundStats, waitForStat } from '../helpers/browser';
import { until } from '../helpers/recording';

jest.setTimeout(240_000);

const scenario = useNetworkScenario({ POSITION_WARN_KM: '5' });

/** Waits until the crew video is decoded at most `maxWidth` wide and still moving. */
async function waitForMovingVideoAtMost(surveyor: Page, maxWidth: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = await videoFrames(surveyor);
    await waitForVideoResume(surveyor, before, timeoutMs, 3);
    const video = (await inboundStats(surveyor)).filter((s) => s.kind === 'video' && s.framesDecoded > 0);
    const width = Math.max(...video.map((s) => s.frameWidth));
    if (width > 0 && width <= maxWidth) return width;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`video not at most ${maxWidth} px wide within ${timeoutMs} ms`);
}

test('throttled to 300 kbit/s: the surveyor still receives moving video (a lower layer) and audio', async () => {
  const { id, crewUrl } = await scenario.newInspection();
  const surveyor = await scenario.openSurveyor(id);
  await scenario.openCrew(crewUrl);
  await waitForStat(surveyor, 'video', 'frameWidth', 640, 60_000); // top layer first

  scenario.ns.throttle(300);
  const width = await waitForMovingVideoAtMost(surveyor, 640, 90_000);
  console.log(`throttled to 300 kbit/s: surveyor decodes ${width} px wide video`);
  const heard = await waitForStat(surveyor, 'audio', 'totalSamplesReceived', 0);
  await waitForStat(surveyor, 'audio', 'totalSamplesReceived', heard + 48_000, 30_000);
  scenario.ns.restore();
});

test('fake camera: torch and zoom controls hidden, switch offered; position shown with the declared place and a distance warning; quality and data used shown', async () => {
  // Declared place: Jining port; the phone reports a position about 30 km north.
  const { id, crewUrl } = await scenario.newInspection({ placeLat: 35.405, placeLon: 116.587 });
  const surveyor = await scenario.openSurveyor(id);
  const crew = await scenario.openCrew(crewUrl, {
    sharePosition: true,
    geolocation: { latitude: 35.675, longitude: 116.587, accuracy: 20 },
  });
  await waitForStat(surveyor, 'video', 'framesDecoded', 0, 30_000);

  await surveyor.waitForSelector('[data-testid=camera-controls][data-reported=true]', { timeout: 30_000 });
  expect(await surveyor.$('[data-testid=camera-torch]')).toBeNull();
  expect(await surveyor.$('[data-testid=camera-zoom]')).toBeNull();
  expect(await surveyor.$('[data-testid=camera-switch]')).not.toBeNull();

  await surveyor.waitForSelector('[data-testid=crew-position][data-lat]', { timeout: 30_000 });
  await surveyor.waitForSelector('[data-testid=position-warning]', { visible: true });
  expect(await surveyor.$eval('[data-testid=crew-position]', (e) => Number((e as HTMLElement).dataset.lat))).toBeCloseTo(35.675, 3);
  const stored = await scenario.server.db.query('SELECT lat, lon, accuracy FROM position_fix WHERE inspectionId = ?', [id]);
  expect(stored).toEqual([{ lat: 35.675, lon: 116.587, accuracy: 20 }]);

  await crew.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid=data-used]')?.dataset.bytes) > 100_000, {
    timeout: 30_000,
  });
  await crew.waitForSelector('[data-testid=network-quality][data-level=good]', { timeout: 30_000 });
  await surveyor.waitForSelector('[data-testid=network-quality][data-level=good]', { timeout: 30_000 });
});

test('video profiles: walk-through lowers the resolution and keeps it moving; audio + stills pauses the video; automatic brings it back', async () => {
  const { id, crewUrl } = await scenario.newInspection();
  const surveyor = await scenario.openSurveyor(id);
  const crew = await scenario.openCrew(crewUrl);
  await waitForStat(surveyor, 'video', 'frameWidth', 640, 60_000);

  await surveyor.select('[data-testid=video-profile]', 'walk-through');
  await crew.waitForSelector('[data-testid=crew-profile][data-profile=walk-through]', { timeout: 15_000 });
  const width = await waitForMovingVideoAtMost(surveyor, 640, 30_000);
  console.log(`walk-through: surveyor decodes ${width} px wide video`);

  await surveyor.select('[data-testid=video-profile]', 'audio-stills');
  await surveyor.waitForSelector('.stage-overlay:not([hidden])', { timeout: 15_000 });
  const heard = await waitForStat(surveyor, 'audio', 'totalSamplesReceived', 0);
  await waitForStat(surveyor, 'audio', 'totalSamplesReceived', heard + 48_000, 30_000);

  await surveyor.select('[data-testid=video-profile]', 'auto');
  await surveyor.waitForSelector('.stage-overlay[hidden]', { timeout: 15_000 });
  await waitForVideoResume(surveyor, await videoFrames(surveyor), 30_000, 5);
});

test("a congested uplink that drops: the dip in the camera's link quality is stored with its worst score and end, and shows on the recording's network lane", async () => {
  const { id, crewUrl } = await scenario.newInspection();
  const surveyor = await scenario.openSurveyor(id);
  await scenario.openCrew(crewUrl);
  await waitForStat(surveyor, 'video', 'framesDecoded', 0, 30_000);
  const db = scenario.server.db;
  const dips = () => db.query('SELECT "worstScore", "startedAt", "endedAt" FROM link_quality_dip WHERE "inspectionId" = ?', [id]);
  expect(await dips()).toEqual([]); // a clean link scores well: no dip

  scenario.ns.lossy(150);
  const [open] = await until(async () => ((await dips()).length ? await dips() : null), 'a stored dip', 60_000);
  expect(open.worstScore).toBeLessThan(7);
  scenario.ns.restore();
  // The score may cross the line more than once while the loss lasts: each crossing is a dip.
  type Dip = { worstScore: number; startedAt: string; endedAt: string | null };
  const ended = await until(
    async () => {
      const rows = (await dips()) as Dip[];
      return rows.every((d) => d.endedAt) ? rows : null;
    },
    'every dip ended',
    60_000,
  );
  console.log(`uplink dropping above 150 kbit/s: ${ended.length} dip(s), worst scores ${ended.map((d) => d.worstScore).join(', ')}`);

  const [{ id: recordingId }] = await db.query('SELECT id FROM recording WHERE "inspectionId" = ?', [id]);
  const tl = await scenario.server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: scenario.surveyorCookie });
  expect(tl.status).toBe(200);
  const marks = (tl.body as { marks: Array<Record<string, unknown>> }).marks.filter((m) => m.kind === 'quality-dip');
  expect(marks.map((m) => [m.lane, m.score])).toEqual(ended.map((d) => ['network', d.worstScore]));
  for (const m of marks) expect(Date.parse(m.untilAt as string)).toBeGreaterThanOrEqual(Date.parse(m.at as string));
});
