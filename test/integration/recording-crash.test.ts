// (2) The server killed with SIGKILL during a recording, while the object store is unreachable:
// after a restart on the same data directory the recording is marked 'interrupted' (with a
// 'server-restart' gap on each track, and continued when the room is live again), the segments
// the dead process left (its recorders finish their current segment when it dies) are registered,
// and every one of them is uploaded, hash-matching and decodable.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { startEmbeddedStore, type EmbeddedStore } from '../../server/src/storage/embedded-store';
import { startTestServer, testServerEnv, type TestServer } from '../helpers/test-server';
import { decodeCheck, ffmpegProcessesMentioning, sha256, syntheticClip, until } from '../helpers/recording';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
let dataDir: string;
let storeDir: string;
let child: ChildProcess | null = null;
let sender: ChildProcess | null = null;
let store: EmbeddedStore | null = null;
let server: TestServer | null = null;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-crash-'));
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-crash-store-'));
});

afterAll(async () => {
  for (const p of [child, sender]) if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const pid of ffmpegProcessesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  await server?.stop();
  await store?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(storeDir, { recursive: true, force: true });
});

test('a server killed mid-recording: after restart the recording is interrupted, not lost, and every segment is uploaded', async () => {
  const clip = syntheticClip(60);
  // A port for the store that nothing listens on yet: the first server cannot upload anything.
  const probe = await startEmbeddedStore(storeDir);
  const storePort = probe.port;
  await probe.close();
  const env = {
    ...testServerEnv(dataDir),
    S3_ENDPOINT: `http://127.0.0.1:${storePort}`,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    RECORDING_SEGMENT_SECONDS: '3',
    RECORDING_UPLOAD_RETRY_MAX_SECONDS: '1',
  };
  child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/recording-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, CLIP: clip },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  let ready: { recordingId: string; inspectionId: string; args: string[] } | null = null;
  let registered = 0;
  lines.on('line', (line) => {
    if (line.startsWith('READY ')) ready = JSON.parse(line.slice(6));
    if (line.startsWith('SEGMENTS ')) registered = Number(line.slice(9));
  });
  const started = await until(() => ready, 'the child server recording', 120_000);
  sender = spawn('ffmpeg', started.args, { stdio: ['ignore', 'ignore', 'inherit'] });
  // Segments of both tracks closed (3 s each), none uploaded: the store is down.
  await until(() => registered >= 4, 'segments registered by the child', 120_000);
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  sender.kill('SIGKILL');
  // The recorders were tied to the dead process: they end (finishing their segment) by themselves.
  await until(() => ffmpegProcessesMentioning(dataDir).length === 0, "the dead server's recorders to exit", 30_000);

  store = await startEmbeddedStore(storeDir, { port: storePort });
  server = await startTestServer({ ...env, LOG_LEVEL: 'error' });
  const catalog = server.recording.catalog;
  const recording = await catalog.recordings.findOneBy({ id: started.recordingId });
  expect(recording).toMatchObject({ state: 'interrupted', endReason: 'server-restart' });
  expect((await catalog.tracks.findBy({ recordingId: started.recordingId })).map((t) => t.state)).toEqual(['interrupted', 'interrupted']);
  // Each track the dead server was writing has a gap from its last media, cause 'server-restart',
  // open until the recording goes on: when the inspection's room is live again it continues the
  // same recording (one recording, one lane per track), rather than starting a second one.
  const gaps = await catalog.gaps.findBy({ recordingId: started.recordingId });
  expect(gaps.map((g) => [g.cause, g.endedAt])).toEqual([
    ['server-restart', null],
    ['server-restart', null],
  ]);
  expect((await catalog.continueRecording(started.inspectionId))?.id).toBe(started.recordingId);
  expect(await catalog.recordings.findOneBy({ id: started.recordingId })).toMatchObject({ state: 'live', endReason: null });
  await catalog.finishRecording(started.recordingId, null, 'test');
  expect((await catalog.gaps.findBy({ recordingId: started.recordingId })).every((g) => g.endedAt !== null)).toBe(true);

  const all = await until(
    async () => {
      const segs = await catalog.segments.findBy({ recordingId: started.recordingId });
      return segs.length > 0 && segs.every((s) => s.uploadState === 'uploaded') ? segs : null;
    },
    'every segment uploaded after the restart',
    120_000,
  );
  // More than the dead process had registered: the segments its recorders were writing count too.
  expect(all.length).toBeGreaterThan(registered);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-crash-check-'));
  try {
    const totals = { video: 0, audio: 0 };
    const tracks = await catalog.tracks.findBy({ recordingId: started.recordingId });
    for (const s of all) {
      const r = await server.recording.store.client.send(new GetObjectCommand({ Bucket: server.recording.store.bucket, Key: s.objectKey }));
      const bytes = Buffer.from(await r.Body!.transformToByteArray());
      expect(sha256(bytes)).toBe(s.sha256);
      const file = path.join(tmp, `${s.id}.webm`);
      fs.writeFileSync(file, bytes);
      const check = decodeCheck(file);
      expect(check.errors).toBe('');
      totals[tracks.find((t) => t.id === s.trackId)!.kind] += check.duration;
    }
    expect(totals.video).toBeGreaterThan(5);
    expect(Math.abs(totals.video - totals.audio)).toBeLessThanOrEqual(1);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
