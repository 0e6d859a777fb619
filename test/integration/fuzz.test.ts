// Malformed signaling at volume: a few hundred sockets (crew and staff, a few per identity) send 10,000 requests with
// wrong types, unknown names, oversized, deeply nested, prototype-polluting and out-of-order
// payloads. The server must answer every one with a structured error, never crash, and a real
// session must work afterwards. The generator is seeded, so a failure can be replayed.
import crypto from 'node:crypto';
import { ERROR_CODES, schemas } from '@cloudship/shared';
import { LIMITS } from '../../server/src/session/limits';
import { useFixture } from '../helpers/fixtures';
import type { SignalingClient } from '../helpers/signaling-client';

const fx = useFixture();

const SOCKETS = 200;
const PER_SOCKET = 50;

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [...Object.keys(schemas), 'no.such.request', '__proto__', 'constructor', 'room.join ', ''];

function junk(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * 14);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return -1e308;
    case 2:
      return 'x'.repeat(Math.floor(rand() * 2000));
    case 3:
      return { __proto__: { admin: true }, constructor: { prototype: { polluted: 1 } } };
    case 4:
      return JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    case 5:
      return depth > 6 ? {} : { nested: junk(rand, depth + 1), list: [junk(rand, depth + 1)] };
    case 6:
      return { transportId: crypto.randomUUID(), dtlsParameters: { role: 'server', fingerprints: 'nope' } };
    case 7:
      return { direction: rand() < 0.5 ? 'sideways' : 'send', extra: 1 };
    case 8:
      return { displayName: '', rtpCapabilities: [] };
    case 9:
      return { kind: 'video', source: 'camera', transportId: 'x', rtpParameters: { codecs: [{ mimeType: 'video/evil' }] } };
    case 10:
      return { blob: 'A'.repeat(70 * 1024) }; // over the per-request limit
    case 11:
      return [1, 2, 3];
    case 12:
      return { peerId: '../../etc/passwd', command: { type: 'zoom', value: 1e9 } };
    default:
      return true;
  }
}

test('10,000 malformed requests from 200 sockets: each answered with a coded error, no crash, a real session still works', async () => {
  const cookie = (await fx.account('surveyor', 'fuzz-surveyor')).cookie;
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  // At most LIMITS.socketsPerIdentity sockets per identity: the staff sockets are spread over
  // co-surveyors (the lead's own identity stays free for the session at the end), the crew
  // sockets over crew links.
  const perIdentity = LIMITS.socketsPerIdentity;
  const staffCookies: string[] = [];
  for (let i = 0; i < 4; i++) {
    const co = await fx.account('surveyor', `fuzz-co-${i}`);
    const invited = await fx.server.api('POST', `/api/inspections/${inspection.id}/co-surveyors`, { cookie, body: { accountId: co.id } });
    expect(invited.status).toBe(201);
    staffCookies.push(co.cookie);
  }
  const staffSockets = staffCookies.length * perIdentity;
  const tokens = [token];
  while (tokens.length * perIdentity < SOCKETS - staffSockets) tokens.push((await fx.server.crewLink(cookie, inspection.id)).token);
  const clients: SignalingClient[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    const staff = i < staffSockets;
    const auth = staff ? { inspectionId: inspection.id } : { crewToken: tokens[Math.floor((i - staffSockets) / perIdentity)]! };
    clients.push(await fx.connect(auth, staff ? staffCookies[Math.floor(i / perIdentity)] : undefined));
  }
  const codes = new Map<string, number>();
  let answered = 0;
  await Promise.all(
    clients.map(async (c, i) => {
      const rand = prng(1000 + i);
      for (let n = 0; n < PER_SOCKET; n++) {
        const name = NAMES[Math.floor(rand() * NAMES.length)]!;
        const ack = await c.request(name as never, junk(rand));
        answered++;
        // Some requests are valid enough to succeed (room.getCapabilities with {}...): fine. A
        // failure must carry a known code and a message, and never be INTERNAL.
        if (!ack.ok) {
          expect(ERROR_CODES).toContain(ack.error.code);
          expect(typeof ack.error.message).toBe('string');
          codes.set(ack.error.code, (codes.get(ack.error.code) ?? 0) + 1);
        }
      }
    }),
  );
  expect(answered).toBe(SOCKETS * PER_SOCKET);
  expect(codes.get('INTERNAL') ?? 0).toBe(0);
  expect(codes.get('BAD_REQUEST') ?? 0).toBeGreaterThan(SOCKETS * PER_SOCKET * 0.3);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  fx.closeClients();

  // The server is healthy and a legitimate session works end to end.
  expect((await fx.server.api('GET', '/healthz')).status).toBe(200);
  const fresh = await fx.inspectionWithLink(cookie);
  const crew = await fx.joinAsCrew(fresh.token, 'Crew');
  const surveyor = await fx.joinAsStaff(fresh.inspection.id, cookie, 'Surveyor');
  expect(surveyor.join.peers.map((p) => p.id)).toContain(crew.participantId);
}, 180_000);
