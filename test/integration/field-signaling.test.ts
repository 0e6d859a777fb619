// Crew phone in the field over real signaling: position reports (validation, storage,
// forwarding with the distance warning), camera control and video profiles (permission-checked,
// forwarded only for what the camera reports), TURN credentials in the join answer.
import crypto from 'node:crypto';
import type { TestServer } from '../helpers/test-server';
import { connectError } from '../helpers/signaling-client';
import { useFixture } from '../helpers/fixtures';
import { PositionFixEntity } from '../../server/src/field/entities';

const TURN_SECRET = 'turn-secret-for-tests-0123456789';
const fx = useFixture({ env: { TURN_URLS: 'turn:127.0.0.1:3478?transport=udp,stun:127.0.0.1:3478', TURN_SECRET, POSITION_WARN_KM: '5' } });
let server: TestServer;
let adminCookie: string;
let surveyorCookie: string;

beforeAll(async () => {
  server = fx.server;
  adminCookie = await fx.adminCookie();
  surveyorCookie = (await fx.account('surveyor', 'surveyor1')).cookie;
});

type AnyAck = { ok: true; data: any } | { ok: false; error: { code: string; message: string } };

function ok(ack: AnyAck): any {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

function refusedWith(ack: AnyAck): string {
  if (ack.ok) throw new Error(`expected a refusal, got ${JSON.stringify(ack.data)}`);
  return ack.error.code;
}

// Jining port, and a point about 1.1 km / 30 km away.
const PLACE = { placeLat: 35.405, placeLon: 116.587 };
const near = { lat: 35.415, lon: 116.587 };
const far = { lat: 35.675, lon: 116.587 };

async function session() {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie, PLACE);
  const surveyor = await fx.joinAsStaff(inspection.id, surveyorCookie, 'Wang');
  const crew = await fx.joinAsCrew(token, 'Li');
  return { inspection, token, surveyor, crew };
}

describe('positions', () => {
  test('a valid fix is stored with the inspection and forwarded to the surveyor with the distance to the declared place', async () => {
    const { inspection, surveyor, crew } = await session();
    const now = Date.now();
    expect(ok(await crew.c.request('position.report', { ...near, accuracy: 12, timestamp: now - 2_000 })).distanceKm).toBeCloseTo(1.11, 1);
    const event = await surveyor.c.next('position.update');
    expect(event).toMatchObject({ peerId: crew.join.participantId, lat: near.lat, lon: near.lon, accuracy: 12, warn: false, warnKm: 5 });

    const rows = await server.db.getRepository(PositionFixEntity).findBy({ inspectionId: inspection.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ participantId: crew.join.participantId, lat: near.lat, lon: near.lon, accuracy: 12 });
  });

  test('a fix farther than POSITION_WARN_KM carries a warning; a surveyor who joins later gets the latest fix', async () => {
    const { inspection, crew } = await session();
    ok(await crew.c.request('position.report', { ...far, accuracy: 30, timestamp: Date.now() }));
    const late = await fx.joinAsStaff(inspection.id, adminCookie, 'Admin');
    const event = await late.c.next('position.update');
    expect(event.warn).toBe(true);
    expect(event.distanceKm).toBeGreaterThan(25);
  });

  test('positions with invalid coordinates, accuracy or timestamps are refused and not stored', async () => {
    const { inspection, crew } = await session();
    const now = Date.now();
    const bad = [
      { lat: 90.5, lon: 10, accuracy: 5, timestamp: now },
      { lat: -91, lon: 10, accuracy: 5, timestamp: now },
      { lat: 10, lon: 180.01, accuracy: 5, timestamp: now },
      { lat: 10, lon: -200, accuracy: 5, timestamp: now },
      { lat: Number.NaN, lon: 10, accuracy: 5, timestamp: now },
      { lat: '35.4', lon: 116.5, accuracy: 5, timestamp: now },
      { lat: 10, lon: 10, accuracy: -1, timestamp: now },
      { lat: 10, lon: 10, accuracy: 1e9, timestamp: now },
      { lat: 10, lon: 10, accuracy: 5, timestamp: now + 5 * 60_000 }, // in the future
      { lat: 10, lon: 10, accuracy: 5, timestamp: now - 11 * 60_000 }, // older than 10 minutes
      { lat: 10, lon: 10, accuracy: 5, timestamp: 1.5 },
      { lat: 10, lon: 10, accuracy: 5 },
      { lat: 10, lon: 10, accuracy: 5, timestamp: now, extra: 1 },
    ];
    for (const payload of bad)
      expect([payload, refusedWith(await crew.c.request('position.report', payload))]).toEqual([payload, 'BAD_REQUEST']);
    expect(await server.db.getRepository(PositionFixEntity).countBy({ inspectionId: inspection.id })).toBe(0);
  });

  test('only the crew shares positions; a second report within 5 s is refused', async () => {
    const { surveyor, crew } = await session();
    expect(refusedWith(await surveyor.c.request('position.report', { ...near, accuracy: 5, timestamp: Date.now() }))).toBe('FORBIDDEN');
    ok(await crew.c.request('position.report', { ...near, accuracy: 5, timestamp: Date.now() }));
    expect(refusedWith(await crew.c.request('position.report', { ...near, accuracy: 5, timestamp: Date.now() }))).toBe('CONFLICT');
  });

  test('an inspection is created with optional place coordinates, both or neither', async () => {
    const inspection = await server.createInspection(surveyorCookie, PLACE);
    expect(inspection).toMatchObject(PLACE);
    const half = await server.api('POST', '/api/inspections', {
      cookie: surveyorCookie,
      body: { vesselName: 'x', registrationNumber: 'y', kind: 'periodic', place: 'z', scheduledAt: new Date().toISOString(), placeLat: 10 },
    });
    expect(half.status).toBe(400);
  });
});

