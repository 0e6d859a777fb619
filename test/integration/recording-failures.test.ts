// Nothing is lost when things fail during a recording: (1) the object store goes down for part of
// it, (3) the crew's connection drops for a few seconds. Real server, worker, ffmpeg and s3rver.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { startEmbeddedStore, type EmbeddedStore } from '../../server/src/storage/embedded-store';
import { liveCrewRecording } from '../helpers/fixtures';
import { startTestServer, ADMIN, type TestServer } from '../helpers/test-server';
import type { SignalingClient } from '../helpers/signaling-client';
import { ffmpegProcessesMentioning, publishPlain, sha256, syntheticClip, until } from '../helpers/recording';

jest.setTimeout(240_000);

const sockets: SignalingClient[] = [];
let server: TestServer | null = null;
let store: EmbeddedStore | null = null;
let storeDir: string;

beforeAll(() => {
  syntheticClip(30);
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-store-'));
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server?.stop();
  server = null;
  await store?.close();
  store = null;
});

afterAll(() => fs.rmSync(storeDir, { recursive: true, force: true }));

const liveCrew = (s: TestServer) => liveCrewRecording(s, sockets);

async function recordersListening(s: TestServer, recordingId: string, n: number) {
  await until(
    async () => (await s.recording.catalog.tracks.countBy({ recordingId, state: 'recording' })) === n,
    `${n} track recorders listening`,
  );
}

async function allUploaded(s: TestServer, recordingId: string) {
  return until(
    async () => {
      const all = await s.recording.catalog.segments.findBy({ recordingId });
      return all.length > 0 && all.every((x) => x.uploadState === 'uploaded') ? all : null;
    },
    'every segment uploaded',
    120_000,
  );
}

test('the object store down during a recording: segments stay on disk, are retried, and all arrive intact once it is back', async () => {
  store = await startEmbeddedStore(storeDir);
  const port = store.port;
  server = await startTestServer({
    S3_ENDPOINT: store.endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    RECORDING_SEGMENT_SECONDS: '3',
    RECORDING_UPLOAD_RETRY_MAX_SECONDS: '1',
  });
  const s = server;
  const { inspection, room, peer, recordingId } = await liveCrew(s);
  const pub = await publishPlain(room, peer);
  await recordersListening(s, recordingId, 2);
  const { done } = pub.send(syntheticClip(30), 20);
  const segs = () => s.recording.catalog.segments.findBy({ recordingId });

  await until(async () => (await segs()).some((x) => x.uploadState === 'uploaded'), 'a first segment uploaded');
  await store.close();
  store = null;
  // While the store is down: new segments fail to upload and are kept on disk.
  const waiting = await until(async () => {
    const failed = (await segs()).filter((x) => x.uploadState === 'failed' && x.attempts >= 2);
    return failed.length >= 2 ? failed : null;
  }, 'segments failing while the store is down');
  for (const x of waiting) {
    expect(x.lastError).toBeTruthy();
    expect(fs.existsSync(path.join(s.config.recording.dir, 'staging', x.localPath!))).toBe(true);
  }
  store = await startEmbeddedStore(storeDir, { port });
  expect(await done).toBe(0);
  await s.recording.service.stop(inspection.id, null);
  pub.close();

  const all = await allUploaded(s, recordingId);
  expect(all.some((x) => x.attempts > 1)).toBe(true);
  for (const x of all) {
    const r = await s.recording.store.client.send(new GetObjectCommand({ Bucket: s.recording.store.bucket, Key: x.objectKey }));
    const bytes = Buffer.from(await r.Body!.transformToByteArray());
    expect(sha256(bytes)).toBe(x.sha256);
    expect(x.localPath).toBeNull();
  }
  const staged = fs
    .readdirSync(path.join(s.config.recording.dir, 'staging'), { recursive: true })
    .filter((f) => String(f).endsWith('.webm'));
  expect(staged).toEqual([]);
  const storage = await s.api('GET', '/api/admin/storage', { cookie: await s.signIn(ADMIN.username, ADMIN.password) });
  expect(storage.body.recordings[0]).toMatchObject({ recordingId, pending: 0, failed: 0, uploaded: all.length });
});

test('a crew network drop: the same tracks continue as new segments after the reconnection, with a visible gap', async () => {
  server = await startTestServer({ RECORDING_SEGMENT_SECONDS: '3' });
  const s = server;
  const { room, peer, recordingId, adminCookie, inspection } = await liveCrew(s);
  const clip = syntheticClip(30);

  const first = await publishPlain(room, peer);
  await recordersListening(s, recordingId, 2);
  expect(await first.send(clip, 7).done).toBe(0);
  // The drop: the phone's transport and its producers go away (what a rejoin after a cut does).
  first.close();
  await until(async () => (await s.recording.catalog.tracks.countBy({ recordingId, state: 'closed' })) === 2, 'the first runs closed');
  const outageMs = 3000; // the length of the scenario's outage, not a wait for an event
  await new Promise((r) => setTimeout(r, outageMs));

  const second = await publishPlain(room, peer);
  await recordersListening(s, recordingId, 2);
  expect(await second.send(clip, 6).done).toBe(0);
  await s.recording.service.stop(inspection.id, null);
  second.close();
  await allUploaded(s, recordingId);
  expect(ffmpegProcessesMentioning(s.dataDir)).toEqual([]);

  const tl = await s.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: adminCookie });
  expect(tl.status).toBe(200);
  expect(tl.body.tracks).toHaveLength(2); // one per source: the reconnection continues the same tracks
  for (const track of tl.body.tracks as Array<{ trackKey: string; segments: Array<{ index: number }> }>) {
    expect(track.segments.map((x) => x.index)).toEqual(track.segments.map((_, i) => i));
    const gaps = (tl.body.gaps as Array<{ trackKey: string; from: string; to: string }>).filter((g) => g.trackKey === track.trackKey);
    expect(gaps).toHaveLength(1);
    expect(Date.parse(gaps[0]!.to) - Date.parse(gaps[0]!.from)).toBeGreaterThanOrEqual(outageMs - 500);
  }
  expect(await s.recording.catalog.tracks.countBy({ recordingId })).toBe(4);
});
