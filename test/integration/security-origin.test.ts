// The origin rule (auth/same-origin.ts) against the real server: a socket.io handshake from a
// foreign page is refused, and a cookie-authenticated state-changing REST request that names a
// foreign origin (Origin, or Referer without Origin) is 403 "Cross-site request refused" and
// changes nothing. Requests naming no origin, and crew routes (Authorization: Crew), are not affected.
import { io } from 'socket.io-client';
import { OriginPolicy } from '../../server/src/auth/same-origin';
import { TINY_JPEG } from '../helpers/record-fixtures';
import { rawRequest } from '../helpers/raw-http';
import { useFixture, type Staff } from '../helpers/fixtures';

const fx = useFixture();
const EVIL = 'https://evil.example';
let surveyor: Staff;
let own: string;

beforeAll(async () => {
  surveyor = await fx.account('surveyor', 'origin1');
  own = new URL(fx.server.url).origin;
});

/** Connects a socket.io client as the surveyor; resolves 'connected' or the connect_error message. */
function handshake(inspectionId: string, transport: 'websocket' | 'polling', headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = io(fx.server.url, {
      auth: { inspectionId },
      transports: [transport],
      reconnection: false,
      extraHeaders: { cookie: surveyor.cookie, ...headers },
    });
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(`refused: ${err.message}`);
    });
  });
}

const NEW_INSPECTION = {
  vesselName: '鲁济宁货5678',
  registrationNumber: 'JN-2026-0099',
  kind: 'periodic',
  place: '济宁港 Jining port',
  scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
};

async function inspectionCount(): Promise<number> {
  const r = await fx.server.api('GET', '/api/inspections', { cookie: surveyor.cookie });
  expect(r.status).toBe(200);
  return (r.body.inspections as unknown[]).length;
}

describe('socket.io handshake', () => {
  test('refused when the Origin is another site, over WebSocket and long-polling', async () => {
    const inspection = await fx.server.createInspection(surveyor.cookie);
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await handshake(inspection.id, transport, { origin: EVIL })).toMatch(/^refused/);
      // An opaque origin is only ours when the browser itself says the request is same-origin.
      expect(await handshake(inspection.id, transport, { origin: 'null' })).toMatch(/^refused/);
      expect(await handshake(inspection.id, transport, { origin: 'null', 'sec-fetch-site': 'same-origin' })).toBe('connected');
      expect(await handshake(inspection.id, transport, { origin: own })).toBe('connected');
      expect(await handshake(inspection.id, transport, {})).toBe('connected');
    }
  });
});

describe('cookie-authenticated state-changing REST requests', () => {
  const post = (headers: Record<string, string>) =>
    rawRequest(fx.server.url, 'POST', '/api/inspections', { body: NEW_INSPECTION, headers: { cookie: surveyor.cookie, ...headers } });

  test('a POST with a foreign Origin is 403 and creates nothing', async () => {
    const before = await inspectionCount();
    const r = await post({ origin: EVIL });
    expect(r.status).toBe(403);
    expect(r.json.error).toEqual({ code: 'FORBIDDEN', message: 'Cross-site request refused' });
    expect(await inspectionCount()).toBe(before);
  });

  test('without Origin, a foreign Referer is refused the same way; an opaque origin needs Sec-Fetch-Site: same-origin', async () => {
    const before = await inspectionCount();
    expect((await post({ referer: `${EVIL}/attack.html` })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // Our origin with another port or scheme is another origin.
    const url = new URL(fx.server.url);
    expect((await post({ origin: `https://${url.host}` })).status).toBe(403);
    expect((await post({ origin: `http://${url.hostname}:${Number(url.port) + 1}` })).status).toBe(403);
    expect(await inspectionCount()).toBe(before);
  });

  test('our own origin, our own Referer, or no origin at all are allowed', async () => {
    const before = await inspectionCount();
    expect((await post({ origin: own })).status).toBe(201);
    expect((await post({ referer: `${own}/#/inspections` })).status).toBe(201);
    // What a browser sends for a same-origin POST under Referrer-Policy: no-referrer.
    expect((await post({ origin: 'null', 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await post({})).status).toBe(201);
    expect(await inspectionCount()).toBe(before + 4);
  });

  test('DELETE and sign-out from a foreign page change nothing; reads are not affected', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyor.cookie);
    const revoke = await rawRequest(fx.server.url, 'DELETE', `/api/inspections/${inspection.id}/crew-links`, {
      headers: { cookie: surveyor.cookie, origin: EVIL },
    });
    expect(revoke.status).toBe(403);
    expect((await fx.server.api('GET', '/api/crew/invitation', { headers: { authorization: `Crew ${token}` } })).status).toBe(200);
    const logout = await rawRequest(fx.server.url, 'POST', '/api/auth/logout', { headers: { cookie: surveyor.cookie, origin: EVIL } });
    expect(logout.status).toBe(403);
    const me = await rawRequest(fx.server.url, 'GET', '/api/me', { headers: { cookie: surveyor.cookie, origin: EVIL } });
    expect(me.status).toBe(200);
  });

  test('crew routes (Authorization: Crew) are not cookie-authenticated and not affected', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyor.cookie);
    const r = await rawRequest(fx.server.url, 'POST', '/api/crew/evidence?initiative=crew', {
      body: TINY_JPEG,
      headers: { authorization: `Crew ${token}`, 'content-type': 'image/jpeg', origin: EVIL },
    });
    expect(r.status).toBe(201);
    const record = await fx.server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie: surveyor.cookie });
    expect(record.body.record.evidence).toHaveLength(1);
  });
});

describe('OriginPolicy', () => {
  test("own origins: the Host header's with the server's scheme (default ports folded), and PUBLIC_URL's", () => {
    const https = new OriginPolicy(true, null);
    expect(https.ownOrigins({ host: 'inspect.example.org:443' })).toEqual(['https://inspect.example.org']);
    expect(https.allows({ host: 'inspect.example.org', origin: 'https://inspect.example.org' })).toBe(true);
    expect(https.allows({ host: 'inspect.example.org', origin: 'http://inspect.example.org' })).toBe(false);
    // A Host that is not host[:port] names no origin of ours.
    expect(https.ownOrigins({ host: 'evil.example/x@' })).toEqual([]);
    const behindProxy = new OriginPolicy(false, 'https://inspect.example.org/base/');
    expect(behindProxy.allows({ host: '10.0.0.5:8443', origin: 'https://inspect.example.org' })).toBe(true);
    expect(behindProxy.allows({ host: '10.0.0.5:8443', origin: 'http://10.0.0.5:8443' })).toBe(true);
    expect(behindProxy.allows({ host: '10.0.0.5:8443', origin: EVIL })).toBe(false);
    expect(behindProxy.allows({ host: '10.0.0.5:8443' })).toBe(true);
  });
});
