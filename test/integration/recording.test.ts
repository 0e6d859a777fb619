// Recording end to end without a browser: a real server (port 0, temp data dir, real worker), the
// embedded s3rver, real ffmpeg recorders. 20 s of VP8/Opus enter as RTP through PlainTransport
// producers of the crew participant; the segments must reach the store, decode, hash-match and
// add up to what was sent. Then the replay API's refusals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { startTestServer, ADMIN, type TestServer } from '../helpers/test-server';
import { connect, ok, type SignalingClient } from '../helpers/signaling-client';
import { decodeCheck, ffmpegProcessesMentioning, publishPlain, sha256, syntheticClip, until } from '../helpers/recording';

jest.setTimeout(240_000);

let server: TestServer;
let adminCookie: string;
let surveyor: { cookie: string; id: string };
const sockets: SignalingClient[] = [];
const SECONDS = 20;

beforeAll(async () => {
  syntheticClip(30);
  server = await startTestServer({ RECORDING_SEGMENT_SECONDS: '5' });
  adminCookie = await server.signIn(ADMIN.username, ADMIN.password);
  surveyor = await server.createAccount(adminCookie, 'surveyor', 'rec-surveyor');
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
});

async function joined(auth: Record<string, unknown>, name: string, cookie?: string, extra: Record<string, unknown> = {}) {
  const c = await connect(server.url, auth, cookie);
  sockets.push(c);
  const { routerRtpCapabilities } = ok(await c.request('room.getCapabilities', {}));
  const j = ok(await c.request('room.join', { displayName: name, device: 'jest', rtpCapabilities: routerRtpCapabilities, ...extra }));
  return { c, participantId: j.participantId };
}

