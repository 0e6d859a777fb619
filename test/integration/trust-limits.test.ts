// Caps with clear errors (server/src/session/limits.ts): sockets per identity, participants per
// room, one transport per direction and one producer per source even when the requests race.
import { LIMITS } from '../../server/src/session/limits';
import { useFixture } from '../helpers/fixtures';
import { codeOf, connectError, FAKE_DTLS, ok, vp8Parameters, type SignalingClient } from '../helpers/signaling-client';

const fx = useFixture();
let cookie: string;

beforeAll(async () => {
  cookie = (await fx.account('surveyor', 'limits-surveyor')).cookie;
});

/** Resolves once the server has seen the socket go (its id is the same on both ends). */
function serverSawClose(c: SignalingClient): Promise<void> {
  const serverSocket = fx.server.io.sockets.sockets.get(c.socket.id!);
  return new Promise((resolve) => (serverSocket ? serverSocket.once('disconnect', () => resolve()) : resolve()));
}

test(`at most ${LIMITS.socketsPerIdentity} sockets per identity: the next handshake is refused with LIMIT_REACHED until one closes`, async () => {
  expect(LIMITS.socketsPerIdentity).toBe(3);
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const crew = await Promise.all(Array.from({ length: 3 }, () => fx.connect({ crewToken: token })));
  expect(await connectError(fx.server.url, { crewToken: token })).toBe('LIMIT_REACHED');
  // Another identity (the surveyor) is not affected.
  expect(ok(await (await fx.connect({ inspectionId: inspection.id }, cookie)).request('room.getCapabilities', {}))).toBeTruthy();

  const gone = serverSawClose(crew[0]!);
  crew[0]!.close();
  await gone;
  const again = await fx.connect({ crewToken: token });
  expect(again.socket.connected).toBe(true);
});

test('racing handshakes of one identity: exactly the cap gets in', async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const { token } = await fx.server.crewLink(cookie, inspection.id);
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => fx.connect({ crewToken: token })));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(LIMITS.socketsPerIdentity);
  for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).message).toBe('LIMIT_REACHED');
});

test(`at most ${LIMITS.participantsPerRoom} participants per room: the next is refused with LIMIT_REACHED naming the limit; a rejoin still gets in`, async () => {
  expect(LIMITS.participantsPerRoom).toBe(12);
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie);
  const tokens = [token];
  while (tokens.length < 12) tokens.push((await fx.server.crewLink(cookie, inspection.id)).token);
  // The surveyor and eleven crew phones, joining at once: the first twelve seats.
  const joined = await Promise.all(tokens.slice(0, 11).map((t, i) => fx.joinAsCrew(t, `Crew ${i}`)));
  expect(fx.server.rooms.get(inspection.id)!.peers.size).toBe(12);

  const thirteenth = await fx.connect({ crewToken: tokens[11]! });
  const caps = ok(await thirteenth.request('room.getCapabilities', {})).routerRtpCapabilities;
  const refused = await thirteenth.request('room.join', { displayName: 'Crew 12', rtpCapabilities: caps });
  expect(codeOf(refused)).toBe('LIMIT_REACHED');
  expect(!refused.ok && refused.error.message).toMatch(/12 participants/);
  expect(fx.server.rooms.get(inspection.id)!.peers.size).toBe(12);

  // Someone already in the room reconnecting is not a new participant.
  const gone = serverSawClose(surveyor.c);
  surveyor.c.close();
  await gone;
  const back = await fx.joinAsStaff(inspection.id, cookie);
  expect(back.participantId).toBe(surveyor.participantId);
  // A seat freed by a leave can be taken.
  ok(await joined[0]!.c.request('room.leave', {}));
  ok(await thirteenth.request('room.join', { displayName: 'Crew 12', rtpCapabilities: caps }));
});

test('racing transport.create and produce requests keep one transport per direction and one producer per source', async () => {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  await fx.joinAsStaff(inspection.id, cookie);
  const crew = await fx.joinAsCrew(token);
  const created = await Promise.all(Array.from({ length: 4 }, () => crew.c.request('transport.create', { direction: 'send' })));
  for (const a of created) expect(codeOf(a)).toBe('OK');
  const peer = fx.server.rooms.get(inspection.id)!.peers.get(crew.participantId)!;
  expect([...peer.transports.values()].filter((t) => t.direction === 'send')).toHaveLength(1);
  const [send] = [...peer.transports.keys()];
  ok(await crew.c.request('transport.connect', { transportId: send!, dtlsParameters: FAKE_DTLS }));

  const produced = await Promise.all(
    [1, 2, 3].map((i) =>
      crew.c.request('produce', { transportId: send!, kind: 'video', rtpParameters: vp8Parameters(7000 + i), source: 'camera' }),
    ),
  );
  expect(produced.map(codeOf).filter((c) => c === 'OK')).toHaveLength(1);
  for (const c of produced.map(codeOf)) expect(['OK', 'INVALID_STATE']).toContain(c);
  expect(peer.producers.size).toBe(1);
});
