// REPLAY_PRESIGNED_SECONDS: large deployments let the browser fetch uploaded segments straight from
// the object store. The app still checks access and logs the replay, then redirects to a presigned
// URL; without a session there is no redirect at all.
import { startTestServer, ADMIN, type TestServer } from '../helpers/test-server';
import { connect, ok, type SignalingClient } from '../helpers/signaling-client';
import { publishPlain, sha256, syntheticClip, until } from '../helpers/recording';
import { sql } from '../helpers/sql';

jest.setTimeout(180_000);

let server: TestServer;
const sockets: SignalingClient[] = [];

beforeAll(async () => {
  syntheticClip(30);
  server = await startTestServer({ RECORDING_SEGMENT_SECONDS: '3', REPLAY_PRESIGNED_SECONDS: '120' });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
});

test('an uploaded segment is replayed through a presigned redirect, after the access check and the replay log', async () => {
  const admin = await server.signIn(ADMIN.username, ADMIN.password);
  const surveyor = await server.createAccount(admin, 'surveyor', 'presigned');
  const inspection = await server.createInspection(surveyor.cookie);
  const { token } = await server.crewLink(surveyor.cookie, inspection.id);
  const crew = await connect(server.url, { crewToken: token });
  sockets.push(crew);
  const caps = ok(await crew.request('room.getCapabilities', {})).routerRtpCapabilities;
  const joined = ok(await crew.request('room.join', { displayName: 'Crew', rtpCapabilities: caps }));
  const recordingId = (await crew.next('recording.state', (s) => s.recording)).recordingId!;

  const room = server.rooms.get(inspection.id)!;
  const pub = await publishPlain(room, room.peers.get(joined.participantId)!);
  await until(
    async () => (await server.recording.catalog.tracks.countBy({ recordingId, state: 'recording' })) === 2,
    'the recorders to listen',
  );
  expect(await pub.send(syntheticClip(30), 7).done).toBe(0);
  expect((await server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie: surveyor.cookie })).status).toBe(200);
  pub.close();
  const segment = await until(
    async () => {
      const all = await server.recording.catalog.segments.findBy({ recordingId });
      return all.length > 0 && all.every((s) => s.uploadState === 'uploaded') ? all[0] : null;
    },
    'every segment uploaded',
    90_000,
  );

  const path = `/api/recordings/${recordingId}/segments/${segment.id}`;
  expect((await fetch(`${server.url}${path}`, { redirect: 'manual' })).status).toBe(401);
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: surveyor.cookie }, redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location).toContain(segment.objectKey);
  expect(location).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
  expect(location).toMatch(/X-Amz-Expires=120/);

  const direct = await fetch(location);
  expect(direct.status).toBe(200);
  expect(sha256(Buffer.from(await direct.arrayBuffer()))).toBe(segment.sha256);
  const logged = await sql(server.db, 'SELECT COUNT(*) AS n FROM "replay_log" WHERE "segmentId" = ?', [segment.id]);
  expect(Number(logged[0].n)).toBe(1);
});