describe('camera control', () => {
  test('the surveyor is told what the crew camera supports; commands for what it lacks are refused', async () => {
    const { surveyor, crew } = await session();
    const crewId = crew.join.participantId;
    ok(await crew.c.request('camera.capabilities', { capabilities: { torch: false, zoom: null } }));
    expect(await surveyor.c.next('camera.capabilities')).toEqual({ peerId: crewId, capabilities: { torch: false, zoom: null } });
    expect(refusedWith(await surveyor.c.request('camera.control', { peerId: crewId, command: { type: 'torch', on: true } }))).toBe(
      'INVALID_STATE',
    );
    expect(refusedWith(await surveyor.c.request('camera.control', { peerId: crewId, command: { type: 'zoom', value: 2 } }))).toBe(
      'INVALID_STATE',
    );

    ok(await crew.c.request('camera.capabilities', { capabilities: { torch: true, zoom: { min: 1, max: 4, step: 0.1 } } }));
    ok(await surveyor.c.request('camera.control', { peerId: crewId, command: { type: 'torch', on: true } }));
    expect(await crew.c.next('camera.command')).toEqual({ command: { type: 'torch', on: true }, from: surveyor.join.participantId });
    ok(await surveyor.c.request('camera.control', { peerId: crewId, command: { type: 'zoom', value: 2.5 } }));
    expect((await crew.c.next('camera.command')).command).toEqual({ type: 'zoom', value: 2.5 });
    expect(refusedWith(await surveyor.c.request('camera.control', { peerId: crewId, command: { type: 'zoom', value: 9 } }))).toBe(
      'BAD_REQUEST',
    );
    ok(await surveyor.c.request('camera.control', { peerId: crewId, command: { type: 'switchCamera' } }));
    expect((await crew.c.next('camera.command')).command).toEqual({ type: 'switchCamera' });
  });

  test('a crew cannot control the surveyor (nor anyone); a surveyor cannot control another staff member', async () => {
    const { inspection, surveyor, crew } = await session();
    const admin = await fx.joinAsStaff(inspection.id, adminCookie, 'Admin');
    const surveyorId = surveyor.join.participantId;
    expect(refusedWith(await crew.c.request('camera.control', { peerId: surveyorId, command: { type: 'switchCamera' } }))).toBe(
      'FORBIDDEN',
    );
    expect(refusedWith(await crew.c.request('video.setProfile', { peerId: surveyorId, profile: 'detail' }))).toBe('FORBIDDEN');
    expect(
      refusedWith(await surveyor.c.request('camera.control', { peerId: admin.join.participantId, command: { type: 'switchCamera' } })),
    ).toBe('FORBIDDEN');
    expect(refusedWith(await surveyor.c.request('camera.control', { peerId: 'no-such-peer', command: { type: 'switchCamera' } }))).toBe(
      'NOT_FOUND',
    );
    expect(refusedWith(await surveyor.c.request('camera.control', { peerId: surveyorId, command: { type: 'switchCamera' } }))).toBe(
      'NOT_FOUND',
    );
    expect(refusedWith(await surveyor.c.request('camera.control', { peerId: surveyorId, command: { type: 'explode' } }))).toBe(
      'BAD_REQUEST',
    );
  });

  test('an auditor cannot even open a socket, so cannot control anyone', async () => {
    const inspection = await server.createInspection(surveyorCookie);
    const auditor = await server.createAccount(adminCookie, 'auditor', `auditor${crypto.randomInt(1e6)}`);
    expect(await connectError(server.url, { inspectionId: inspection.id }, auditor.cookie)).toBe('FORBIDDEN');
  });

  test('the surveyor sets a video profile: the crew phone is told, and gets it again after a rejoin', async () => {
    const { token, surveyor, crew } = await session();
    const crewId = crew.join.participantId;
    ok(await surveyor.c.request('video.setProfile', { peerId: crewId, profile: 'walk-through' }));
    expect(await crew.c.next('video.profile')).toEqual({ peerId: crewId, profile: 'walk-through' });
    expect(refusedWith(await surveyor.c.request('video.setProfile', { peerId: crewId, profile: 'cinema' }))).toBe('BAD_REQUEST');
    crew.c.close();
    const again = await fx.joinAsCrew(token, 'Li');
    expect(again.join.participantId).toBe(crewId);
    expect(await again.c.next('video.profile')).toEqual({ peerId: crewId, profile: 'walk-through' });
  });
});

describe('TURN', () => {
  test('room.join answers with TURN servers and a time-limited HMAC-SHA1 credential for this participant', async () => {
    const { crew } = await session();
    const servers = crew.join.iceServers as Array<{ urls: string[]; username?: string; credential?: string }>;
    expect(servers).toContainEqual({ urls: ['stun:127.0.0.1:3478'] });
    const turn = servers.find((s) => s.urls[0]!.startsWith('turn:'))!;
    const [expiry, participant] = turn.username!.split(':');
    expect(participant).toBe(crew.join.participantId);
    expect(Number(expiry) * 1000).toBeGreaterThan(Date.now());
    expect(turn.credential).toBe(crypto.createHmac('sha1', TURN_SECRET).update(turn.username!).digest('base64'));
  });
});
