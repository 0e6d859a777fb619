// A segment file that cannot be registered (empty, or that ffmpeg cannot read) is never dropped
// silently: it is logged, counted on the catalog and in /metrics, and no row is made for it; an
// empty one is removed (it holds nothing), an unreadable one stays on disk. Real server, catalog,
// SQLite and ffmpeg (the repair of a leftover).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CatalogTrack } from '../../server/src/recording/segment-catalog';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.stop();
});

/** A track run of its own under the staging root (no recorder: the test writes its files). */
function track(): { track: CatalogTrack; dir: string } {
  const id = crypto.randomUUID();
  const t: CatalogTrack = {
    id,
    recordingId: crypto.randomUUID(),
    inspectionId: crypto.randomUUID(),
    trackKey: `crew-${id}-camera`,
    participantId: crypto.randomUUID(),
    role: 'crew',
    displayName: 'crew',
    kind: 'video',
    source: 'camera',
    codec: 'video/VP8',
    startedAt: new Date(),
    endedAt: null,
    dir: `rejects-${id}`,
    state: 'recording',
  };
  const dir = path.join(server.config.recording.dir, 'staging', t.dir);
  fs.mkdirSync(dir, { recursive: true });
  return { track: t, dir };
}

/** cloudship_recording_segments_rejected_total by reason, as /metrics shows it. */
async function rejectedMetric(): Promise<Record<string, number>> {
  const r = await server.api('GET', '/metrics');
  expect(r.status).toBe(200);
  const text = String(r.body);
  expect(text).toContain('# TYPE cloudship_recording_segments_rejected_total counter');
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^cloudship_recording_segments_rejected_total\{reason="(\w+)"\} (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

test('a zero-size segment is counted (catalog and /metrics), removed, and gets no row', async () => {
  const catalog = server.recording.catalog;
  const before = await rejectedMetric();
  const { track: t, dir } = track();
  fs.writeFileSync(path.join(dir, 'seg-00000.webm'), '');

  expect(await catalog.register(t, 'seg-00000.webm', 0, 10)).toBeNull();

  expect(catalog.rejected.empty).toBe((before.empty ?? 0) + 1);
  expect(await rejectedMetric()).toEqual({ empty: (before.empty ?? 0) + 1, unreadable: before.unreadable ?? 0 });
  expect(await catalog.segments.countBy({ trackId: t.id })).toBe(0);
  expect(fs.existsSync(path.join(dir, 'seg-00000.webm'))).toBe(false);
});

test('leftovers after a crash: an unreadable one is counted and kept on disk, an empty one counted and removed; neither gets a row', async () => {
  const catalog = server.recording.catalog;
  const before = await rejectedMetric();
  const { track: t, dir } = track();
  // Not media at all (random bytes may pass ffmpeg's format probe as some audio stream).
  const garbage = Buffer.from('not a webm segment\n'.repeat(200));
  fs.writeFileSync(path.join(dir, 'seg-00000.webm'), garbage);
  fs.writeFileSync(path.join(dir, 'seg-00001.webm'), '');

  expect(await catalog.registerLeftovers(t)).toBe(0);

  expect(await rejectedMetric()).toEqual({ empty: (before.empty ?? 0) + 1, unreadable: (before.unreadable ?? 0) + 1 });
  expect(catalog.rejected).toEqual({ empty: (before.empty ?? 0) + 1, unreadable: (before.unreadable ?? 0) + 1 });
  expect(await catalog.segments.countBy({ trackId: t.id })).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'seg-00000.webm')).equals(garbage)).toBe(true);
  expect(fs.existsSync(path.join(dir, 'seg-00001.webm'))).toBe(false);
});