async function download(key: string): Promise<Buffer> {
  const r = await server.recording.store.client.send(new GetObjectCommand({ Bucket: server.recording.store.bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

let recordingId: string;
let inspectionId: string;
let crewToken: string;

describe('recording to the embedded object store', () => {
  test(`${SECONDS} s of VP8/Opus are recorded in segments, uploaded, decodable, hash-matching and adding up to the duration sent`, async () => {
    const inspection = await server.createInspection(surveyor.cookie);
    inspectionId = inspection.id;
    crewToken = (await server.crewLink(surveyor.cookie, inspection.id)).token;
    const consentedAt = new Date().toISOString();
    const crew = await joined({ crewToken }, '船员 Li', undefined, { consentedAt });
    const staff = await joined({ inspectionId: inspection.id }, 'Surveyor Wang', surveyor.cookie);

    // Recording is on by default: both sides are told, with the recording's id.
    const state = await crew.c.next('recording.state', (s) => s.recording);
    recordingId = state.recordingId!;
    expect(state).toMatchObject({ recording: true, enabled: true });
    await staff.c.next('recording.state', (s) => s.recording);

    const room = server.rooms.get(inspection.id)!;
    const pub = await publishPlain(room, room.peers.get(crew.participantId)!);
    const catalog = server.recording.catalog;
    await until(async () => (await catalog.tracks.countBy({ recordingId, state: 'recording' })) === 2, 'both track recorders to listen');
    const { done } = pub.send(syntheticClip(30), SECONDS);
    expect(await done).toBe(0);

    // The surveyor's switch: off. The last segments are closed, registered and uploaded.
    const stopped = ok(await staff.c.request('recording.stop', {}));
    expect(stopped).toMatchObject({ recording: false, enabled: false });
    await crew.c.next('recording.state', (s) => !s.recording);
    pub.close();
    expect(await catalog.recordings.findOneBy({ id: recordingId })).toMatchObject({ state: 'stopped', endReason: 'stopped-by-surveyor' });

    const segments = await until(async () => {
      const all = await catalog.segments.findBy({ recordingId });
      return all.length > 0 && all.every((s) => s.uploadState === 'uploaded') ? all : null;
    }, 'every segment uploaded');
    expect(ffmpegProcessesMentioning(server.dataDir)).toEqual([]);

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-check-'));
    try {
      for (const kind of ['video', 'audio'] as const) {
        const tracks = await catalog.tracks.findBy({ recordingId, kind });
        expect(tracks).toHaveLength(1);
        const mine = segments.filter((s) => s.trackId === tracks[0]!.id).sort((a, b) => a.index - b.index);
        expect(mine.length).toBeGreaterThanOrEqual(3); // 20 s in 5 s segments
        expect(mine.map((s) => s.index)).toEqual(mine.map((_, i) => i));
        let total = 0;
        for (const s of mine) {
          expect(s.localPath).toBeNull();
          const bytes = await download(s.objectKey);
          expect(bytes.length).toBe(s.sizeBytes);
          expect(sha256(bytes)).toBe(s.sha256);
          const file = path.join(tmp, `${kind}-${s.index}.webm`);
          fs.writeFileSync(file, bytes);
          const check = decodeCheck(file);
          expect(check.errors).toBe('');
          if (kind === 'video') expect(check.width).toBe(640);
          total += check.duration;
          // Wall clock and media time agree segment by segment.
          expect(s.endedAt.getTime() - s.startedAt.getTime()).toBe(s.durationMs);
        }
        expect(Math.abs(total - SECONDS)).toBeLessThanOrEqual(1);
        expect(Math.abs(total - mine.reduce((n, s) => n + s.durationMs, 0) / 1000)).toBeLessThanOrEqual(1);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    // Nothing staged is left behind once the store has confirmed everything.
    const staged = fs
      .readdirSync(path.join(server.dataDir, 'recordings', 'staging', recordingId), { recursive: true })
      .filter((f) => String(f).endsWith('.webm'));
    expect(staged).toEqual([]);
    // The crew's consent is stored with its time.
    const timeline = await server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: surveyor.cookie });
    expect(timeline.status).toBe(200);
    expect(timeline.body.consents).toEqual([{ participantId: crew.participantId, displayName: '船员 Li', consentedAt }]);
    expect(timeline.body.tracks.map((t: { role: string; source: string }) => `${t.role}:${t.source}`).sort()).toEqual([
      'crew:camera',
      'crew:microphone',
    ]);
    expect(timeline.body.gaps).toEqual([]);
  });
});

describe('replay API refusals', () => {
  let auditor: { cookie: string; id: string };
  let outsider: { cookie: string; id: string };
  let segment: { id: string; url: string; sizeBytes: number };

  beforeAll(async () => {
    auditor = await server.createAccount(adminCookie, 'auditor', 'rec-auditor');
    outsider = await server.createAccount(adminCookie, 'auditor', 'rec-outsider');
    const assigned = await server.api('POST', `/api/inspections/${inspectionId}/auditors`, {
      cookie: surveyor.cookie,
      body: { accountId: auditor.id },
    });
    expect(assigned.status).toBe(204);
    const tl = await server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: auditor.cookie });
    segment = tl.body.tracks.find((t: { kind: string }) => t.kind === 'video').segments[0];
  });

  test('an auditor sees only assigned inspections; another auditor gets 404 for the same ids', async () => {
    const list = await server.api('GET', '/api/replay/inspections?q=济宁', { cookie: auditor.cookie });
    expect(list.body.inspections.map((i: { id: string }) => i.id)).toEqual([inspectionId]);
    expect((await server.api('GET', '/api/replay/inspections', { cookie: outsider.cookie })).body.inspections).toEqual([]);
    expect((await server.api('GET', `/api/recordings/${recordingId}/timeline`, { cookie: outsider.cookie })).status).toBe(404);
    expect((await server.api('GET', segment.url, { cookie: outsider.cookie })).status).toBe(404);
    // Filters narrow the list; a bad filter is refused.
    expect((await server.api('GET', '/api/replay/inspections?q=NOPE', { cookie: auditor.cookie })).body.inspections).toEqual([]);
    expect((await server.api('GET', '/api/replay/inspections?status=bogus', { cookie: auditor.cookie })).status).toBe(400);
  });

  test('a crew token cannot fetch recordings', async () => {
    for (const p of [`/api/recordings/${recordingId}/timeline`, segment.url, '/api/replay/inspections', '/api/admin/storage']) {
      const r = await server.api('GET', p, { headers: { authorization: `Crew ${crewToken}` } });
      expect(r.status).toBe(401);
    }
  });

  test('malformed or out-of-bounds ranges get 416; a suffix range is served from the known size', async () => {
    for (const range of ['bytes=abc', 'bytes=5-2', `bytes=${segment.sizeBytes}-`, 'bytes=0-1,4-5', 'items=0-1', 'bytes=-0', 'bytes=-']) {
      const r = await server.api('GET', segment.url, { cookie: auditor.cookie, headers: { range } });
      expect([range, r.status]).toEqual([range, 416]);
      expect(r.headers.get('content-range')).toBe(`bytes */${segment.sizeBytes}`);
    }
    const full = Buffer.from(await (await fetch(`${server.url}${segment.url}`, { headers: { cookie: auditor.cookie } })).arrayBuffer());
    const tail = await fetch(`${server.url}${segment.url}`, { headers: { cookie: auditor.cookie, range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${segment.sizeBytes - 100}-${segment.sizeBytes - 1}/${segment.sizeBytes}`);
    expect(Buffer.from(await tail.arrayBuffer()).equals(full.subarray(full.length - 100))).toBe(true);
    const mid = await fetch(`${server.url}${segment.url}`, { headers: { cookie: auditor.cookie, range: 'bytes=10-19' } });
    expect(mid.status).toBe(206);
    expect(Buffer.from(await mid.arrayBuffer()).equals(full.subarray(10, 20))).toBe(true);
  });

  test('path-like ids and keys cannot escape the bucket or the recordings directory', async () => {
    for (const p of [
      `/api/recordings/${recordingId}/segments/..%2F..%2F..%2Fetc%2Fpasswd`,
      `/api/recordings/..%2F${recordingId}/timeline`,
      `/api/recordings/${recordingId}/segments/%2e%2e%5c%2e%2e%5cstore`,
    ]) {
      const r = await server.api('GET', p, { cookie: adminCookie });
      expect([p, r.status]).toEqual([p, 400]);
    }
    const { assertSafeKey, resolveInside } = await import('../../server/src/storage/object-keys.js');
    expect(() => assertSafeKey('recordings/../secret')).toThrow();
    expect(() => assertSafeKey('/etc/passwd')).toThrow();
    expect(() => assertSafeKey('recordings/a/..%2fb')).toThrow();
    expect(() => resolveInside(server.dataDir, '../outside')).toThrow();
    expect(() => resolveInside(server.dataDir, '/etc/passwd')).toThrow();
  });

  test('every replay is logged (who, what, when) and the admin sees storage state per recording', async () => {
    const log = await server.api('GET', `/api/inspections/${inspectionId}/replay-log`, { cookie: adminCookie });
    expect(log.status).toBe(200);
    const actions = log.body.entries
      .filter((e: { username: string }) => e.username === 'rec-auditor')
      .map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['timeline', 'segment']));
    expect((await server.api('GET', `/api/inspections/${inspectionId}/replay-log`, { cookie: auditor.cookie })).status).toBe(403);
    const storage = await server.api('GET', '/api/admin/storage', { cookie: adminCookie });
    const row = storage.body.recordings.find((r: { recordingId: string }) => r.recordingId === recordingId);
    expect(row).toMatchObject({ pending: 0, failed: 0, state: 'stopped' });
    expect(row.uploaded).toBeGreaterThanOrEqual(6);
    expect((await server.api('GET', '/api/admin/storage', { cookie: auditor.cookie })).status).toBe(403);
  });
});
