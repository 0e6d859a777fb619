// A change of resolution starts a new recording segment: the crew phone (Chromium, fake camera,
// simulcast) is recorded at its top layer (1280 wide); the surveyor switches the crew camera to
// "walk-through" (the phone stops sending the top layer), the recorder's consumer drops to the
// 640-wide layer, and the recording continues in a new run. Every recorded segment holds frames of
// one width only, both widths are in the recording, and the switch loses (almost) nothing: the old
// run records until the new one has media (make before break), so the camera's media has no hole
// at the switch longer than a few frames and no 'layer-switch' gap is stored.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import type { TestServer } from '../helpers/test-server';
import { androidPage, desktopPage, recordErrors, setSessionCookie, waitForStat } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';
import { until } from '../helpers/recording';

jest.setTimeout(240_000);

const fx = useFixture({ env: { RECORDING_SEGMENT_SECONDS: '4' }, browsers: 2 });
let server: TestServer;
let browsers: Browser[] = [];
const errors: string[] = [];
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-resolution-'));
  server = fx.server;
  browsers = fx.browsers;
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (errors.length) console.log(errors.join('\n'));
});

/** Widths of every decoded video frame of a file. */
function frameWidths(file: string): Set<number> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=width', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`ffprobe failed on ${path.basename(file)} (${fs.statSync(file).size} bytes): ${r.stderr.slice(-500)}`);
  const all = r.stdout.split('\n').filter(Boolean).map(Number);
  console.log(
    `${path.basename(file)}: ${all.length} frames, widths ${JSON.stringify(Object.fromEntries([...new Set(all)].map((w) => [w, all.filter((x) => x === w).length])))}`,
  );
  return new Set(all);
}

test('switching the crew camera to a lower layer starts a new segment; each segment has one resolution', async () => {
  const { cookie } = await fx.account('surveyor', 'resolution');
  const { inspection, url: crewUrl } = await fx.inspectionWithLink(cookie);

  const surveyor = await desktopPage(browsers[0]!);
  recordErrors(surveyor, 'surveyor', errors);
  await setSessionCookie(surveyor, cookie, server.url);
  await surveyor.goto(`${server.url}/#/inspections/${inspection.id}`, { waitUntil: 'networkidle0' });
  await surveyor.waitForSelector('[data-testid=join-live]', { visible: true });
  await surveyor.click('[data-testid=join-live]');

  const crew = await androidPage(browsers[1]!);
  recordErrors(crew, 'crew', errors);
  await crew.goto(crewUrl, { waitUntil: 'networkidle0' });
  await crew.click('[data-testid=crew-join]');
  await waitForStat(surveyor, 'video', 'frameWidth', 1000, 60_000);

  const cameraRuns = async () =>
    server.db.query<Array<{ id: string }>>(
      `SELECT t.id FROM recording_track t JOIN recording r ON r.id = t.recordingId WHERE r.inspectionId = ? AND t.source = 'camera' ORDER BY t.startedAt`,
      [inspection.id],
    );
  const segmentsOf = async (trackId: string) =>
    (await server.db.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM segment WHERE trackId = ?', [trackId]))[0]!.n;
  // While the phone ramps its simulcast layers up, the recorder may already roll once or twice;
  // wait until a closed camera segment holds the full-resolution layer (1280 wide).
  const recordingId = (
    (await until(
      async () =>
        server.db.query('SELECT id FROM recording WHERE inspectionId = ?', [inspection.id]).then((r: unknown[]) => (r.length ? r : null)),
      'a recording',
    )) as Array<{ id: string }>
  )[0]!.id;
  let probed = 0;
  await until(
    async () => {
      const r = await server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie });
      const segments: Array<{ url: string }> = (r.body?.tracks ?? [])
        .filter((t: { source: string }) => t.source === 'camera')
        .flatMap((t: { segments: Array<{ url: string }> }) => t.segments);
      for (const segment of segments.slice(probed)) {
        const res = await fetch(`${server.url}${segment.url}`, { headers: { cookie } });
        if (res.status !== 200) return false;
        const file = path.join(tmp, `probe-${probed++}.webm`);
        fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
        if (frameWidths(file).has(1280)) return true;
      }
      return false;
    },
    'a full-resolution camera segment',
    90_000,
    500,
  );
  const before = (await cameraRuns()).length;

  const [crewPeer] = await server.db.query<Array<{ id: string }>>(
    `SELECT id FROM participant_session WHERE inspectionId = ? AND role = 'crew'`,
    [inspection.id],
  );
  await surveyor.evaluate(
    (peerId) => (window as any).cloudship.session.request('video.setProfile', { peerId, profile: 'walk-through' }),
    crewPeer!.id,
  );
  const runs = await until(
    async () => {
      const r = await cameraRuns();
      return r.length > before ? r : null;
    },
    'a new camera run after the resolution change',
    60_000,
  );
  await until(async () => (await segmentsOf(runs.at(-1)!.id)) >= 1, 'a segment of the new run', 60_000);

  expect((await server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie })).status).toBe(200);
  const timeline = await until(
    async () => {
      const r = await server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie });
      const camera = r.body?.tracks?.filter((t: { source: string }) => t.source === 'camera') ?? [];
      const segments = camera.flatMap((t: { segments: Array<{ uploadState: string }> }) => t.segments);
      return segments.length >= 2 && segments.every((s: { uploadState: string }) => s.uploadState === 'uploaded') ? segments : null;
    },
    'every camera segment uploaded',
    90_000,
  );

  const segments = timeline as Array<{ url: string; startAt: string; endAt: string }>;
  const holes = segments.slice(1).map((s, i) => Date.parse(s.startAt) - Date.parse(segments[i]!.endAt));
  console.log(`camera holes between consecutive segments (ms): ${holes.join(', ')}`);

  const widths: number[] = [];
  for (const [i, segment] of segments.entries()) {
    const res = await fetch(`${server.url}${segment.url}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const file = path.join(tmp, `camera-${i}.webm`);
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const w = frameWidths(file);
    console.log(`segment ${i}: widths ${[...w].join(',')}`);
    expect(w.size).toBe(1); // one resolution per segment
    widths.push([...w][0]!);
  }
  expect(Math.max(...widths)).toBe(1280);
  expect(Math.min(...widths)).toBeLessThanOrEqual(640);
  // Asserted after the widths are printed, so that a failure shows which switch lost media.
  // Before make-before-break a switch lost 500-1200 ms; a key frame's wait is tens of ms.
  expect(Math.max(...holes)).toBeLessThan(250);
  const gaps = await server.db.query<Array<{ cause: string }>>('SELECT cause FROM recording_gap WHERE recordingId = ?', [recordingId]);
  expect(gaps.map((g) => g.cause)).not.toContain('layer-switch');
});
