// One seat per crew link: joins of one identity are atomic (a storm of joins with one crew token
// ends with one participant), a second phone on the same link is refused with SEAT_TAKEN until it
// asks to take the seat over, and a take-over is told to the replaced phone, shown to the staff and
// written to the participant log. A phone whose old connection went silent (a network change)
// still rejoins without asking; staff accounts keep taking their seat over silently (a second tab).
import type { JoinResult } from '@cloudship/shared';
import { requestJoin, useFixture } from '../helpers/fixtures';
import { codeOf, ok, type SignalingClient } from '../helpers/signaling-client';
import { sql } from '../helpers/sql';

const fx = useFixture();
let cookie: string;

beforeAll(async () => {
  cookie = (await fx.account('surveyor', 'seat-surveyor')).cookie;
});

interface Row {
  id: string;
  device: string;
  leftAt: string | null;
  leaveReason: string | null;
}

async function crewRows(inspectionId: string): Promise<Row[]> {
  return sql(
    fx.server.db,
    `SELECT "id", "device", "leftAt", "leaveReason" FROM "participant_session" WHERE "inspectionId" = ? AND "role" = 'crew' ORDER BY "joinedAt"`,
    [inspectionId],
  );
}

function closed(c: SignalingClient): Promise<void> {
  return new Promise((resolve) => (c.socket.disconnected ? resolve() : c.socket.once('disconnect', () => resolve())));
}

async function capabilities(c: SignalingClient): Promise<unknown> {
  return ok(await c.request('room.getCapabilities', {})).routerRtpCapabilities;
}

test('fifteen room.join requests at once with one crew token end with exactly one crew participant', async () => {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie);
  // At most three sockets per identity (the socket cap): five joins from each of three phones.
  const sockets = await Promise.all([0, 1, 2].map(() => fx.connect({ crewToken: token })));
  const caps = await capabilities(sockets[0]!);
  const acks = await Promise.all(
    Array.from({ length: 15 }, (_, i) =>
      sockets[i % 3]!.request('room.join', { displayName: `Crew ${i}`, device: `phone ${i % 3}`, rtpCapabilities: caps }),
    ),
  );
  const codes = acks.map(codeOf);
  expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
  // The other phones are told the seat is taken; the winner's own extra joins that it already joined.
  for (const c of codes) expect(['OK', 'SEAT_TAKEN', 'INVALID_STATE']).toContain(c);
  const room = fx.server.rooms.get(inspection.id)!;
  expect([...room.peers.values()].filter((p) => p.role === 'crew')).toHaveLength(1);
  expect(await crewRows(inspection.id)).toHaveLength(1);
  // The surveyor saw one crew arrive.
  await surveyor.c.next('peer.joined', (p) => p.role === 'crew');
  expect(surveyor.c.events.filter((e) => e.event === 'peer.joined')).toHaveLength(1);
});

test('a second phone on a link in use is refused with SEAT_TAKEN; with takeOver it replaces the first, and everyone is told', async () => {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie);
  const first = await fx.joinAsCrew(token, 'Li', { device: 'phone A' });
  await surveyor.c.next('peer.joined', (p) => p.id === first.participantId);

  const second = await fx.connect({ crewToken: token });
  const caps = await capabilities(second);
  const refused = await second.request('room.join', { displayName: 'Li', device: 'phone B', rtpCapabilities: caps });
  expect(refused).toEqual({ ok: false, error: { code: 'SEAT_TAKEN', message: 'A phone is already connected with this link.' } });
  // The refusal changed nothing: the first phone still holds its seat and is still connected.
  expect(first.c.socket.connected).toBe(true);
  expect(first.c.events.map((e) => e.event)).not.toContain('session.replaced');

  const firstGone = closed(first.c);
  const taken: JoinResult = ok(
    await second.request('room.join', { displayName: 'Li', device: 'phone B', rtpCapabilities: caps, takeOver: true }),
  );
  expect(taken.participantId).toBe(first.participantId);
  expect(await first.c.next('session.replaced', undefined, { timeoutMs: 2_000 })).toEqual({ reason: 'taken-over' });
  await firstGone;
  expect(await surveyor.c.next('peer.deviceChanged', undefined, { timeoutMs: 2_000 })).toEqual({
    peerId: first.participantId,
    device: 'phone B',
  });
  // One participant in the room, two devices in the log: the first closed as taken over.
  const room = fx.server.rooms.get(inspection.id)!;
  expect([...room.peers.values()].filter((p) => p.role === 'crew').map((p) => p.id)).toEqual([first.participantId]);
  const rows = await crewRows(inspection.id);
  expect(rows.map((r) => [r.device, r.leaveReason, r.leftAt === null])).toEqual([
    ['phone A', 'taken-over', false],
    ['phone B', null, true],
  ]);
  const detail = await fx.server.api('GET', `/api/inspections/${inspection.id}`, { cookie });
  expect(detail.body.inspection.participants.filter((p: { role: string }) => p.role === 'crew')).toHaveLength(2);
  // The new phone works the seat; when it leaves, its own row is closed.
  ok(await second.request('transport.create', { direction: 'send' }));
  ok(await second.request('room.leave', {}));
  await surveyor.c.next('peer.left', (e) => e.peerId === first.participantId);
  expect((await crewRows(inspection.id)).map((r) => r.leaveReason)).toEqual(['taken-over', 'left']);
});

test('a phone whose old connection went silent (network change) rejoins as the same participant without takeOver', async () => {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie);
  const before = await fx.joinAsCrew(token, 'Li');
  // The old network is gone: the phone neither reads nor answers on its old connection, and the
  // server has not noticed yet (its ping timeout is 20 s).
  const tcp = (before.c.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
  tcp.pause();
  try {
    const after = await fx.connect({ crewToken: token });
    const join = await requestJoin(after, 'Li');
    expect(join.participantId).toBe(before.participantId);
    expect(surveyor.c.events.filter((e) => e.event === 'peer.deviceChanged')).toEqual([]);
    expect(await crewRows(inspection.id)).toHaveLength(1);
  } finally {
    // Let the old connection hear its close (the server would otherwise wait 30 s for it at stop).
    tcp.resume();
  }
});

test('a phone that reconnects after its old socket closed rejoins as the same participant without takeOver', async () => {
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  await fx.joinAsStaff(inspection.id, cookie);
  const before = await fx.joinAsCrew(token, 'Li');
  const gone = closed(before.c);
  before.c.close();
  await gone;
  const again = await fx.joinAsCrew(token, 'Li');
  expect(again.participantId).toBe(before.participantId);
  expect(await crewRows(inspection.id)).toHaveLength(1);
});

test('a staff account opening a second tab still takes its seat over silently', async () => {
  const { inspection } = await fx.inspectionWithLink(cookie);
  const tab1 = await fx.joinAsStaff(inspection.id, cookie, 'Wang');
  const gone = closed(tab1.c);
  const tab2 = await fx.joinAsStaff(inspection.id, cookie, 'Wang');
  expect(tab2.participantId).toBe(tab1.participantId);
  await gone;
  expect(tab1.c.events.map((e) => e.event)).not.toContain('session.replaced');
});
